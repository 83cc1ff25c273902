from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestQualityStatus(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.trace_user = cls._user("qs_user", "trace_compliance.group_trace_user")
        cls.trace_manager = cls._user("qs_manager", "trace_compliance.group_trace_manager")
        cls.stock_user = cls._user("qs_stock", "stock.group_stock_user")

    def test_hold_blocks_delivery_and_changes_nothing(self):
        lot = self.chain["T-BR-2"]
        lot.with_user(self.trace_user).set_quality_status("on_hold", "Metal detector alarm on line 2")
        self.assertEqual(lot.quality_status, "on_hold")
        self.assertEqual(lot.quality_status_user_id, self.trace_user)
        self.assertEqual(lot.quality_status_reason, "Metal detector alarm on line 2")
        delivery = self._deliver(self.customer_shop, [(self.bread, "T-BR-2", 10)], validate=False)
        with self.assertRaisesRegex(UserError, r"(?s)not released.*T-BR-2 \(On Hold\)"):
            delivery.button_validate()
        self.assertNotEqual(delivery.state, "done")
        self.assertEqual(lot.product_qty, 60)

    def test_hold_blocks_manufacturing_order(self):
        lot = self.chain["T-DO-2"]
        lot.with_user(self.trace_user).set_quality_status("quarantine", "Awaiting micro results")
        production = self._produce(self.bom_bread, 10, "T-BR-Q", {self.dough: [("T-DO-2", 8)]}, done=False)
        with self.assertRaisesRegex(UserError, r"(?s)not released.*T-DO-2 \(Quarantine\)"):
            production.button_mark_done()
        self.assertNotEqual(production.state, "done")
        self.assertFalse(self.env["trace.lot.link"].search([("production_id", "=", production.id)]))

    def test_release_needs_a_manager_and_a_reason(self):
        lot = self.chain["T-BR-2"]
        lot.with_user(self.trace_user).set_quality_status("on_hold", "Label check")
        with self.assertRaises(AccessError):
            lot.with_user(self.trace_user).set_quality_status("released", "Looks fine")
        with self.assertRaisesRegex(UserError, "reason is required"):
            lot.with_user(self.trace_manager).set_quality_status("released", "   ")
        with self.assertRaises(AccessError):
            lot.with_user(self.stock_user).set_quality_status("on_hold", "Not my job")
        lot.with_user(self.trace_manager).set_quality_status("released", "Labels verified against spec")
        self.assertEqual(lot.quality_status, "released")
        self.assertEqual(lot.quality_status_user_id, self.trace_manager)
        bodies = " ".join(lot.message_ids.mapped("body"))
        self.assertIn("Labels verified against spec", bodies)
        self.assertIn("Label check", bodies)
        delivery = self._deliver(self.customer_shop, [(self.bread, "T-BR-2", 10)])
        self.assertEqual(delivery.state, "done")

    def test_status_change_wizard(self):
        lots = self.chain["T-BR-1"] | self.chain["T-BR-2"]
        wizard = (
            self.env["trace.lot.status.change"]
            .with_user(self.trace_user)
            .create({"lot_ids": lots.ids, "quality_status": "on_hold", "reason": "Customer complaint 4471"})
        )
        wizard.action_apply()
        self.assertEqual(set(lots.mapped("quality_status")), {"on_hold"})
        self.assertEqual(lots[0].action_open_status_change()["res_model"], "trace.lot.status.change")

    def test_status_is_not_written_directly(self):
        with self.assertRaisesRegex(UserError, "Set Status"):
            self.chain["T-BR-2"].write({"quality_status": "released"})
        with self.assertRaisesRegex(UserError, "Unknown quality status"):
            self.chain["T-BR-2"].set_quality_status("bogus", "x")

    def test_received_lots_start_in_the_product_status(self):
        self.flour.trace_receipt_status = "quarantine"
        self._receive(self.vendor_mill, [(self.flour, "T-FL-Q", 100)])
        lot = self._lot(self.flour, "T-FL-Q")
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertIn("Received on", lot.quality_status_reason)
        # Quarantined flour cannot be consumed.
        production = self._produce(
            self.bom_dough, 10, "T-DO-Q", {self.flour: [("T-FL-Q", 9.8)], self.salt: [("T-SA-1", 0.2)]}, done=False
        )
        with self.assertRaisesRegex(UserError, "T-FL-Q"):
            production.button_mark_done()
        # Released, it can; a second receipt of the same lot does not quarantine it again.
        lot.with_user(self.trace_manager).set_quality_status("released", "CoA checked")
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self._receive(self.vendor_mill, [(self.flour, "T-FL-Q", 50)])
        self.assertEqual(lot.quality_status, "released")
        # Products left at "released" receive released lots.
        self._receive(self.vendor_mill, [(self.salt, "T-SA-NEW", 5)])
        self.assertEqual(self._lot(self.salt, "T-SA-NEW").quality_status, "released")

    def test_transformation_of_a_held_lot_is_refused(self):
        self.chain["T-BR-2"].with_user(self.trace_user).set_quality_status("on_hold", "Seal failure")
        transformation = self.env["trace.lot.transformation"].create(
            {
                "transformation_type": "relabel",
                "location_id": self.stock_location.id,
                "line_ids": [
                    (
                        0,
                        0,
                        {
                            "direction": "input",
                            "product_id": self.bread.id,
                            "lot_id": self.chain["T-BR-2"].id,
                            "quantity": 5,
                        },
                    ),
                    (0, 0, {"direction": "output", "product_id": self.bread.id, "lot_name": "T-BR-X", "quantity": 5}),
                ],
            }
        )
        with self.assertRaisesRegex(UserError, "On Hold"):
            transformation.action_validate()
        self.assertEqual(transformation.state, "draft")
