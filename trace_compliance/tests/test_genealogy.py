from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from ..hooks import post_init_hook
from .common import TraceCase


@tagged("post_install", "-at_install")
class TestGenealogy(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.Link = cls.env["trace.lot.link"]

    def _links(self, lots):
        return {
            (link.parent_lot_id.name, link.child_lot_id.name, link.quantity)
            for link in self.Link.search([("child_lot_id", "in", lots.ids)])
        }

    def test_links_recorded_when_orders_are_done(self):
        chain = self.chain
        self.assertEqual(
            self._links(chain["T-DO-1"] | chain["T-BR-2"]),
            {
                ("T-FL-1", "T-DO-1", 98),
                ("T-SA-1", "T-DO-1", 2),
                ("T-DO-1", "T-BR-2", 20),
                ("T-DO-2", "T-BR-2", 60),
            },
        )
        link = self.Link.search([("child_lot_id", "=", chain["T-BR-2"].id), ("parent_lot_id", "=", chain["T-DO-2"].id)])
        self.assertEqual(link.production_id, chain["mo_bread_2"])
        self.assertEqual(link.link_type, "production")
        self.assertEqual(link.company_id, self.company)

    def test_three_level_forward_trace(self):
        chain = self.chain
        result = chain["T-FL-1"].trace_forward()
        self.assertEqual(set(result), {"lot_ids", "production_ids", "picking_ids", "partner_ids"})
        names = set(self.env["stock.lot"].browse(result["lot_ids"]).mapped("name"))
        self.assertEqual(names, {"T-DO-1", "T-DO-2", "T-BR-1", "T-BR-2"})
        self.assertEqual(
            set(result["production_ids"]),
            set((chain["mo_dough_1"] | chain["mo_dough_2"] | chain["mo_bread_1"] | chain["mo_bread_2"]).ids),
        )
        self.assertEqual(result["picking_ids"], chain["delivery"].ids)
        self.assertEqual(result["partner_ids"], self.customer_shop.ids)

    def test_three_level_backward_trace(self):
        chain = self.chain
        result = chain["T-BR-2"].trace_backward()
        names = set(self.env["stock.lot"].browse(result["lot_ids"]).mapped("name"))
        self.assertEqual(names, {"T-DO-1", "T-DO-2", "T-FL-1", "T-SA-1"})
        self.assertEqual(
            set(result["production_ids"]),
            set((chain["mo_dough_1"] | chain["mo_dough_2"] | chain["mo_bread_2"]).ids),
        )
        self.assertEqual(set(result["picking_ids"]), {chain["receipt_flour"].id, chain["receipt_salt"].id})
        self.assertEqual(set(result["partner_ids"]), {self.vendor_mill.id, self.vendor_salt.id})

    def test_split_and_merge_one_level(self):
        chain = self.chain
        # One flour lot split across two manufacturing orders...
        split = chain["T-FL-1"].trace_forward(max_depth=1)
        self.assertEqual(set(split["lot_ids"]), {chain["T-DO-1"].id, chain["T-DO-2"].id})
        # The orders that consumed the flour, and those that consumed the doughs reached.
        self.assertEqual(
            set(split["production_ids"]),
            set((chain["mo_dough_1"] | chain["mo_dough_2"] | chain["mo_bread_1"] | chain["mo_bread_2"]).ids),
        )
        self.assertEqual(split["picking_ids"], [], "no delivery of a dough lot")
        # ... and two dough lots merged into one loaf lot.
        merged = chain["T-BR-2"].trace_backward(max_depth=1)
        self.assertEqual(set(merged["lot_ids"]), {chain["T-DO-1"].id, chain["T-DO-2"].id})
        self.assertEqual(
            set(merged["production_ids"]), set((chain["mo_bread_2"] | chain["mo_dough_1"] | chain["mo_dough_2"]).ids)
        )
        # A lot never shipped reaches no customer.
        self.assertEqual(chain["T-BR-1"].trace_forward()["partner_ids"], [])
        # Several starting lots: the union, starting lots excluded.
        both = (chain["T-DO-1"] | chain["T-BR-1"]).trace_forward()
        self.assertEqual(set(both["lot_ids"]), {chain["T-BR-2"].id})

    def test_serial_components_into_serial_products(self):
        self._receive(self.vendor_mill, [(self.board, "G-SB-1", 1), (self.board, "G-SB-2", 1)])
        mo_1 = self._produce(self.bom_device, 1, "G-DEV-1", {self.board: [("G-SB-1", 1)]})
        mo_2 = self._produce(self.bom_device, 1, "G-DEV-2", {self.board: [("G-SB-2", 1)]})
        delivery = self._deliver(self.customer_clinic, [(self.device, "G-DEV-2", 1)])
        board_2, device_2 = self._lot(self.board, "G-SB-2"), self._lot(self.device, "G-DEV-2")
        forward = board_2.trace_forward()
        self.assertEqual(forward["lot_ids"], device_2.ids)
        self.assertEqual(forward["production_ids"], mo_2.ids)
        self.assertEqual(forward["picking_ids"], delivery.ids)
        self.assertEqual(forward["partner_ids"], self.customer_clinic.ids)
        self.assertEqual(self._lot(self.board, "G-SB-1").trace_forward()["picking_ids"], [])
        self.assertEqual(device_2.trace_backward()["lot_ids"], board_2.ids)
        self.assertNotIn(mo_1.id, device_2.trace_backward()["production_ids"])

    def test_unbuild_reverses_the_flow(self):
        self._receive(self.vendor_mill, [(self.board, "U-SB-1", 1)])
        production = self._produce(self.bom_device, 1, "U-DEV-1", {self.board: [("U-SB-1", 1)]})
        board, device = self._lot(self.board, "U-SB-1"), self._lot(self.device, "U-DEV-1")
        unbuild = self.env["mrp.unbuild"].create(
            {"product_id": self.device.id, "mo_id": production.id, "lot_id": device.id, "product_qty": 1}
        )
        unbuild.action_unbuild()
        self.assertEqual(board.product_qty, 1, "the board is back in stock")
        self.assertEqual(device.product_qty, 0)
        recovered = self.Link.search([("unbuild_id", "=", unbuild.id)])
        self.assertEqual((recovered.parent_lot_id, recovered.child_lot_id), (device, board))
        self.assertEqual(recovered.link_type, "unbuild")
        self.assertEqual(recovered.production_id, production)
        # The recovered board traces back to the device it came out of; the original link
        # stays, so a recall of the board still reaches whoever had the device.
        self.assertIn(device.id, board.trace_backward()["lot_ids"])
        self.assertIn(device.id, board.trace_forward()["lot_ids"])
        # The board reused in a new device, shipped: the device's forward trace finds it.
        self._produce(self.bom_device, 1, "U-DEV-2", {self.board: [("U-SB-1", 1)]})
        delivery = self._deliver(self.customer_clinic, [(self.device, "U-DEV-2", 1)])
        self.assertIn(delivery.id, device.trace_forward()["picking_ids"])

    def test_rework_cycle_ends(self):
        chain = self.chain
        self._rework_cycles(chain)
        self.assertTrue(
            self.Link.search([("parent_lot_id", "=", chain["T-DO-2"].id), ("child_lot_id", "=", chain["T-DO-2"].id)])
        )
        forward = chain["T-DO-2"].trace_forward()
        self.assertEqual(
            set(forward["lot_ids"]),
            {chain[name].id for name in ("T-BR-2", "T-FL-1", "T-DO-1", "T-BR-1")},
            "the starting lot is excluded even when the cycle comes back to it",
        )
        backward = chain["T-DO-2"].trace_backward(max_depth=50)
        self.assertIn(chain["T-FL-1"].id, backward["lot_ids"])
        explore = self.env["trace.genealogy.explore"].create({"lot_ids": chain["T-DO-2"].ids})
        explore.action_explore()
        self.assertTrue(explore.downstream_line_ids)

    def test_backfill_on_install_is_set_based_and_idempotent(self):
        chain = self.chain
        before = self._links(chain["T-DO-1"] | chain["T-DO-2"] | chain["T-BR-1"] | chain["T-BR-2"])
        # A database where the add-on was not installed yet has no links.
        self.env.cr.execute("DELETE FROM trace_lot_link")
        self.Link.invalidate_model()
        self.assertFalse(chain["T-FL-1"].trace_forward()["lot_ids"])
        post_init_hook(self.env)
        after = self._links(chain["T-DO-1"] | chain["T-DO-2"] | chain["T-BR-1"] | chain["T-BR-2"])
        self.assertEqual(after, before)
        self.assertEqual(self.Link._sync_productions(), 0, "a second run creates nothing")
        self.assertEqual(len(chain["T-FL-1"].trace_forward()["lot_ids"]), 4)

    def test_links_are_never_changed_or_deleted(self):
        link = self.Link.search([("child_lot_id", "=", self.chain["T-DO-1"].id)], limit=1)
        with self.assertRaises(UserError):
            link.write({"quantity": 1})
        with self.assertRaises(UserError):
            link.sudo().unlink()
        with self.assertRaisesRegex(UserError, "genealogy links"):
            self.chain["T-DO-1"].unlink()
        with self.assertRaisesRegex(UserError, "genealogy links"):
            self.chain["mo_dough_1"].sudo()._unlink_except_trace_referenced()
        self.assertTrue(link.exists())

    def test_forward_deliveries_contain_odoo_delivery_ids(self):
        """On a multi-level dataset, every lot's forward trace lists at least the
        deliveries Odoo's own stock.lot.delivery_ids lists."""
        chain = self.chain
        self._deliver(self.customer_clinic, [(self.bread, "T-BR-1", 30)])
        self._produce(self.bom_bread, 50, "T-BR-3", {self.dough: [("T-DO-2", 40)]})
        self._deliver(self.customer_clinic, [(self.bread, "T-BR-3", 10)])
        self._deliver(self.customer_shop, [(self.bread, "T-BR-3", 20)])
        self._receive(self.vendor_mill, [(self.board, "C-SB-1", 1)])
        self._produce(self.bom_device, 1, "C-DEV-1", {self.board: [("C-SB-1", 1)]})
        self._deliver(self.customer_clinic, [(self.device, "C-DEV-1", 1)])
        lots = self.env["stock.lot"].search(
            [("product_id", "in", (self.flour | self.salt | self.dough | self.bread | self.board | self.device).ids)]
        )
        self.assertEqual(len(lots), 9)
        compared = 0
        for lot in lots:
            odoo_deliveries = set(lot.delivery_ids.ids)
            ours = set(lot.trace_forward()["picking_ids"])
            self.assertLessEqual(odoo_deliveries, ours, lot.name)
            compared += bool(odoo_deliveries)
        self.assertEqual(compared, 9, "every lot of the dataset reaches a customer")
        self.assertEqual(len(chain["T-FL-1"].trace_forward()["picking_ids"]), 4)

    def test_genealogy_explorer_levels(self):
        chain = self.chain
        explore = self.env["trace.genealogy.explore"].create({"lot_ids": chain["T-FL-1"].ids})
        action = explore.action_explore()
        self.assertEqual(action["res_id"], explore.id)
        levels = {(line.level, line.lot_id.name) for line in explore.downstream_line_ids}
        self.assertEqual(levels, {(1, "T-DO-1"), (1, "T-DO-2"), (2, "T-BR-1"), (2, "T-BR-2")})
        line = explore.downstream_line_ids.filtered(
            lambda ln: ln.lot_id.name == "T-BR-2" and ln.from_lot_id.name == "T-DO-2"
        )
        self.assertEqual(line.production_id, chain["mo_bread_2"])
        self.assertEqual(line.quantity, 60)
        self.assertEqual(line.action_open_document()["res_id"], chain["mo_bread_2"].id)
        self.assertEqual((explore.customer_count, explore.delivery_count, explore.production_count), (1, 1, 4))
        self.assertEqual(explore.action_open_customers()["domain"], [("id", "in", self.customer_shop.ids)])
        # From the other end: upstream to the vendors.
        back = self.env["trace.genealogy.explore"].create({"lot_ids": chain["T-BR-2"].ids})
        back.action_explore()
        self.assertEqual(
            {(line.level, line.lot_id.name) for line in back.upstream_line_ids},
            {(1, "T-DO-1"), (1, "T-DO-2"), (2, "T-FL-1"), (2, "T-SA-1")},
        )
        self.assertEqual(back.vendor_count, 2)

    def test_lot_smart_buttons(self):
        chain = self.chain
        dough = chain["T-DO-1"]
        self.assertEqual(
            (dough.trace_upstream_count, dough.trace_downstream_count, dough.trace_customer_count), (2, 2, 1)
        )
        self.assertEqual(set(dough.action_open_upstream()["domain"][0][2]), {chain["T-FL-1"].id, chain["T-SA-1"].id})
        self.assertEqual(chain["mo_bread_2"].trace_consumed_lot_ids, chain["T-DO-1"] | chain["T-DO-2"])
        action = chain["delivery"].action_trace_lots()
        explore = self.env["trace.genealogy.explore"].browse(action["res_id"])
        self.assertEqual(explore.lot_ids, chain["T-BR-2"])
        self.assertEqual(explore.vendor_count, 2)


@tagged("post_install", "-at_install")
class TestLotTransformation(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.trace_user = cls._user("trf_user", "trace_compliance.group_trace_user")

    def _transformation(self, kind, inputs, outputs):
        return (
            self.env["trace.lot.transformation"]
            .with_user(self.trace_user)
            .create(
                {
                    "transformation_type": kind,
                    "location_id": self.stock_location.id,
                    "line_ids": [
                        Command.create(
                            {"direction": "input", "product_id": p.id, "lot_id": self._lot(p, n).id, "quantity": q}
                        )
                        for p, n, q in inputs
                    ]
                    + [
                        Command.create({"direction": "output", "product_id": p.id, "lot_name": n, "quantity": q})
                        for p, n, q in outputs
                    ],
                }
            )
        )

    def test_split_moves_stock_and_links_genealogy(self):
        chain = self.chain
        split = self._transformation(
            "split", [(self.bread, "T-BR-2", 60)], [(self.bread, "T-BR-2A", 20), (self.bread, "T-BR-2B", 40)]
        )
        self.assertTrue(split.name.startswith("TRF/"))
        split.action_validate()
        self.assertEqual(split.state, "done")
        self.assertEqual(split.validated_by_id, self.trace_user)
        part_a = self._lot(self.bread, "T-BR-2A")
        self.assertEqual(chain["T-BR-2"].product_qty, 0)
        self.assertEqual(part_a.product_qty, 20)
        self.assertEqual(
            {(link.child_lot_id.name, link.quantity) for link in split.link_ids}, {("T-BR-2A", 20), ("T-BR-2B", 40)}
        )
        # Traces go through the transformation like through a manufacturing order.
        self.assertIn(part_a.id, chain["T-FL-1"].trace_forward()["lot_ids"])
        self.assertIn(chain["T-FL-1"].id, part_a.trace_backward()["lot_ids"])
        delivery = self._deliver(self.customer_clinic, [(self.bread, "T-BR-2A", 5)])
        self.assertIn(delivery.id, chain["T-SA-1"].trace_forward()["picking_ids"])
        with self.assertRaises(UserError):
            split.write({"transformation_type": "merge"})
        with self.assertRaises(UserError):
            split.unlink()

    def test_merge_and_relabel(self):
        merge = self._transformation(
            "merge", [(self.dough, "T-DO-2", 20), (self.flour, "T-FL-1", 4)], [(self.dough, "T-DO-M", 24)]
        )
        merge.action_validate()
        merged = self._lot(self.dough, "T-DO-M")
        self.assertEqual(
            set(merged.trace_backward(max_depth=1)["lot_ids"]), {self.chain["T-DO-2"].id, self.chain["T-FL-1"].id}
        )
        relabel = self._transformation("relabel", [(self.dough, "T-DO-M", 24)], [(self.dough, "T-DO-R", 24)])
        relabel.action_validate()
        self.assertIn(self.chain["T-FL-1"].id, self._lot(self.dough, "T-DO-R").trace_backward()["lot_ids"])

    def test_bad_transformations_are_refused_and_change_nothing(self):
        chain = self.chain
        cases = [
            ("split", [(self.bread, "T-BR-2", 60)], [(self.bread, "T-BR-2A", 60)], "split turns one"),
            ("merge", [(self.bread, "T-BR-2", 10)], [(self.bread, "T-BR-2M", 10)], "merge turns two"),
            ("relabel", [(self.bread, "T-BR-2", 10)], [(self.bread, "T-BR-2R", 9)], "relabel keeps"),
            ("repack", [(self.bread, "T-BR-2", 500)], [(self.bread, "T-BR-2P", 500)], "available"),
            ("repack", [(self.bread, "T-BR-2", 0)], [(self.bread, "T-BR-2P", 1)], "above zero"),
            ("repack", [], [(self.bread, "T-BR-2P", 1)], "at least one input"),
        ]
        for kind, inputs, outputs, message in cases:
            with self.subTest(kind=kind, message=message):
                transformation = self._transformation(kind, inputs, outputs)
                links_before = self.env["trace.lot.link"].search_count([])
                with self.assertRaisesRegex(UserError, message):
                    transformation.action_validate()
                self.assertEqual(transformation.state, "draft")
                self.assertEqual(self.env["trace.lot.link"].search_count([]), links_before)
                self.assertEqual(chain["T-BR-2"].product_qty, 60)

    def test_auditor_cannot_transform(self):
        auditor = self._user("trf_auditor", "trace_compliance.group_trace_auditor")
        with self.assertRaises(AccessError):
            self.env["trace.lot.transformation"].with_user(auditor).create({"transformation_type": "repack"})
