"""Each stock flow gives the same deliveries and customers everywhere: the trace, the recall,
its exports and the serial registry (one definition, the trace engine's), and Odoo's own
``delivery_ids`` of the lot is contained in ours."""

from odoo import Command
from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import GROUPS_FIELD, PRODUCING_LOT_FIELD

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestTraceFlows(WarrantyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user[GROUPS_FIELD] += cls.env.ref("stock.group_adv_location") + cls.env.ref("mrp.group_mrp_byproducts")

    # ------------------------------------------------------------------
    # the check every flow ends with
    # ------------------------------------------------------------------
    def _assert_same_everywhere(self, lot, deliveries, customers, serial=None, customer=None):
        """``lot`` reaches exactly ``deliveries`` (transfers) and ``customers`` in the trace, the
        recall and its exports; Odoo's own deliveries of the lot are among ours; with
        ``serial``, the registry says it is at ``customer``."""
        trace = lot.trace_forward()
        self.assertEqual(set(trace["picking_ids"]), set(deliveries.ids), "trace: deliveries")
        self.assertEqual(set(trace["partner_ids"]), set(customers.ids), "trace: customers")
        self.assertLessEqual(set(lot.delivery_ids.ids), set(trace["picking_ids"]), "Odoo's deliveries are ours")

        recall = self.env["trace.recall"].create({"lot_ids": [Command.set(lot.ids)], "reason": "Flow check"})
        recall.with_context(trace_recall_foreground=True).action_compute()
        self.assertEqual(recall.affected_picking_ids, deliveries, "recall: deliveries")
        self.assertEqual(recall.delivery_ids.picking_id, deliveries, "recall: delivery lines")
        self.assertEqual(recall.affected_partner_ids, customers, "recall: customers")
        self.assertEqual(recall.partner_line_ids.partner_id, customers, "recall: customer lines")

        events = list(self.env["trace.recall.export"]._recall_events(recall))
        shipped = {event["reference"] for event in events if event["event"] == "shipping"}
        self.assertEqual(shipped, set(deliveries.mapped("name")), "exports: shipping events")
        shipped_to = {event["partner_id"] for event in events if event["event"] == "shipping"}
        self.assertEqual(shipped_to, set(customers.ids), "exports: ship-to")

        explore = self.env["trace.genealogy.explore"].create({"lot_ids": [Command.set(lot.ids)]})
        explore.action_explore()
        self.assertEqual((explore.delivery_count, explore.customer_count), (len(deliveries), len(customers)))
        if serial:
            self.assertEqual(serial.customer_id, customer or self.env["res.partner"], "registry: customer")
        return trace

    def _validate(self, picking, lines):
        """Validate ``picking`` with exactly ``lines`` = [(product, lot name, quantity)]."""
        for move in picking.move_ids:
            move.move_line_ids.unlink()
            self._add_move_lines(move, [(name, qty) for product, name, qty in lines if product == move.product_id])
        picking.button_validate()
        self.assertEqual(picking.state, "done", picking.name)
        return picking

    # ------------------------------------------------------------------
    # flows
    # ------------------------------------------------------------------
    def test_dropship(self):
        """Vendor to customer directly: a receipt and a delivery at once; the customer is the
        move's destination address (the transfer's partner is the vendor)."""
        if self.env["ir.module.module"]._get("stock_dropshipping").state != "installed":
            self.skipTest("stock_dropshipping is not installed (make test installs it)")
        dropship_type = self.env["stock.picking.type"].search(
            [("code", "=", "dropship"), ("company_id", "=", self.company.id)], limit=1
        )
        picking = self._transfer(
            dropship_type,
            self.vendor_mill,
            self.supplier_location,
            self.customer_location,
            [(self.device, "FLOW-DS-1", 1)],
            validate=False,
        )
        picking.move_ids.partner_id = self.customer_lab
        picking.button_validate()
        serial = self._lot(self.device, "FLOW-DS-1")
        self.assertEqual(
            self.env["trace.engine"]._filter_lines(picking.move_line_ids, "receipt"), picking.move_line_ids
        )
        self._assert_same_everywhere(serial, picking, self.customer_lab, serial, self.customer_lab)
        backward = serial.trace_backward()
        self.assertEqual((backward["picking_ids"], backward["partner_ids"]), (picking.ids, self.vendor_mill.ids))

    def test_multi_step_delivery(self):
        """Pick, pack, ship: only the last step leaves the warehouse."""
        self.warehouse.delivery_steps = "pick_pack_ship"
        self._receive(self.vendor_mill, [(self.flour, "FLOW-MS-1", 50)])
        serial = self._build_device("FLOW-MS-SN", "FLOW-MS-SB")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_shop.id,
                "order_line": [
                    Command.create({"product_id": self.flour.id, "product_uom_qty": 20}),
                    Command.create({"product_id": self.device.id, "product_uom_qty": 1}),
                ],
            }
        )
        order.action_confirm()
        lines = [(self.flour, "FLOW-MS-1", 20), (self.device, "FLOW-MS-SN", 1)]
        for step in (self.warehouse.pick_type_id, self.warehouse.pack_type_id, self.warehouse.out_type_id):
            picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
            self.assertEqual(picking.picking_type_id, step)
            picking.action_assign()
            self._validate(picking, lines)
            if step != self.warehouse.out_type_id:
                self.assertFalse(serial.customer_id, "still in the warehouse")
        steps = order.picking_ids
        self.assertEqual(len(steps), 3)
        ship = steps.filtered(lambda p: p.picking_type_id == self.warehouse.out_type_id)
        lot = self._lot(self.flour, "FLOW-MS-1")
        self._assert_same_everywhere(lot, ship, self.customer_shop)
        self._assert_same_everywhere(serial, ship, self.customer_shop, serial, self.customer_shop)

    def test_customer_return_and_redelivery(self):
        """Delivered, returned with Odoo's return wizard, delivered to another customer: both
        deliveries and both customers; the return is neither; the registry follows."""
        serial = self._build_device("FLOW-RT-1", "FLOW-RT-SB-1")
        first = self._sell(self.customer_clinic, [(self.device, "FLOW-RT-1", 1)]).picking_ids
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=first.id, active_ids=first.ids, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        returned = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self._validate(returned, [(self.device, "FLOW-RT-1", 1)])
        self.assertFalse(serial.customer_id)
        self._assert_same_everywhere(serial, first, self.customer_clinic, serial)
        second = self._sell(self.customer_lab, [(self.device, "FLOW-RT-1", 1)]).picking_ids
        self._assert_same_everywhere(
            serial, first | second, self.customer_clinic | self.customer_lab, serial, self.customer_lab
        )

    def test_inter_company(self):
        """A delivery to a sister company goes through the inter-company transit location: it
        is a delivery to that company; its receipt there is a receipt from us."""
        self.env.user[GROUPS_FIELD] += self.env.ref("base.group_multi_company")
        sister = self.env["res.company"].create({"name": "Test Sister Company"})
        self.env.user.company_ids += sister
        transit = self.env.ref("stock.stock_location_inter_company")
        self.assertEqual(sister.partner_id.with_company(self.company).property_stock_customer, transit)
        lot = self.env["stock.lot"].create({"name": "FLOW-IC-1", "product_id": self.flour.id, "company_id": False})
        self._receive(self.vendor_mill, [(self.flour, "FLOW-IC-1", 30)])
        delivery = self._transfer(
            self.warehouse.out_type_id,
            sister.partner_id,
            self.stock_location,
            transit,
            [(self.flour, "FLOW-IC-1", 30)],
        )
        self._assert_same_everywhere(lot, delivery, sister.partner_id)
        serial = self._build_device("FLOW-IC-SN", "FLOW-IC-SB")
        serial_delivery = self._transfer(
            self.warehouse.out_type_id,
            sister.partner_id,
            self.stock_location,
            transit,
            [(self.device, "FLOW-IC-SN", 1)],
        )
        self._assert_same_everywhere(serial, serial_delivery, sister.partner_id, serial, sister.partner_id)
        sister_warehouse = self.env["stock.warehouse"].search([("company_id", "=", sister.id)], limit=1)
        receipt = (
            self.env["stock.picking"]
            .with_company(sister)
            .create(
                {
                    "picking_type_id": sister_warehouse.in_type_id.id,
                    "partner_id": self.company.partner_id.id,
                    "location_id": transit.id,
                    "location_dest_id": sister_warehouse.lot_stock_id.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": self.flour.id,
                                "product_uom_qty": 30,
                                "product_uom": self.flour.uom_id.id,
                                "location_id": transit.id,
                                "location_dest_id": sister_warehouse.lot_stock_id.id,
                            }
                        )
                    ],
                }
            )
        )
        receipt.action_confirm()
        self._validate(receipt, [(self.flour, "FLOW-IC-1", 30)])
        backward = lot.trace_backward()
        self.assertIn(receipt.id, backward["picking_ids"])
        self.assertIn(self.company.partner_id.id, backward["partner_ids"])

    def test_kit(self):
        """A kit (phantom BoM) is delivered as its components: the component lot reaches the
        customer of the kit."""
        kit = self._create_product("Test Starter Kit", "none", self.uom_unit)
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": kit.product_tmpl_id.id,
                "product_qty": 1,
                "type": "phantom",
                "bom_line_ids": [Command.create({"product_id": self.device.id, "product_qty": 1})],
            }
        )
        serial = self._build_device("FLOW-KIT-1", "FLOW-KIT-SB-1")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_clinic.id,
                "order_line": [Command.create({"product_id": kit.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        self.assertEqual(order.picking_ids.move_ids.product_id, self.device)
        self._validate(order.picking_ids, [(self.device, "FLOW-KIT-1", 1)])
        self._assert_same_everywhere(serial, order.picking_ids, self.customer_clinic, serial, self.customer_clinic)
        board = self._lot(self.board, "FLOW-KIT-SB-1")
        self._assert_same_everywhere(board, order.picking_ids, self.customer_clinic)

    def test_by_product(self):
        """A by-product lot made from a component lot is in the component's trace, with its
        deliveries."""
        bran = self._create_product("Test Bran", "lot", self.uom_kg)
        self.bom_dough.byproduct_ids = [Command.create({"product_id": bran.id, "product_qty": 5})]
        self._receive(self.vendor_mill, [(self.flour, "FLOW-BP-FL", 100)])
        self._receive(self.vendor_salt, [(self.salt, "FLOW-BP-SA", 2)])
        production = self._produce(
            self.bom_dough,
            100,
            "FLOW-BP-DO",
            {self.flour: [("FLOW-BP-FL", 98)], self.salt: [("FLOW-BP-SA", 2)]},
            done=False,
        )
        byproduct = production.move_byproduct_ids
        byproduct.move_line_ids.unlink()
        self._add_move_lines(byproduct, [("FLOW-BP-BR", 5)])
        byproduct.picked = True
        production.button_mark_done()
        bran_lot = self._lot(bran, "FLOW-BP-BR")
        flour_lot = self._lot(self.flour, "FLOW-BP-FL")
        self.assertIn(bran_lot.id, flour_lot.trace_forward()["lot_ids"])
        delivery = self._deliver(self.customer_shop, [(bran, "FLOW-BP-BR", 5)])
        self._assert_same_everywhere(flour_lot, delivery, self.customer_shop)

    def test_scrap(self):
        """Scrapped quantities are not deliveries; the delivery of the rest is."""
        self._receive(self.vendor_mill, [(self.flour, "FLOW-SC-1", 40)])
        lot = self._lot(self.flour, "FLOW-SC-1")
        scrap = self.env["stock.scrap"].create(
            {"product_id": self.flour.id, "lot_id": lot.id, "scrap_qty": 5, "location_id": self.stock_location.id}
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")
        delivery = self._deliver(self.customer_shop, [(self.flour, "FLOW-SC-1", 35)])
        self._assert_same_everywhere(lot, delivery, self.customer_shop)

    def test_unbuild(self):
        """A returned device is unbuilt and its board goes into another device: the board
        reaches the customers of both devices; the unbuilt device is with nobody."""
        first = self._build_device("FLOW-UB-1", "FLOW-UB-SB-1")
        delivery_1 = self._sell(self.customer_clinic, [(self.device, "FLOW-UB-1", 1)]).picking_ids
        self._return(self.customer_clinic, self.device, "FLOW-UB-1")
        unbuild = self.env["mrp.unbuild"].create(
            {
                "product_id": self.device.id,
                "bom_id": self.bom_device.id,
                "product_qty": 1,
                "lot_id": first.id,
                "mo_id": self.env["mrp.production"].search([(PRODUCING_LOT_FIELD, "=", first.id)]).id,
            }
        )
        unbuild.action_unbuild()
        board = self._lot(self.board, "FLOW-UB-SB-1")
        self._produce(self.bom_device, 1, "FLOW-UB-2", {self.board: [("FLOW-UB-SB-1", 1)]})
        second = self._lot(self.device, "FLOW-UB-2")
        delivery_2 = self._sell(self.customer_lab, [(self.device, "FLOW-UB-2", 1)]).picking_ids
        self._assert_same_everywhere(board, delivery_1 | delivery_2, self.customer_clinic | self.customer_lab)
        self._assert_same_everywhere(first, delivery_1 | delivery_2, self.customer_clinic | self.customer_lab, first)
        self.assertEqual(second.customer_id, self.customer_lab)


@tagged("post_install", "-at_install")
class TestDeliveryHook(WarrantyCase):
    """Another add-on redefines a delivery in one place (``trace.engine._get_delivery_domain``)
    and the trace, the recall, its exports, the explorer and the serial registry all follow."""

    def _ship_on_consignment(self):
        """The serial HOOK-1 goes on consignment to the lab: an internal transfer."""
        consignment = self.env["stock.location"].create(
            {"name": "Consignment at Test Lab", "usage": "internal", "location_id": self.warehouse.view_location_id.id}
        )
        serial = self._build_device("HOOK-1", "HOOK-SB-1")
        picking = self._transfer(
            self.warehouse.int_type_id,
            self.customer_lab,
            self.stock_location,
            consignment,
            [(self.device, "HOOK-1", 1)],
            validate=False,
        )
        return serial, picking

    def test_an_internal_transfer_delivers_nothing(self):
        serial, picking = self._ship_on_consignment()
        picking.button_validate()
        self.assertFalse(picking._trace_is_delivery())
        self._assert_same_everywhere(serial, self.env["stock.picking"], self.env["res.partner"], serial)

    def test_overriding_the_delivery_hook(self):
        serial, picking = self._ship_on_consignment()
        consignment = picking.location_dest_id
        self.assertFalse(picking.move_line_ids.trace_is_delivery)
        engine_class = type(self.env["trace.engine"])
        original = engine_class._get_delivery_domain

        def consignment_is_delivered(engine):
            return ["|", ("location_dest_id", "=", consignment.id), *original(engine)]

        self.patch(engine_class, "_get_delivery_domain", consignment_is_delivered)
        # What an add-on overriding a hook does on install: the lines already there follow.
        self.assertTrue(self.env["trace.engine"]._store_line_kinds())
        self.assertTrue(picking.move_line_ids.trace_is_delivery)
        picking.button_validate()
        self.assertTrue(picking._trace_is_delivery())
        self._assert_same_everywhere(serial, picking, self.customer_lab, serial, self.customer_lab)

    _assert_same_everywhere = TestTraceFlows._assert_same_everywhere
