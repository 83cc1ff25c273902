from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.trace_compliance.compat import PRODUCING_LOT_FIELD, move_vals

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTours(TraceCase, HttpCase):
    """Browser flows in headless Chromium: the genealogy walked from a lot form, a batch
    record signed in the password dialog, and a manufacturing order taken to done by a
    Manufacturing / User who holds no traceability group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bread.trace_batch_record = True
        cls.chain = cls._bakery_chain()
        cls.tracer = cls._user("tour_tracer", "trace_compliance.group_trace_user", name="Tour Tracer")
        cls.signer = cls._user(
            "tour_signer", "trace_compliance.group_trace_user", name="Tour Signer", password="Tour-Signer-2026"
        )

    def test_walk_the_genealogy_from_the_lot_form(self):
        lot = self.chain["T-DO-1"]
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{lot.id}", "trace_genealogy_tour", login="tour_tracer"
        )

    def test_sign_a_batch_record_in_the_password_dialog(self):
        record = self.chain["mo_bread_2"].trace_batch_record_ids
        self.assertEqual((record.state, record.completed), ("draft", True))
        self.start_tour(
            f"/odoo/action-trace_compliance.trace_batch_record_action/{record.id}",
            "trace_batch_record_sign_tour",
            login="tour_signer",
        )
        record.invalidate_recordset()
        self.assertEqual(record.state, "in_review")
        signature = record.signature_ids
        self.assertEqual((signature.signer_id, signature.meaning), (self.signer, "authored"))
        self.assertEqual(signature.comment, "Line log and checks reviewed")
        self.assertTrue(signature.is_valid())

    def test_mrp_user_without_traceability_rights_finishes_an_order(self):
        mrp_user = self._user("tour_mrp_user", "mrp.group_mrp_user,stock.group_production_lot", name="Tour MRP")
        self._receive(self.vendor_mill, [(self.dough, "T-TOUR-DO-1", 200)])
        self._lot(self.bread, "T-TOUR-BR-1")
        production = self.env["mrp.production"].create(
            {"product_id": self.bread.id, "bom_id": self.bom_bread.id, "product_qty": 100}
        )
        self.start_tour(
            f"/odoo/action-mrp.mrp_production_action/{production.id}", "trace_mrp_core_user_tour", login="tour_mrp_user"
        )
        self.assertEqual(production.state, "done")
        self.assertEqual(production[PRODUCING_LOT_FIELD].name, "T-TOUR-BR-1")
        record = self.env["trace.batch.record"].search([("production_id", "=", production.id)])
        self.assertEqual((len(record), record.completed, record.create_uid), (1, True, mrp_user))
        self.assertEqual(record.component_ids.lot_id, production.move_raw_ids.move_line_ids.lot_id)
        self.assertEqual(
            self.env["trace.lot.link"].search([("production_id", "=", production.id)]).child_lot_id.name, "T-TOUR-BR-1"
        )

    def test_trace_map_of_the_demo_flour_lot(self):
        lot = self.env.ref("trace_compliance.demo_lot_flour_nm", raise_if_not_found=False)
        if not lot:
            self.skipTest("installed without demo data")
        self.start_tour(
            f"/odoo/action-stock.action_production_lot_form/{lot.id}", "trace_map_tour", login="tour_tracer"
        )

    def test_receipt_inspection_holds_a_lot_and_the_delivery_reserves_the_other(self):
        """A receipt opens an inspection per lot; an out-of-spec moisture holds its lot; the
        delivery waiting for flour is reserved with the lot that passed, although FIFO would
        take the held one (received first in the same receipt)."""
        self._user("tour_inspector", "trace_compliance.group_trace_user,stock.group_stock_user", name="Tour Inspector")
        flour = self._create_product("Tour Flour", "lot", self.uom_kg)
        self.env["trace.inspection.plan"].create(
            {
                "name": "Tour flour at receipt",
                "at_receipt": True,
                "product_tmpl_ids": [Command.set(flour.product_tmpl_id.ids)],
                "sampling": "all",
                "test_ids": [
                    Command.create(
                        {
                            "name": "Moisture",
                            "test_type": "measure",
                            "uom": "%",
                            "limit_type": "max",
                            "upper_limit": 14.5,
                        }
                    )
                ],
            }
        )
        delivery = self._deliver(self.customer_shop, [], validate=False)
        self.env["stock.move"].create(
            move_vals(
                {
                    "picking_id": delivery.id,
                    "product_id": flour.id,
                    "product_uom_qty": 30,
                    "product_uom": flour.uom_id.id,
                    "location_id": self.stock_location.id,
                    "location_dest_id": self.customer_location.id,
                },
                flour.name,
            )
        )
        delivery.action_confirm()
        self.assertEqual(delivery.state, "confirmed")
        receipt = self._receive(
            self.vendor_mill, [(flour, "T-TOUR-FL-2", 50), (flour, "T-TOUR-FL-3", 50)], validate=False
        )
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
            "trace_inspection_receipt_tour",
            login="tour_inspector",
        )
        held, passed = self._lot(flour, "T-TOUR-FL-2"), self._lot(flour, "T-TOUR-FL-3")
        self.assertEqual((held.quality_status, passed.quality_status), ("on_hold", "released"))
        self.assertIn("Moisture", held.quality_status_reason)
        self.assertEqual(delivery.state, "confirmed")
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{delivery.id}",
            "trace_inspection_delivery_tour",
            login="tour_inspector",
        )
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(delivery.move_ids.move_line_ids.lot_id, passed)
        self.assertEqual(delivery.move_ids.move_line_ids.quantity, 30)
