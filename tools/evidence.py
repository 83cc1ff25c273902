#!/usr/bin/env python3
"""The evidence of a database, to compare before and after an operation, and an upgrade
that checks it.

``checksums(dbname)``: for each evidence table (genealogy links, audit trail, signatures:
rows never changed nor deleted), its row count and the MD5 of every row's text in id
order. Equal checksums mean the same rows, byte for byte.

As a command: upgrade the add-ons on each database named (``-u`` of the three, as an
administrator would) and say whether its evidence changed, and how long it took::

    python3 -m tools.evidence upgrade trace_demo trace_load_100000
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from tools import odoo_env

MODULES = "trace_compliance,trace_recall,trace_warranty"
EVIDENCE = ("trace_lot_link", "trace_audit_log", "trace_signature")


def checksums(dbname):
    """``{table: (rows, md5 of every row)}`` of the evidence tables of ``dbname``."""
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    connection = psycopg2.connect(dbname=dbname, **odoo_env.pg_settings())
    try:
        with connection.cursor() as cr:
            result = {}
            for table in EVIDENCE:
                cr.execute(
                    sql.SQL("SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM {} t").format(
                        sql.Identifier(table)
                    )
                )
                result[table] = cr.fetchone()
            return result
    finally:
        connection.close()


def signatures_valid(client):
    """``{signature id: whether it verifies}`` over the external API (``client``: an
    ``odoo_rpc`` client of a user who may read them)."""
    return {
        signature: client("trace.signature", "is_valid", [signature])
        for signature in client("trace.signature", "search", [])
    }


def upgrade(dbname, logfile):
    """``-u`` the add-ons on ``dbname``: (exit code, seconds, evidence before, after)."""
    before = checksums(dbname)
    started = time.monotonic()
    with open(logfile, "w", encoding="utf-8") as output:
        rc = subprocess.call(
            odoo_env.odoo_command(dbname, "-u", MODULES, "--stop-after-init", "--max-cron-threads=0"),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - started
    if not rc and odoo_env.install_problems(Path(logfile).read_text(encoding="utf-8")):
        rc = 1
    return rc, seconds, before, checksums(dbname)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("upgrade", "checksums"))
    parser.add_argument("databases", nargs="+")
    args = parser.parse_args()
    odoo_env.import_odoo()
    failed = False
    for dbname in args.databases:
        if args.action == "checksums":
            print(dbname, checksums(dbname))
            continue
        logfile = Path(odoo_env.data_dir()) / "logs" / f"upgrade-{dbname}.log"
        logfile.parent.mkdir(parents=True, exist_ok=True)
        rc, seconds, before, after = upgrade(dbname, logfile)
        rows = ", ".join(f"{table} {count:,}" for table, (count, _md5) in before.items())
        verdict = "evidence unchanged" if before == after else "EVIDENCE CHANGED"
        print(
            f"{dbname}: upgrade {'ok' if not rc else f'FAILED (see {logfile})'} in {seconds:.1f} s; {verdict} ({rows})"
        )
        failed |= bool(rc) or before != after
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
