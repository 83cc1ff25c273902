import psycopg2

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestAuditTrail(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.Log = cls.env["trace.audit.log"]
        cls.trace_user = cls._user("audit_user", "trace_compliance.group_trace_user")
        cls.manager = cls._user("audit_manager", "trace_compliance.group_trace_manager")
        cls.auditor = cls._user("audit_auditor", "trace_compliance.group_trace_auditor")

    def _entries(self, record, field=None):
        domain = [("model", "=", record._name), ("res_id", "=", record.id)]
        if field:
            domain.append(("field_name", "=", field))
        return self.Log.search(domain, order="id")

    def test_quality_status_change_is_logged_with_reason(self):
        lot = self.chain["T-BR-2"]
        lot.with_user(self.trace_user).set_quality_status("on_hold", "Foreign body complaint #77")
        entry = self._entries(lot, "quality_status")[-1]
        self.assertEqual((entry.operation, entry.old_value, entry.new_value), ("write", "Released", "On Hold"))
        self.assertEqual((entry.user_id, entry.reason), (self.trace_user, "Foreign body complaint #77"))
        self.assertTrue(entry.timestamp)
        self.assertEqual(len(entry.hash), 64)

    def test_creation_and_vendor_lot_change_are_logged(self):
        lot = self.env["stock.lot"].create({"name": "AUD-1", "product_id": self.flour.id, "vendor_lot_number": "V-1"})
        created = self._entries(lot)
        self.assertEqual(set(created.mapped("operation")), {"create"})
        self.assertIn("vendor_lot_number", created.mapped("field_name"))
        lot.with_context(trace_audit_reason="Typo on the receipt").vendor_lot_number = "V-2"
        entry = self._entries(lot, "vendor_lot_number")[-1]
        self.assertEqual((entry.old_value, entry.new_value, entry.reason), ("V-1", "V-2", "Typo on the receipt"))
        # A field the rule does not name leaves nothing.
        before = len(self._entries(lot))
        lot.ref = "internal"
        self.assertEqual(len(self._entries(lot)), before)
        # Deleting a lot that has audit entries is refused, and says why.
        with self.assertRaisesRegex(UserError, "audit trail entries"):
            lot.unlink()

    def test_genealogy_links_are_logged(self):
        production = self.chain["mo_dough_1"]
        entry = self._entries(production, "trace_lot_link")
        self.assertEqual(len(entry), 1)
        self.assertIn("2 links", entry.new_value)

    def test_rules_are_configurable(self):
        rule = self.env.ref("trace_compliance.audit_rule_stock_lot")
        rule.field_ids = self.env.ref("trace_compliance.field_stock_lot__quality_status")
        lot = self.chain["T-FL-1"]
        lot.vendor_lot_number = "NOT-AUDITED"
        self.assertFalse(self._entries(lot, "vendor_lot_number").filtered(lambda e: e.operation == "write"))
        rule.active = False
        lot.sudo().set_quality_status("on_hold", "rule off")
        self.assertFalse(self._entries(lot, "quality_status").filtered(lambda e: e.reason == "rule off"))

    def test_orm_refuses_write_unlink_and_create(self):
        entry = self.Log.search([], limit=1)
        for env_user in (self.env, self.env(su=True)):
            with self.assertRaises(UserError):
                entry.with_env(env_user).write({"reason": "changed"})
            with self.assertRaises(UserError):
                entry.with_env(env_user).unlink()
            with self.assertRaises(UserError):
                self.Log.with_env(env_user).create(
                    {"model": "x", "res_id": 1, "operation": "write", "user_id": 1, "timestamp": "2026-01-01"}
                )
        self.assertTrue(entry.exists())

    def test_sql_refuses_update_delete_truncate(self):
        entry = self.Log.search([], limit=1)
        for query in (
            "UPDATE trace_audit_log SET reason = 'changed' WHERE id = %s",
            "DELETE FROM trace_audit_log WHERE id = %s",
            "TRUNCATE trace_audit_log",
        ):
            with self.subTest(query=query), mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.Error):
                with self.env.cr.savepoint():
                    self.env.cr.execute(query, [entry.id] if "%s" in query else None)
        self.assertTrue(entry.exists())

    def test_tampering_behind_odoo_is_detected(self):
        self.chain["T-BR-2"].sudo().set_quality_status("on_hold", "before tampering")
        self.assertTrue(self.Log.verify_chain()["ok"])
        self.assertEqual(self.Log.action_verify_chain()["params"]["type"], "success")
        target = self._entries(self.chain["T-BR-2"], "quality_status")[-1]
        self.env.flush_all()
        self.env.cr.execute("ALTER TABLE trace_audit_log DISABLE TRIGGER trace_audit_log_no_change")
        self.env.cr.execute("UPDATE trace_audit_log SET new_value = 'Released' WHERE id = %s", [target.id])
        self.env.cr.execute("ALTER TABLE trace_audit_log ENABLE TRIGGER trace_audit_log_no_change")
        result = self.Log.verify_chain()
        self.assertEqual((result["ok"], result["first_broken_id"]), (False, target.id))
        action = self.Log.action_verify_chain()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn(str(target.id), action["params"]["message"])

    def test_deleted_row_is_detected(self):
        entries = self.Log.search([], order="id", limit=3)
        self.env.flush_all()
        self.env.cr.execute("ALTER TABLE trace_audit_log DISABLE TRIGGER trace_audit_log_no_change")
        self.env.cr.execute("DELETE FROM trace_audit_log WHERE id = %s", [entries[1].id])
        self.env.cr.execute("ALTER TABLE trace_audit_log ENABLE TRIGGER trace_audit_log_no_change")
        self.assertEqual(self.Log.verify_chain()["first_broken_id"], entries[2].id)

    def test_who_reads_the_trail(self):
        self.assertTrue(self.Log.with_user(self.auditor).search_count([]))
        self.assertTrue(self.Log.with_user(self.manager).search_count([]))
        with self.assertRaises(AccessError):
            self.Log.with_user(self.trace_user).search([])
        with self.assertRaises(AccessError):
            self.env["trace.audit.rule"].with_user(self.auditor).create(
                {"model_id": self.env.ref("stock.model_stock_picking").id}
            )
