"""Crashes: the server killed (SIGKILL) in the middle of a write, then started again.

A second Odoo server serves the suite's database, to be killed. Each test holds a lock that
the write reaches late (a table, or the audit trail's advisory lock), so the server's
transaction waits there with its first rows written but not committed. PostgreSQL's own
lock table says which tables it has written, so the test knows it caught the write in the
middle; then it kills the server, lets go of the lock and starts a new server. Nothing of
the interrupted write may be left (genealogy links, recall lines, attachments, signatures,
audit entries: all or nothing), the audit hash chain must verify, every signature too, and
the action done again must give the whole result.

(Named to run after the ``test_rpc_*`` files: it adds its own products, lots and orders.)
"""

import contextlib
import threading
import time

import psycopg2
import pytest
from psycopg2 import sql

from tools import evidence, odoo_env
from tools.harness import PASSWORD, Server, World, prepare_production, receive
from tools.odoo_rpc import XmlRpc

# trace_compliance/models/trace_audit_log.py: every append takes this transaction lock.
AUDIT_LOCK_KEY = 7_318_640_211


def connect(dbname):
    return psycopg2.connect(dbname=dbname, **odoo_env.pg_settings())


@contextlib.contextmanager
def table_locked(dbname, table):
    """Writes to ``table`` wait (SHARE mode: reads go on) until the block ends."""
    connection = connect(dbname)
    try:
        with connection.cursor() as cr:
            cr.execute(sql.SQL("LOCK TABLE {} IN SHARE MODE").format(sql.Identifier(table)))
        yield
    finally:
        connection.rollback()
        connection.close()


@contextlib.contextmanager
def audit_locked(dbname):
    """Appends to the audit trail wait until the block ends."""
    connection = connect(dbname)
    connection.autocommit = True
    try:
        with connection.cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(%s)", (AUDIT_LOCK_KEY,))
        yield
    finally:
        with connection.cursor() as cr:
            cr.execute("SELECT pg_advisory_unlock(%s)", (AUDIT_LOCK_KEY,))
        connection.close()


def waiting_write(dbname, timeout=120):
    """The server's backend waiting for a lock: its pid, the tables it has written and the
    statement that waits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = odoo_env.pg_query(
            dbname,
            """SELECT pid, query FROM pg_stat_activity
                WHERE datname = %s AND wait_event_type = 'Lock' AND backend_type = 'client backend'""",
            (dbname,),
        )
        if found:
            pid, statement = found[0]
            written = odoo_env.pg_query(
                dbname,
                """SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                    WHERE l.pid = %s AND l.granted AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r'""",
                (pid,),
            )
            return pid, {name for (name,) in written} | {f"waits: {statement}"}
        time.sleep(0.05)
    raise AssertionError(f"no request of the server waited for the lock within {timeout} s")


def crash_during(server, dbname, lock, call):
    """Run ``call`` (on ``server``) while ``lock`` holds its write back, kill the server
    once the write waits, let go: returns the tables the write had reached (and, as
    ``"waits: <statement>"``, the statement that waited)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = call()
        except Exception as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    with lock:
        thread.start()
        pid, written = waiting_write(dbname)
        server.kill()
    thread.join(timeout=60)
    assert "error" in outcome, f"the call finished before the crash: {outcome}"
    # The orphaned transaction is rolled back by PostgreSQL once it finds its client gone.
    deadline = time.monotonic() + 60
    while odoo_env.pg_query(dbname, "SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)):
        assert time.monotonic() < deadline, f"backend {pid} still there after the crash"
        time.sleep(0.1)
    return written


@pytest.fixture
def crashable(odoo_server):
    """A second server on the suite's database (crons off), killed by the test; a new one
    after the crash is ``crashable.restart()``."""

    class Crashable:
        def __init__(self):
            self.server = Server(odoo_server.db, workers=0).start()
            # Every signature verifies after a crash as it did before (the suite leaves
            # some records changed after signing on purpose).
            self.signatures = evidence.signatures_valid(self.admin)

        @property
        def admin(self):
            return XmlRpc(self.server.url, odoo_server.db, "admin", PASSWORD)

        def restart(self):
            self.server = Server(odoo_server.db, workers=0).start()
            assert evidence.signatures_valid(self.admin) == self.signatures
            return self.admin

    crashable = Crashable()
    yield crashable
    crashable.server.stop()


@pytest.fixture(scope="module")
def world(admin):
    return World(admin, f"F{int(time.time()) % 100000}")


def audit_chain_verifies(admin):
    result = admin("trace.audit.log", "verify_chain")
    assert result["ok"], result
    return result["checked"]


def test_killed_while_an_order_is_done(odoo_server, crashable, world):
    db = odoo_server.db
    admin = crashable.admin
    component = receive(admin, world, f"FLT-{world.tag}-1")
    production, lot = prepare_production(admin, world, component, f"FLT-{world.tag}-1-P")
    # The batch record is filled after the genealogy links are written.
    written = crash_during(
        crashable.server,
        db,
        table_locked(db, "trace_batch_record_component"),
        lambda: admin("mrp.production", "button_mark_done", [production]),
    )
    assert {"trace_lot_link", "stock_move", "stock_quant"} <= written
    admin = crashable.restart()
    assert admin("mrp.production", "read", [production], ["state"])[0]["state"] != "done"
    assert odoo_env.pg_query(db, "SELECT count(*) FROM trace_lot_link WHERE production_id = %s", (production,)) == [
        (0,)
    ]
    assert odoo_env.pg_query(
        db, "SELECT count(*) FROM stock_move_line WHERE lot_id = %s AND state = 'done'", (lot,)
    ) == [(0,)]
    audit_chain_verifies(admin)
    # Done again: the whole result, once.
    assert admin("mrp.production", "button_mark_done", [production]) is True
    links = admin("trace.lot.link", "search_read", [["production_id", "=", production]], ["parent_lot_id"])
    assert [link["parent_lot_id"][0] for link in links] == [component]
    assert admin("trace.batch.record", "search_count", [["production_id", "=", production]]) == 1


def test_killed_while_signing(odoo_server, crashable, world):
    db = odoo_server.db
    admin = crashable.admin
    component = receive(admin, world, f"FLT-{world.tag}-2")
    production, _lot = prepare_production(admin, world, component, f"FLT-{world.tag}-2-P")
    assert admin("mrp.production", "button_mark_done", [production]) is True
    record = admin("trace.batch.record", "search", [["production_id", "=", production]])
    checked = audit_chain_verifies(admin)
    written = crash_during(
        crashable.server,
        db,
        audit_locked(db),
        lambda: admin("trace.batch.record", "sign", record, "authored", PASSWORD),
    )
    assert "trace_signature" in written
    admin = crashable.restart()
    assert admin("trace.signature", "search_count", [["batch_record_id", "in", record]]) == 0
    assert admin("trace.batch.record", "read", record, ["state"])[0]["state"] == "draft"
    assert audit_chain_verifies(admin) == checked
    signature = admin("trace.batch.record", "sign", record, "authored", PASSWORD)
    assert admin("trace.signature", "is_valid", [signature]) is True
    assert audit_chain_verifies(admin) > checked


def test_killed_while_the_audit_trail_is_appended(odoo_server, crashable, scenario):
    db = odoo_server.db
    admin = crashable.admin
    lot = scenario.lots["SB200-24-0004"]
    status = admin("stock.lot", "read", [lot], ["quality_status"])[0]["quality_status"]
    new = "quarantine" if status != "quarantine" else "on_hold"
    checked = audit_chain_verifies(admin)
    written = crash_during(
        crashable.server,
        db,
        audit_locked(db),
        lambda: admin("stock.lot", "set_quality_status", [lot], new, "Crash drill"),
    )
    # Waiting for the chain's lock, its entry not yet written (nor the new status, which
    # the ORM writes after the entry).
    assert any("pg_advisory_xact_lock" in item for item in written), written
    admin = crashable.restart()
    assert admin("stock.lot", "read", [lot], ["quality_status"])[0]["quality_status"] == status
    assert audit_chain_verifies(admin) == checked
    assert admin("stock.lot", "set_quality_status", [lot], new, "Crash drill, again") is True
    assert audit_chain_verifies(admin) > checked
    admin("stock.lot", "set_quality_status", [lot], status, "Crash drill: back as it was")


def test_killed_during_a_background_recall(odoo_server, crashable, scenario):
    db = odoo_server.db
    admin = crashable.admin
    flour = scenario.lots["FL-261101"]
    # Set through the suite's own server (never killed); the other server reads it too.
    scenario.admin("ir.config_parameter", "set_param", "trace_recall.background_threshold", "0")
    try:
        recall = admin(
            "trace.recall", "create", {"reason": "Crash drill", "lot_ids": [[6, 0, [flour]]], "is_drill": True}
        )
        admin("trace.recall", "action_compute", [recall])
        assert admin("trace.recall", "read", [recall], ["compute_state"])[0]["compute_state"] == "pending"
        cron = admin.ref("trace_recall.ir_cron_trace_recall_compute")
        # The deliveries are listed and committed (40 %), then the stock waits.
        written = crash_during(
            crashable.server,
            db,
            table_locked(db, "trace_recall_stock"),
            lambda: admin("ir.cron", "method_direct_trigger", [cron]),
        )
        assert any("INSERT INTO trace_recall_stock" in item for item in written), written
        admin = crashable.restart()
        # Left half done: the deliveries listed and committed, the rest not.
        state = admin("trace.recall", "read", [recall], ["compute_state", "progress", "delivery_ids", "stock_ids"])[0]
        assert (state["compute_state"], state["progress"], state["stock_ids"]) == ("running", 40, [])
        assert state["delivery_ids"]
        # The next run of the scheduled action computes it again, from the start.
        admin("ir.cron", "method_direct_trigger", [cron])
    finally:
        scenario.admin("ir.config_parameter", "set_param", "trace_recall.background_threshold", "2000")
    fields = ["compute_state", "affected_lot_ids", "customer_count", "qty_shipped", "qty_in_stock"]
    resumed = admin("trace.recall", "read", [recall], fields)[0]
    assert resumed["compute_state"] == "done"
    fresh = admin("trace.recall", "create", {"reason": "Crash drill, foreground", "lot_ids": [[6, 0, [flour]]]})
    admin("trace.recall", "action_compute", [fresh])
    expected = admin("trace.recall", "read", [fresh], fields)[0]
    assert {key: resumed[key] for key in fields} == {key: expected[key] for key in fields}

    def lines(recall_id):
        found = admin(
            "trace.recall.delivery",
            "search_read",
            [["recall_id", "=", recall_id]],
            ["lot_id", "picking_id", "quantity"],
        )
        return sorted((line["lot_id"][0], line["picking_id"][0], line["quantity"]) for line in found)

    assert lines(recall) == lines(fresh)


def test_killed_during_a_spreadsheet_export(odoo_server, crashable, scenario):
    db = odoo_server.db
    admin = crashable.admin
    board = scenario.lots["SB200-24-0001"]
    recall = admin(
        "trace.recall", "create", {"reason": "Export crash drill", "lot_ids": [[6, 0, [board]]], "is_drill": True}
    )
    admin("trace.recall", "action_compute", [recall])
    before = admin("ir.attachment", "search_count", [["res_model", "=", "trace.recall"], ["res_id", "=", recall]])
    crash_during(
        crashable.server,
        db,
        table_locked(db, "ir_attachment"),
        lambda: admin("trace.recall", "action_export_xlsx", [recall]),
    )
    admin = crashable.restart()
    after = admin("ir.attachment", "search_count", [["res_model", "=", "trace.recall"], ["res_id", "=", recall]])
    assert after == before
    action = admin("trace.recall", "action_export_xlsx", [recall])
    assert action["url"].startswith("/web/content/")
    assert admin("ir.attachment", "search_count", [["res_model", "=", "trace.recall"], ["res_id", "=", recall]]) == (
        before + 1
    )
    audit_chain_verifies(admin)
