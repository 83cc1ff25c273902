from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecall(RecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        # T-BR-2 (60 left) is partly shipped: 40 to the grocer (chain), 10 sold to the clinic.
        cls.order = cls._sell(cls.customer_clinic, [(cls.bread, "T-BR-2", 10)])
        cls.recall_user = cls._user("rcl_user", "trace_recall.group_recall_user")
        cls.recall_manager = cls._user("rcl_manager", "trace_recall.group_recall_manager")

    def _start(self, user=None, **values):
        wizard = (
            self.env["trace.recall.start"]
            .with_user(user or self.recall_user)
            .create({"reason": "Salmonella found in retained sample", **values})
        )
        action = wizard.action_start()
        return self.env["trace.recall"].browse(action["res_id"])

    def _quarantine(self, warehouse):
        """A new quarantine location in ``warehouse``."""
        return self.env["stock.location"].create(
            {"name": "Quarantine", "usage": "internal", "location_id": warehouse.view_location_id.id}
        )

    def _second_warehouse_holding(self, loaf_lot):
        """A second warehouse, with 30 loaves of ``loaf_lot`` moved there from the first."""
        second = self.env["stock.warehouse"].create({"name": "Test Second Warehouse", "code": "TW2"})
        self._transfer(
            self.warehouse.int_type_id,
            self.customer_shop,
            self.stock_location,
            second.lot_stock_id,
            [(self.bread, loaf_lot, 30)],
        )
        return second

    def test_multi_level_recall_lists_everything(self):
        chain = self.chain
        recall = self._start(selection_mode="lots", lot_ids=chain["T-FL-1"].ids)
        self.assertEqual((recall.state, recall.compute_state, recall.progress), ("open", "done", 100))
        self.assertTrue(recall.name.startswith("RCL/"))
        names = set(recall.affected_lot_ids.mapped("name"))
        self.assertEqual(names, {"T-FL-1", "T-DO-1", "T-DO-2", "T-BR-1", "T-BR-2"})
        self.assertEqual(recall.affected_partner_ids, self.customer_shop | self.customer_clinic)
        self.assertEqual(recall.affected_picking_ids, chain["delivery"] | self.order.picking_ids)
        lines = {(d.partner_id, d.lot_id.name, d.quantity, d.sale_order_id) for d in recall.delivery_ids}
        self.assertEqual(
            lines,
            {
                (self.customer_shop, "T-BR-2", 40, self.env["sale.order"]),
                (self.customer_clinic, "T-BR-2", 10, self.order),
            },
        )
        stock = {(s.lot_id.name, s.quantity) for s in recall.stock_ids}
        self.assertEqual(stock, {("T-FL-1", 104), ("T-DO-2", 40), ("T-BR-1", 100), ("T-BR-2", 50)})
        self.assertEqual(
            (recall.customer_count, recall.delivery_count, recall.qty_shipped, recall.qty_in_stock), (2, 2, 50, 294)
        )
        self.assertEqual(
            {(p.partner_id, p.qty_shipped) for p in recall.partner_line_ids},
            {(self.customer_shop, 40), (self.customer_clinic, 10)},
        )
        self.assertEqual(recall.lot_ids.recall_count, 1)

    def test_suspect_lot_never_shipped(self):
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-BR-1"].ids)
        self.assertEqual(recall.affected_lot_ids, self.chain["T-BR-1"])
        self.assertFalse(recall.delivery_ids)
        self.assertFalse(recall.partner_line_ids)
        self.assertEqual([(s.lot_id.name, s.quantity) for s in recall.stock_ids], [("T-BR-1", 100)])

    def test_serial_recall_and_backward_then_forward(self):
        self._receive(self.vendor_mill, [(self.board, "R-SB-1", 1), (self.board, "R-SB-2", 1)])
        self._produce(self.bom_device, 1, "R-DEV-1", {self.board: [("R-SB-1", 1)]})
        self._produce(self.bom_device, 1, "R-DEV-2", {self.board: [("R-SB-2", 1)]})
        self._sell(self.customer_clinic, [(self.device, "R-DEV-1", 1)])
        # A complaint on device R-DEV-1: back to its board, then forward from the board.
        device = self._lot(self.device, "R-DEV-1")
        board_ids = device.trace_backward()["lot_ids"]
        self.assertEqual(board_ids, self._lot(self.board, "R-SB-1").ids)
        recall = self._start(selection_mode="lots", lot_ids=board_ids)
        self.assertEqual(recall.affected_lot_ids, self._lot(self.board, "R-SB-1") | device)
        self.assertEqual(recall.delivery_ids.lot_id, device)
        self.assertEqual(recall.affected_partner_ids, self.customer_clinic)

    def test_start_by_vendor_lot_vendor_and_product(self):
        receipt = self._receive(self.vendor_salt, [(self.salt, "T-SA-9", 5)], validate=False)
        receipt.move_line_ids.vendor_lot_number = "SALT-VL-77"
        receipt.button_validate()
        by_vendor_lot = self._start(selection_mode="vendor_lot", vendor_lot_number="salt-vl-77")
        self.assertEqual(by_vendor_lot.lot_ids.mapped("name"), ["T-SA-9"])
        by_vendor = self._start(selection_mode="vendor", vendor_id=self.vendor_salt.id)
        self.assertEqual(set(by_vendor.lot_ids.mapped("name")), {"T-SA-1", "T-SA-9"})
        by_product = self._start(selection_mode="product", product_id=self.dough.id)
        self.assertEqual(set(by_product.lot_ids.mapped("name")), {"T-DO-1", "T-DO-2"})
        with self.assertRaisesRegex(UserError, "ends before it starts"):
            self._start(
                selection_mode="product", product_id=self.dough.id, date_from="2026-02-01", date_to="2026-01-01"
            )

    def test_containment_releases_reservations(self):
        pending = self._deliver(self.customer_shop, [(self.bread, "T-BR-1", 20)], validate=False)
        pending.move_ids.move_line_ids.picked = False
        self.assertTrue(pending.move_ids.move_line_ids)
        quarantine = self._quarantine(self.warehouse)
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-DO-1"].ids)
        self.assertIn(pending, recall.open_picking_ids)
        recall.with_user(self.recall_manager).quarantine_location_id = quarantine
        with self.assertRaises(AccessError):
            recall.with_user(self.recall_user).action_contain()
        recall.with_user(self.recall_manager).action_contain()
        self.assertTrue(recall.contained)
        self.assertEqual(self.chain["T-BR-1"].quality_status, "recalled")
        self.assertEqual(self.chain["T-DO-1"].quality_status, "recalled")
        self.assertFalse(pending.move_ids.move_line_ids, "the reservation of the recalled lot is released")
        transfers = self.env["stock.picking"].search([("origin", "=", recall.name)])
        self.assertEqual(transfers.location_dest_id, quarantine)
        self.assertIn(self.chain["T-BR-1"], transfers.move_ids.move_line_ids.lot_id)
        # The recalled lot cannot be delivered any more.
        with self.assertRaisesRegex(UserError, "Recalled"):
            self._deliver(self.customer_shop, [(self.bread, "T-BR-1", 1)])

    def test_containment_per_warehouse(self):
        """Affected stock in two warehouses: one quarantine transfer each, of its own
        warehouse's internal operation type."""
        second = self._second_warehouse_holding("T-BR-1")
        quarantine = self._quarantine(self.warehouse)
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-BR-1"].ids)
        self.assertEqual(recall.stock_ids.location_id, self.stock_location | second.lot_stock_id)
        recall.with_user(self.recall_manager).quarantine_location_id = quarantine
        recall.with_user(self.recall_manager).action_contain()
        transfers = self.env["stock.picking"].search([("origin", "=", recall.name)])
        self.assertEqual(len(transfers), 2)
        for transfer in transfers:
            self.assertEqual(transfer.picking_type_id, transfer.location_id.warehouse_id.int_type_id)
            self.assertEqual(transfer.location_dest_id, quarantine)
        self.assertEqual(transfers.picking_type_id, self.warehouse.int_type_id | second.int_type_id)

    def test_containment_and_notice_hooks(self):
        """An add-on gives each warehouse its own quarantine location and copies each notice
        to the customer's quality contact, through the recall's hooks."""
        second = self._second_warehouse_holding("T-BR-2")
        quarantines = {warehouse: self._quarantine(warehouse) for warehouse in (self.warehouse, second)}
        contact = self.env["res.partner"].create(
            {"name": "Grocer Quality", "parent_id": self.customer_shop.id, "email": "quality@grocer.example.com"}
        )
        Recall, Line = type(self.env["trace.recall"]), type(self.env["trace.recall.partner"])
        notice_vals = Line._prepare_notice_vals
        self.patch(Recall, "_get_quarantine_location", lambda recall, location: quarantines[location.warehouse_id])
        self.patch(
            Line,
            "_prepare_notice_vals",
            lambda line: dict(
                notice_vals(line), recipient_ids=[Command.set((line.partner_id | line.partner_id.child_ids).ids)]
            ),
        )
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-BR-2"].ids)
        recall.with_user(self.recall_manager).quarantine_location_id = quarantines[self.warehouse]
        recall.with_user(self.recall_manager).action_contain()
        transfers = self.env["stock.picking"].search([("origin", "=", recall.name)])
        self.assertEqual(
            {(t.location_id, t.location_dest_id) for t in transfers},
            {(self.stock_location, quarantines[self.warehouse]), (second.lot_stock_id, quarantines[second])},
        )
        recall.with_user(self.recall_manager).action_notify()
        line = recall.partner_line_ids.filtered(lambda line: line.partner_id == self.customer_shop)
        mail = self.env["mail.mail"].search([("model", "=", "trace.recall.partner"), ("res_id", "=", line.id)])
        self.assertEqual(mail.recipient_ids, self.customer_shop | contact)

    def test_notice_mail_and_effectiveness(self):
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-DO-2"].ids)
        recall.with_user(self.recall_manager).action_notify()
        self.assertEqual(set(recall.partner_line_ids.mapped("state")), {"notified"})
        clinic = recall.partner_line_ids.filtered(lambda line: line.partner_id == self.customer_clinic)
        mail = self.env["mail.mail"].search([("model", "=", "trace.recall.partner"), ("res_id", "=", clinic.id)])
        self.assertEqual(len(mail), 1)
        self.assertIn(recall.name, mail.subject)
        self.assertIn("T-BR-2", mail.body_html)
        self.assertIn(self.order.picking_ids.name, mail.body_html)
        self.assertIn("Salmonella", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.customer_clinic)
        # The letter (rendered as HTML under --test-enable, as Odoo does for every report in tests).
        self.assertEqual(mail.attachment_ids.mapped("name"), [f"Recall notice - {recall.name} - Test Clinic.html"])
        clinic.action_acknowledge()
        clinic.qty_returned = 10
        self.assertEqual(clinic.state, "returned")
        self.assertEqual(recall.acknowledged_rate, 50.0)
        self.assertEqual(recall.recovery_rate, 20.0)
        with self.assertRaisesRegex(UserError, "not resolved"):
            recall.with_user(self.recall_manager).action_close()
        recall.with_user(self.recall_manager).action_close("Grocer closed the store; stock destroyed on site")
        self.assertEqual(recall.state, "closed")
        with self.assertRaisesRegex(UserError, "cannot be computed again"):
            recall.action_compute()

    def test_drill_sends_nothing_and_is_timed(self):
        mails_before = self.env["mail.mail"].search_count([])
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-FL-1"].ids, is_drill=True)
        self.assertTrue(recall.name.startswith("DRILL/"))
        self.assertGreaterEqual(recall.time_to_list, 0)
        self.assertTrue(recall.computed_date)
        with self.assertRaisesRegex(UserError, "drill"):
            recall.with_user(self.recall_manager).action_notify()
        with self.assertRaisesRegex(UserError, "drill"):
            recall.with_user(self.recall_manager).action_contain()
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        self.assertEqual(self.chain["T-BR-2"].quality_status, "released")
        recall.action_export_xlsx()
        self.assertTrue(recall.exported_date)
        self.assertGreaterEqual(recall.time_to_export, recall.time_to_list)

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "nothing to recall"):
            self._start(selection_mode="lots")
        company_b = self.env["res.company"].create({"name": "Recall Company B"})
        lot_b = self.env["stock.lot"].create({"name": "B-1", "product_id": self.bread.id, "company_id": company_b.id})
        with self.assertRaisesRegex(UserError, "one company"):
            self.env["trace.recall"].create({"reason": "x", "lot_ids": [(6, 0, (lot_b | self.chain["T-BR-1"]).ids)]})
        with self.assertRaisesRegex(UserError, "at least one suspect lot"):
            self.env["trace.recall"].create({"reason": "x"})

    def test_access(self):
        recall = self._start(selection_mode="lots", lot_ids=self.chain["T-BR-2"].ids)
        trace_user = self._user("rcl_trace_only", "trace_compliance.group_trace_user")
        with self.assertRaises(AccessError):
            recall.with_user(trace_user).read(["name"])
        with self.assertRaises(AccessError):
            self.env["trace.recall.start"].with_user(trace_user).create({"reason": "x"})
        auditor = self._user("rcl_auditor", "trace_compliance.group_trace_auditor")
        self.assertEqual(recall.with_user(auditor).customer_count, 2)
        with self.assertRaises(AccessError):
            recall.with_user(auditor).write({"reason": "changed"})
        company_b = self.env["res.company"].create({"name": "Recall Company C"})
        other = self._user("rcl_other_co", "trace_recall.group_recall_manager", company=company_b)
        self.assertFalse(self.env["trace.recall"].with_user(other).search([("id", "=", recall.id)]))
        # The lines the computation wrote in SQL keep the multi-company rules of their recall.
        for model in ("trace.recall.delivery", "trace.recall.stock", "trace.recall.partner"):
            self.assertTrue(self.env[model].search([("recall_id", "=", recall.id)]), model)
            self.assertFalse(self.env[model].with_user(other).search([("recall_id", "=", recall.id)]), model)
