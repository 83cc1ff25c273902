from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import last_delivery_partner
from odoo.addons.trace_compliance.tests.common import TraceCase


@tagged("post_install", "-at_install")
class TestDemoStory(TraceCase):
    """The demo story docs/user-guide.md tells is the one Odoo's own traceability shows.

    Runs on a database installed with demo data (``make test`` installs it); the other
    tests never rely on it.
    """

    def setUp(self):
        super().setUp()
        if not self.env.ref("trace_compliance.demo_lot_flour_nm", raise_if_not_found=False):
            self.skipTest("installed without demo data")

    def _partners(self, lot_xmlid):
        return set(self.env.ref(lot_xmlid).delivery_ids.partner_id.mapped("name"))

    def test_bakery_story(self):
        self.assertEqual(
            self._partners("trace_compliance.demo_lot_flour_nm"),
            {"FreshMart Supermarkets", "Corner Bakery Café", "Harbor Deli"},
        )
        # Valley Grain flour went only into dough 2, so not into FreshMart's first delivery.
        vg_deliveries = self.env.ref("trace_compliance.demo_lot_flour_vg").delivery_ids
        self.assertNotIn(self.env.ref("trace_compliance.demo_delivery_freshmart"), vg_deliveries)
        self.assertIn(self.env.ref("trace_recall.demo_sale_freshmart"), vg_deliveries.sale_id)
        merged = self.env.ref("trace_compliance.demo_mo_dough_2").move_raw_ids.move_line_ids
        self.assertEqual(
            {(line.lot_id.name, line.quantity) for line in merged if line.product_id.tracking == "lot"},
            {("FL-261101", 104), ("FL-261102", 92), ("SA-261101", 4)},
        )

    def test_bakery_quality_and_genealogy(self):
        flour = self.env.ref("trace_compliance.demo_lot_flour_nm")
        # Found by the mill's own lot number, received in quarantine, released on its CoA.
        self.assertEqual(self.env["stock.lot"].search([("vendor_lot_number", "=", "NM-2611-017")]), flour)
        self.assertEqual(flour.quality_status, "released")
        self.assertIn("Certificate of analysis", flour.quality_status_reason)
        forward = flour.trace_forward()
        names = set(self.env["stock.lot"].browse(forward["lot_ids"]).mapped("name"))
        self.assertEqual(
            names,
            {"DGH-261101", "DGH-261102", "DGH-261102-A", "DGH-261102-B", "BRD-261101", "BRD-261102", "BRD-261103"},
        )
        self.assertEqual(len(forward["partner_ids"]), 3)
        held = self.env.ref("trace_compliance.demo_serial_sensor_4")
        self.assertEqual(held.quality_status, "on_hold")

    def test_device_story(self):
        for serial, clinic in (
            ("demo_serial_monitor_1", "St. Mary Clinic"),
            ("demo_serial_monitor_2", "Lakeside Cardiology"),
            ("demo_serial_monitor_3", "Northside Medical Center"),
        ):
            self.assertEqual(last_delivery_partner(self.env.ref(f"trace_compliance.{serial}")).name, clinic)
        self.assertEqual(self.env.ref("trace_compliance.demo_serial_sensor_4").product_qty, 1)

    def test_documents_are_dated_in_order(self):
        receipt = self.env.ref("trace_compliance.demo_receipt_flour_nm")
        production = self.env.ref("trace_compliance.demo_mo_dough_1")
        delivery = self.env.ref("trace_compliance.demo_delivery_freshmart")
        self.assertLess(receipt.date_done, production.date_finished)
        self.assertLess(production.date_finished, delivery.date_done)
        self.assertEqual(set(delivery.move_ids.move_line_ids.mapped("date")), {delivery.date_done})

    def test_warranty_story(self):
        stmary = self.env.ref("trace_compliance.demo_serial_monitor_1")
        self.assertEqual(stmary.customer_id.name, "St. Mary Clinic")
        self.assertEqual(stmary.warranty_state, "active")
        self.assertEqual(
            stmary.warranty_start_date, self.env.ref("trace_warranty.demo_event_install_stmary").date.date()
        )
        northside = self.env.ref("trace_compliance.demo_serial_monitor_3")
        self.assertEqual(northside.sale_order_id, self.env.ref("trace_warranty.demo_sale_northside"))
        self.assertEqual(northside.warranty_state, "none", "delivered, installation still to do")
        drill = self.env.ref("trace_warranty.demo_recall_drill_sensor")
        self.assertEqual(drill.field_action_ids.lot_id, self.env.ref("trace_compliance.demo_serial_monitor_2"))

    def test_recall_notice_story(self):
        """The sesame recall: notices sent, Harbor Deli answered on their response page's
        terms, Corner Bakery and FreshMart not yet."""
        recall = self.env.ref("trace_recall.demo_recall_sesame")
        self.assertEqual(recall.state, "open")
        lines = {line.partner_id.name: line for line in recall.partner_line_ids}
        self.assertEqual(set(lines), {"FreshMart Supermarkets", "Corner Bakery Café", "Harbor Deli"})
        self.assertTrue(all(line.access_token for line in lines.values()))
        harbor = lines["Harbor Deli"]
        self.assertEqual((harbor.state, harbor.qty_on_hand, harbor.qty_accounted), ("acknowledged", 12, 100))
        self.assertEqual(lines["Corner Bakery Café"].state, "notified")
        self.assertAlmostEqual(recall.answered_rate, 100 / 3)
