#!/usr/bin/env python3
"""A hot standby of the local PostgreSQL on this machine, by streaming replication.

``start`` makes a second cluster on ``--port`` (5433) from a base backup of the primary
(``pg_basebackup -R``: it writes the standby's connection to the primary, so the copy
starts as a streaming hot standby) and starts it; ``status`` prints its replication state
and lag; ``stop`` stops and removes it. Odoo then reads from it with ``--db_replica_host``
and ``--db_replica_port`` (``python3 -m tools.loadtest --replica-port 5433`` does).

The primary must accept replication connections from 127.0.0.1: ``start`` adds
``host replication all 127.0.0.1/32 trust`` to its ``pg_hba.conf`` when no replication
line is there, and reloads it (this needs the rights to write that file: run as root or
postgres). ``wal_level`` must be ``replica`` (PostgreSQL's default) and
``max_wal_senders`` above 0 (default 10). The standby's files belong to the user
``postgres`` when run as root (PostgreSQL refuses to run as root).

Usage::

    python3 -m tools.replica start [--port 5433] [--dir /var/tmp/trace_standby]
    python3 -m tools.replica status [--port 5433]
    python3 -m tools.replica stop [--port 5433] [--dir /var/tmp/trace_standby]
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools import odoo_env

DEFAULT_DIR = Path("/var/tmp/trace_standby")
HBA_LINE = "host replication all 127.0.0.1/32 trust"


def query(port, sql, params=()):
    """The rows of ``sql`` on the server at ``port`` (database postgres)."""
    return odoo_env.pg_query("postgres", sql, params, port=port)


def bindir():
    """PostgreSQL's programs of the primary's major version."""
    version = query(odoo_env.pg_settings()["port"], "SHOW server_version_num")[0][0]
    major = int(version) // 10000
    for candidate in (Path(f"/usr/lib/postgresql/{major}/bin"), Path(shutil.which("pg_ctl") or "/").parent):
        if (candidate / "pg_ctl").exists() and (candidate / "pg_basebackup").exists():
            return candidate
    sys.exit(f"pg_ctl and pg_basebackup of PostgreSQL {major} not found (Debian: apt-get install postgresql-{major})")


def as_postgres(command):
    """Run ``command`` as the user postgres when we are root (PostgreSQL refuses root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True)


def allow_replication(primary_port):
    hba = Path(query(primary_port, "SHOW hba_file")[0][0])
    lines = [line.split() for line in hba.read_text().splitlines() if line.strip() and not line.startswith("#")]
    if any(len(words) > 1 and words[1] == "replication" for words in lines):
        return False
    with open(hba, "a", encoding="utf-8") as file:
        file.write(f"\n# tools/replica.py: a local hot standby streams from here\n{HBA_LINE}\n")
    query(primary_port, "SELECT pg_reload_conf()")
    return True


# Settings a hot standby must have at least as high as its primary's.
AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def write_config(primary_port, port, directory):
    """The standby's own postgresql.conf (a Debian cluster keeps the primary's in /etc),
    with the primary's access rules."""
    settings = {
        name: query(primary_port, "SELECT current_setting(%s)", (name,))[0][0]
        for name in (*AT_LEAST_PRIMARY, "shared_buffers")
    }
    lines = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = '/tmp'",
        "hot_standby = on",
        "hot_standby_feedback = on",
        *(f"{name} = '{value}'" for name, value in settings.items()),
    ]
    (directory / "postgresql.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name in ("hba_file", "ident_file"):
        source = Path(query(primary_port, "SELECT current_setting(%s)", (name,))[0][0])
        shutil.copy(source, directory / source.name)
    if os.geteuid() == 0:
        for path in directory.iterdir():
            if path.is_file():
                shutil.chown(path, "postgres", "postgres")


def start(port, directory):
    pg = odoo_env.pg_settings()
    if query(pg["port"], "SHOW wal_level")[0][0] not in ("replica", "logical"):
        sys.exit("The primary's wal_level is minimal: set it to replica and restart PostgreSQL.")
    binaries = bindir()
    if allow_replication(pg["port"]):
        print(f"pg_hba.conf: added '{HBA_LINE}' and reloaded the primary")
    if directory.exists():
        sys.exit(f"{directory} exists: stop the standby first (python3 -m tools.replica stop)")
    directory.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        directory.mkdir(mode=0o700)
        shutil.chown(directory, "postgres", "postgres")
    started = time.monotonic()
    as_postgres(
        [
            str(binaries / "pg_basebackup"),
            f"--host={pg['host']}",
            f"--port={pg['port']}",
            f"--username={pg['user']}",
            f"--pgdata={directory}",
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
        ]
    )
    copied = time.monotonic() - started
    write_config(pg["port"], port, directory)
    as_postgres([str(binaries / "pg_ctl"), "-D", str(directory), "-l", str(directory / "standby.log"), "-w", "start"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if query(port, "SELECT pg_is_in_recovery()")[0][0]:
                break
        except Exception:  # still starting
            time.sleep(0.5)
    print(f"standby on port {port} ({directory}): base backup {copied:.1f} s")
    status(port)


def status(port):
    pg = odoo_env.pg_settings()
    senders = query(
        pg["port"],
        """SELECT client_addr, state, sync_state, write_lag, replay_lag,
                  pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS behind_bytes
             FROM pg_stat_replication""",
    )
    recovering, receiving = query(port, "SELECT pg_is_in_recovery(), (SELECT status FROM pg_stat_wal_receiver)")[0]
    print(f"standby port {port}: in recovery {recovering}, WAL receiver {receiving}")
    for row in senders:
        print(f"primary sends to {row[0]}: {row[1]} ({row[2]}), replay lag {row[4]}, {row[5]} bytes behind")
    return {"in_recovery": recovering, "receiver": receiving, "senders": len(senders)}


def stop(port, directory):
    binaries = bindir()
    if (directory / "postmaster.pid").exists():
        as_postgres([str(binaries / "pg_ctl"), "-D", str(directory), "-m", "fast", "-w", "stop"])
    if directory.exists():
        shutil.rmtree(directory)
    print(f"standby on port {port} stopped, {directory} removed")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=("start", "status", "stop"))
    parser.add_argument("--port", type=int, default=5433)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args()
    if args.action == "start":
        start(args.port, args.dir)
    elif args.action == "status":
        status(args.port)
    else:
        stop(args.port, args.dir)


if __name__ == "__main__":
    main()
