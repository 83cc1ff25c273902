"""Reservation respects the quality status and the removal date: Odoo never reserves a lot
that is not released for a delivery, a manufacturing order or an internal transfer that is
not a quality move, and takes back the reservations of a lot that goes on hold."""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests import Form, tagged

from odoo.addons.trace_compliance.compat import move_vals

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestReservation(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trace_user = cls._user("rs_trace", "trace_compliance.group_trace_user,stock.group_stock_user")
        # A warehouse user without any group of ours: works as before, but never gets a held lot.
        cls.stock_user = cls._user("rs_stock", "stock.group_stock_user,mrp.group_mrp_user")
        cls._receive(cls.vendor_mill, [(cls.flour, "T-RS-A", 10)])
        cls._receive(cls.vendor_mill, [(cls.flour, "T-RS-B", 10)])
        cls.lot_a = cls._lot(cls.flour, "T-RS-A")
        cls.lot_b = cls._lot(cls.flour, "T-RS-B")
        cls.quality_location = cls.env["stock.location"].create(
            {
                "name": "QC Lab",
                "location_id": cls.warehouse.view_location_id.id,
                "usage": "internal",
                "trace_quality_location": True,
            }
        )
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf 9", "location_id": cls.stock_location.id, "usage": "internal"}
        )

    def _order(self, picking_type, destination, product, qty, user=None, source=None, partner=None, move_values=None):
        """A transfer confirmed and reserved by ``user`` (Odoo chooses the lots)."""
        env = self.env(user=user or self.stock_user)
        picking = (
            env["stock.picking"]
            .with_context(tracking_disable=True)
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": (partner or self.customer_shop).id,
                    "location_id": (source or self.stock_location).id,
                    "location_dest_id": destination.id,
                    "move_ids": [
                        Command.create(
                            move_vals(
                                {
                                    "product_id": product.id,
                                    "product_uom_qty": qty,
                                    "product_uom": product.uom_id.id,
                                    "location_id": (source or self.stock_location).id,
                                    "location_dest_id": destination.id,
                                    **(move_values or {}),
                                },
                                product.name,
                            )
                        )
                    ],
                }
            )
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _delivery(self, qty, **kwargs):
        return self._order(self.warehouse.out_type_id, self.customer_location, self.flour, qty, **kwargs)

    def _reserved(self, document):
        moves = document.move_ids if document._name == "stock.picking" else document.move_raw_ids
        return {line.lot_id.name: line.quantity for line in moves.move_line_ids}

    def _notes(self, document):
        return " ".join(document.message_ids.mapped("body"))

    # ------------------------------------------------------------------
    # what Odoo reserves
    # ------------------------------------------------------------------
    def test_delivery_skips_a_held_lot(self):
        """FIFO would take T-RS-A: on hold, it is left out, and the delivery is ready with B,
        confirmed and reserved by a user without our groups."""
        self.lot_a.with_user(self.trace_user).set_quality_status("on_hold", "Foreign body found")
        delivery = self._delivery(10)
        self.assertEqual(self._reserved(delivery), {"T-RS-B": 10})
        self.assertEqual(delivery.state, "assigned")
        delivery.with_user(self.stock_user).button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(self.lot_a.product_qty, 10)

    def test_released_lots_are_reserved_as_odoo_does(self):
        """Nothing held: Odoo's own choice (FIFO, A first) is unchanged."""
        delivery = self._delivery(15)
        self.assertEqual(self._reserved(delivery), {"T-RS-A": 10, "T-RS-B": 5})

    def test_no_released_stock_leaves_the_delivery_waiting(self):
        for lot in self.lot_a | self.lot_b:
            lot.with_user(self.trace_user).set_quality_status("quarantine", "Awaiting micro results")
        delivery = self._delivery(5)
        self.assertFalse(delivery.move_ids.move_line_ids)
        self.assertEqual(delivery.state, "confirmed")
        self.assertEqual(delivery.move_ids.quantity, 0)

    def test_manufacturing_order_skips_a_held_lot(self):
        self.lot_a.with_user(self.trace_user).set_quality_status("on_hold", "Mould")
        production = Form(self.env["mrp.production"].with_user(self.stock_user))
        production.product_id = self.dough
        production.bom_id = self.bom_dough
        production.product_qty = 10
        production = production.save()
        production.action_confirm()
        production.action_assign()
        flour_lines = production.move_raw_ids.filtered(lambda move: move.product_id == self.flour).move_line_ids
        self.assertEqual(flour_lines.lot_id, self.lot_b)
        self.assertEqual(sum(flour_lines.mapped("quantity")), 9.8)

    def test_internal_transfer_skips_a_held_lot_unless_it_is_a_quality_move(self):
        self.lot_a.with_user(self.trace_user).set_quality_status("on_hold", "Seal broken")
        self.lot_b.with_user(self.trace_user).set_quality_status("on_hold", "Seal broken")
        internal = self.warehouse.int_type_id
        to_shelf = self._order(internal, self.shelf, self.flour, 5)
        self.assertFalse(to_shelf.move_ids.move_line_ids)
        to_lab = self._order(internal, self.quality_location, self.flour, 5)
        self.assertEqual(self._reserved(to_lab), {"T-RS-A": 5})
        to_lab.button_validate()
        self.assertEqual(to_lab.state, "done")

    def test_held_lots_can_be_returned_to_the_vendor_and_scrapped(self):
        self.lot_a.sudo().set_quality_status("rejected", "Out of specification")
        back = self._order(self.warehouse.out_type_id, self.supplier_location, self.flour, 4, partner=self.vendor_mill)
        self.assertEqual(self._reserved(back), {"T-RS-A": 4})
        back.button_validate()
        self.assertEqual(back.state, "done")
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.flour.id,
                "lot_id": self.lot_a.id,
                "scrap_qty": 6,
                "location_id": self.stock_location.id,
            }
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")
        self.assertEqual(self.lot_a.product_qty, 0)

    # ------------------------------------------------------------------
    # a reserved lot goes on hold
    # ------------------------------------------------------------------
    def test_hold_releases_reservations_and_reserves_other_stock(self):
        delivery = self._delivery(8)
        self.assertEqual(self._reserved(delivery), {"T-RS-A": 8})
        self.lot_a.with_user(self.trace_user).set_quality_status("on_hold", "Customer complaint 5521")
        self.assertEqual(self._reserved(delivery), {"T-RS-B": 8})
        self.assertEqual(delivery.state, "assigned")
        notes = self._notes(delivery)
        self.assertIn("Customer complaint 5521", notes)
        self.assertIn("T-RS-A (8 kg)", notes)
        self.assertIn("reserved again: T-RS-B (8 kg)", notes)
        # The quants agree: nothing is reserved on the held lot any more.
        quant_a = self.env["stock.quant"].search(
            [("lot_id", "=", self.lot_a.id), ("location_id", "=", self.stock_location.id)]
        )
        self.assertEqual(quant_a.reserved_quantity, 0)

    def test_hold_without_other_stock_leaves_the_document_waiting(self):
        delivery = self._delivery(15)
        production = Form(self.env["mrp.production"])
        production.product_id = self.dough
        production.bom_id = self.bom_dough
        production.product_qty = 5
        production = production.save()
        production.action_confirm()
        production.action_assign()
        self.assertEqual(self._reserved(production).get("T-RS-B"), 4.9)
        # The trace user may not touch manufacturing orders: the release is done for them.
        self.lot_b.with_user(self.trace_user).set_quality_status("quarantine", "Retest")
        self.assertEqual(self._reserved(delivery), {"T-RS-A": 10})
        self.assertEqual(delivery.state, "assigned")  # partially: the move is partially available
        self.assertEqual(delivery.move_ids.state, "partially_available")
        self.assertNotIn("T-RS-B", self._reserved(production))
        self.assertIn("no other released stock to reserve", self._notes(production))
        self.assertIn("Retest", self._notes(production))

    def test_hold_keeps_quality_moves_reserved(self):
        to_lab = self._order(self.warehouse.int_type_id, self.quality_location, self.flour, 5)
        self.lot_a.with_user(self.trace_user).set_quality_status("on_hold", "Sample")
        self.assertEqual(self._reserved(to_lab), {"T-RS-A": 5})

    def test_two_step_delivery_does_not_ship_a_lot_held_after_picking(self):
        """Odoo reserves the shipping step from what was picked (a cached, strict search):
        the filter applies there too."""
        self.warehouse.delivery_steps = "pick_ship"
        output = self.warehouse.wh_output_stock_loc_id
        pick = self._order(self.warehouse.int_type_id, output, self.flour, 5)
        self.assertEqual(self._reserved(pick), {"T-RS-A": 5})
        ship = self._order(
            self.warehouse.out_type_id,
            self.customer_location,
            self.flour,
            5,
            source=output,
            move_values={"move_orig_ids": [Command.link(pick.move_ids.id)]},
        )
        pick.button_validate()
        self.assertEqual(self._reserved(ship), {"T-RS-A": 5})
        self.lot_a.with_user(self.trace_user).set_quality_status("on_hold", "Temperature excursion in dispatch")
        self.assertFalse(ship.move_ids.move_line_ids)
        ship.action_assign()
        self.assertFalse(ship.move_ids.move_line_ids)
        self.assertIn("Temperature excursion in dispatch", self._notes(ship))

    # ------------------------------------------------------------------
    # expiry
    # ------------------------------------------------------------------
    def _expiring_product(self):
        product = self._create_product("Test Yeast", "lot", self.uom_kg)
        product.product_tmpl_id.write({"use_expiration_date": True, "expiration_time": 30, "removal_time": 5})
        return product

    def _receive_expiring(self, product, name, qty, removal_days):
        """A lot that expires in 10 days and must be removed in ``removal_days`` days."""
        now = fields.Datetime.now()
        lot = self.env["stock.lot"].create(
            {
                "name": name,
                "product_id": product.id,
                "company_id": self.company.id,
                "expiration_date": now + timedelta(days=10),
            }
        )
        self._receive(self.vendor_mill, [(product, name, qty)])
        # Received fresh, then time passes: the removal date is where the test wants it.
        lot.removal_date = now + timedelta(days=removal_days)
        return lot

    def test_lot_past_its_removal_date_is_not_delivered(self):
        yeast = self._expiring_product()
        old = self._receive_expiring(yeast, "T-YE-OLD", 5, -1)
        self._receive_expiring(yeast, "T-YE-NEW", 5, 5)
        self.assertTrue(old.removal_date < fields.Datetime.now() < old.expiration_date)
        delivery = self._order(self.warehouse.out_type_id, self.customer_location, yeast, 5)
        self.assertEqual(self._reserved(delivery), {"T-YE-NEW": 5})
        # It can still be scrapped (Odoo 19.0 asks to confirm a scrap of a lot past its removal date).
        self.assertEqual(old.product_qty, 5)
        scrap = self.env["stock.scrap"].create(
            {"product_id": yeast.id, "lot_id": old.id, "scrap_qty": 5, "location_id": self.stock_location.id}
        )
        scrap.do_scrap()
        self.assertEqual(scrap.state, "done")

    def test_daily_job_holds_lots_past_their_removal_date(self):
        yeast = self._expiring_product()
        old = self._receive_expiring(yeast, "T-YE-OLD", 5, -2)
        new = self._receive_expiring(yeast, "T-YE-NEW", 5, 5)
        gone = self._receive_expiring(yeast, "T-YE-GONE", 5, -3)
        scrap = self.env["stock.scrap"].create(
            {"product_id": yeast.id, "lot_id": gone.id, "scrap_qty": 5, "location_id": self.stock_location.id}
        )
        scrap.do_scrap()
        self.assertEqual(gone.product_qty, 0)
        # Chosen by hand for a transfer to a shelf (Odoo 19.0 reserves no lot past its removal date).
        to_shelf = self._transfer(
            self.warehouse.int_type_id,
            self.company.partner_id,
            self.stock_location,
            self.shelf,
            [(yeast, "T-YE-OLD", 5)],
            False,
        )
        self.assertEqual(self._reserved(to_shelf), {"T-YE-OLD": 5})
        held = self.env["stock.lot"]._cron_hold_expired_lots()
        self.assertEqual(held, old)
        self.assertEqual(old.quality_status, "on_hold")
        self.assertIn("Past its removal date", old.quality_status_reason)
        self.assertEqual(new.quality_status, "released")
        self.assertEqual(gone.quality_status, "released")  # no stock left: nothing to hold
        self.assertEqual(self._reserved(to_shelf), {"T-YE-NEW": 5})
        self.assertIn("Past its removal date", self._notes(to_shelf))
        self.assertFalse(self.env["stock.lot"]._cron_hold_expired_lots())

    def test_fefo_takes_the_earliest_released_expiry(self):
        yeast = self._expiring_product()
        self.categ.removal_strategy_id = self.env.ref("product_expiry.removal_fefo")
        late = self._receive_expiring(yeast, "T-YE-LATE", 5, 8)
        early = self._receive_expiring(yeast, "T-YE-EARLY", 5, 2)
        self._receive_expiring(yeast, "T-YE-MID", 5, 4)
        self.assertTrue(late.id < early.id)
        delivery = self._order(self.warehouse.out_type_id, self.customer_location, yeast, 5)
        self.assertEqual(self._reserved(delivery), {"T-YE-EARLY": 5})
        early.with_user(self.trace_user).set_quality_status("on_hold", "Label misprint")
        self.assertEqual(self._reserved(delivery), {"T-YE-MID": 5})
