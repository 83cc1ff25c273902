from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import ALL_IMPLIED_FIELD, PRODUCING_LOT_FIELD

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTraceSecurity(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.trace_user = cls._user("trace_user", "trace_compliance.group_trace_user")
        cls.trace_manager = cls._user("trace_manager", "trace_compliance.group_trace_manager")
        cls.auditor = cls._user("trace_auditor", "trace_compliance.group_trace_auditor")
        cls.plain_user = cls._user("trace_plain", "base.group_user")

    def test_group_chain(self):
        """Manager implies User; Auditor is read-only and implies neither."""
        user_group = self.env.ref("trace_compliance.group_trace_user")
        manager_group = self.env.ref("trace_compliance.group_trace_manager")
        auditor_group = self.env.ref("trace_compliance.group_trace_auditor")
        self.assertIn(user_group, manager_group.implied_ids)
        self.assertTrue(self.trace_manager.has_group("trace_compliance.group_trace_user"))
        self.assertTrue(self.trace_user.has_group("mrp.group_mrp_user"))
        self.assertFalse(self.auditor.has_group("trace_compliance.group_trace_user"))
        self.assertFalse(self.auditor.has_group("stock.group_stock_user"))
        self.assertNotIn(user_group, auditor_group[ALL_IMPLIED_FIELD])

    def test_lots_enabled_for_internal_users(self):
        self.assertTrue(self.plain_user.has_group("stock.group_production_lot"))

    def test_auditor_reads_but_never_writes(self):
        lot = self.chain["T-DO-1"].with_user(self.auditor)
        production = self.chain["mo_dough_1"].with_user(self.auditor)
        delivery = self.chain["delivery"].with_user(self.auditor)
        # Reading the whole trail works: lots, orders, their move lines, the delivery.
        self.assertEqual(lot.name, "T-DO-1")
        self.assertEqual(production[PRODUCING_LOT_FIELD], lot)
        self.assertEqual(set(production.move_raw_ids.move_line_ids.lot_id.mapped("name")), {"T-FL-1", "T-SA-1"})
        self.assertEqual(delivery.partner_id, self.customer_shop)
        self.assertEqual(delivery.move_line_ids.lot_id.name, "T-BR-2")
        # Changing anything does not.
        with self.assertRaises(AccessError):
            lot.write({"ref": "tampered"})
        with self.assertRaises(AccessError):
            self.env["stock.lot"].with_user(self.auditor).create({"name": "X", "product_id": self.flour.id})
        with self.assertRaises(AccessError):
            production.write({"origin": "tampered"})
        with self.assertRaises(AccessError):
            delivery.move_line_ids.write({"quantity": 1})
        with self.assertRaises(AccessError):
            lot.unlink()

    def test_plain_user_cannot_read_genealogy_documents(self):
        with self.assertRaises(AccessError):
            self.chain["mo_dough_1"].with_user(self.plain_user).read(["name"])

    def test_traceability_menus_by_group(self):
        roots = self.env.ref("trace_compliance.trace_menu_root") | self.env.ref(
            "trace_compliance.trace_menu_stock_root"
        )
        Menu = self.env["ir.ui.menu"]
        for user in (self.trace_user, self.trace_manager):
            visible = Menu.with_user(user)._visible_menu_ids()
            self.assertTrue(set(roots.ids) <= visible, user.login)
        auditor_visible = Menu.with_user(self.auditor)._visible_menu_ids()
        self.assertIn(self.env.ref("trace_compliance.trace_menu_root").id, auditor_visible)
        self.assertIn(self.env.ref("trace_compliance.trace_menu_lots").id, auditor_visible)
        plain_visible = Menu.with_user(self.plain_user)._visible_menu_ids()
        self.assertFalse(set(roots.ids) & plain_visible)
        config = self.env.ref("trace_compliance.trace_menu_config").id
        self.assertNotIn(config, Menu.with_user(self.trace_user)._visible_menu_ids())
