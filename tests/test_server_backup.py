"""Backup and restore of the suite's database, two ways, then an upgrade of the add-ons.

- Odoo's own database manager (``odoo-bin db dump`` / ``db load``: a zip with the
  filestore, what the web database manager makes) and PostgreSQL's ``pg_dump -Fc`` /
  ``pg_restore`` (with the filestore copied beside it, as docs/operations.md, "Backup and
  restore" says).
- After each restore, served by its own Odoo: the audit hash chain verifies (as many
  entries as before), every certificate file still matches its SHA-256, every signature
  verifies, the traces give the same answers, and the evidence tables (genealogy, audit
  trail, signatures) are the same rows, byte for byte.
- ``-u trace_compliance,trace_recall,trace_warranty`` on the restored copy changes none of
  those rows (its time is printed, not asserted).

(Named to run after the ``test_rpc_*`` files: it adds a certificate and a signature.)
"""

import base64
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tools import evidence, odoo_env
from tools.harness import PASSWORD, Server, World, prepare_production, receive
from tools.odoo_rpc import XmlRpc


def pg_program(name):
    found = shutil.which(name) or next(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), None)
    if not found:
        pytest.skip(f"{name} is not installed")
    return str(found)


def answers(admin, lots):
    return {
        name: (admin("stock.lot", "trace_forward", [lot]), admin("stock.lot", "trace_backward", [lot]))
        for name, lot in lots.items()
    }


def check_restored(dbname, expected, lots):
    """Serve ``dbname`` and check it against ``expected`` (the source's figures)."""
    server = Server(dbname, workers=0).start()
    try:
        admin = XmlRpc(server.url, dbname, "admin", PASSWORD)
        chain = admin("trace.audit.log", "verify_chain")
        assert chain["ok"] and chain["checked"] == expected["audit_entries"], chain
        certificates = admin("trace.certificate", "search", [["attachment_ids", "!=", False]])
        assert len(certificates) == expected["certificates"]
        result = admin("trace.certificate", "action_verify_files", certificates)
        assert result["params"]["type"] == "success", result["params"]["message"]
        assert evidence.signatures_valid(admin) == expected["signatures"]
        assert answers(admin, lots) == expected["answers"]
    finally:
        server.stop()
    assert evidence.checksums(dbname) == expected["checksums"]


@pytest.fixture
def restored_names(odoo_server):
    names = [f"{odoo_server.db}_restored_zip", f"{odoo_server.db}_restored_pg"]
    yield names
    for name in names:
        odoo_env.drop_db(name)
        shutil.rmtree(Path(odoo_env.data_dir()) / "filestore" / name, ignore_errors=True)


def test_backup_restore_and_upgrade_keep_the_evidence(odoo_server, scenario, admin, restored_names, tmp_path):
    db = odoo_server.db
    # Evidence of every kind: a certificate with its file, a signed batch record.
    pdf = b"%PDF-1.4\n% Northfield CoA NM-COA-26-077\n%%EOF\n"
    certificate = admin(
        "trace.certificate",
        "create",
        {
            "name": "NM-COA-26-077",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Northfield Mills"],
            "lot_ids": [[6, 0, [scenario.lots["FL-261101"]]]],
            "issue_date": "2026-02-01",
            "attachment_ids": [[0, 0, {"name": "NM-COA-26-077.pdf", "datas": base64.b64encode(pdf).decode()}]],
        },
    )
    assert certificate
    world = World(admin, f"B{int(time.time()) % 100000}")
    component = receive(admin, world, f"BKP-{world.tag}")
    production, _lot = prepare_production(admin, world, component, f"BKP-{world.tag}-P")
    assert admin("mrp.production", "button_mark_done", [production]) is True
    record = admin("trace.batch.record", "search", [["production_id", "=", production]])
    signature = admin("trace.batch.record", "sign", record, "authored", PASSWORD)

    lots = {name: scenario.lots[name] for name in ("FL-261101", "BRD-261102", "PM5-25-0002")}
    expected = {
        "audit_entries": admin("trace.audit.log", "verify_chain")["checked"],
        "certificates": len(admin("trace.certificate", "search", [["attachment_ids", "!=", False]])),
        "signatures": evidence.signatures_valid(admin),
        "answers": answers(admin, lots),
        "checksums": evidence.checksums(db),
    }
    assert expected["signatures"][signature] is True and expected["certificates"] >= 1

    # Odoo's database manager: a zip of the database and its filestore.
    by_odoo, by_pg = restored_names
    archive = tmp_path / "backup.zip"
    subprocess.run(odoo_env.db_command("dump", db, str(archive)), check=True, capture_output=True)
    subprocess.run(odoo_env.db_command("load", by_odoo, str(archive)), check=True, capture_output=True)
    check_restored(by_odoo, expected, lots)

    # PostgreSQL's own: pg_dump -Fc, pg_restore into a new database, the filestore copied.
    dump = tmp_path / "backup.dump"
    pg = odoo_env.pg_settings()
    connection = [f"--host={pg['host']}", f"--port={pg['port']}", f"--username={pg['user']}"]
    subprocess.run([pg_program("pg_dump"), *connection, "-Fc", "-f", str(dump), db], check=True)
    subprocess.run([pg_program("createdb"), *connection, by_pg], check=True)
    subprocess.run([pg_program("pg_restore"), *connection, "--no-owner", "-d", by_pg, str(dump)], check=True)
    filestore = Path(odoo_env.data_dir()) / "filestore"
    shutil.copytree(filestore / db, filestore / by_pg)
    check_restored(by_pg, expected, lots)

    # An upgrade of the add-ons on the restored copy changes no evidence.
    rc, seconds, before, after = evidence.upgrade(by_odoo, tmp_path / "upgrade.log")
    assert rc == 0, (tmp_path / "upgrade.log").read_text()[-3000:]
    print(f"\nupgrade of {evidence.MODULES} on {by_odoo}: {seconds:.1f} s")
    assert before == after == expected["checksums"]
