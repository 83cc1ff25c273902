"""Users who hold only Odoo's own groups work as if the suite were not installed.

Every flow here is walked by a user with none of our groups: a Manufacturing / User
confirms, produces and finishes an order that gets a batch record, unbuilds and scraps; an
Inventory / User receives and delivers tracked lots with certificate requirements and
holds in force, returns a delivery, adjusts the inventory and edits lots. What the suite
does on their behalf (batch records, genealogy links, quality statuses, audit entries)
happens; what they may not read never reaches them (forms and ``read`` of every field).
"""

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from odoo.addons.trace_compliance.compat import PRODUCING_LOT_FIELD, producing_lot_vals

from .common_certificate import CertificateCase

TRACE_GROUPS = (
    "trace_compliance.group_trace_user",
    "trace_compliance.group_trace_manager",
    "trace_compliance.group_trace_auditor",
)


@tagged("post_install", "-at_install")
class TestCoreUsers(CertificateCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bread.trace_batch_record = True
        cls.mrp_user = cls._user("core_mrp", "mrp.group_mrp_user,stock.group_production_lot", name="Core MRP User")
        cls.stock_user = cls._user(
            "core_stock", "stock.group_stock_user,stock.group_production_lot", name="Core Stock User"
        )
        for user in (cls.mrp_user, cls.stock_user):
            assert not any(user.has_group(group) for group in TRACE_GROUPS), user.login
        cls._receive(cls.vendor_mill, [(cls.dough, "T-CU-DO-1", 200)])

    # ------------------------------------------------------------------
    # Manufacturing / User
    # ------------------------------------------------------------------
    def _produce_as(self, user, lot_name, qty=100):
        """Create, confirm, produce and finish an order of bread in the form, as ``user``."""
        form = Form(self.env["mrp.production"].with_user(user))
        form.product_id = self.bread
        form.bom_id = self.bom_bread
        form.product_qty = qty
        production = form.save()
        production.action_confirm()
        self.assertEqual(production.state, "confirmed")
        lot = self.env["stock.lot"].with_user(user).create({"name": lot_name, "product_id": self.bread.id})
        form = Form(production)
        form.qty_producing = qty
        form[PRODUCING_LOT_FIELD] = lot
        production = form.save()
        self.assertEqual(production.move_raw_ids.move_line_ids.lot_id.name, "T-CU-DO-1")
        result = production.button_mark_done()
        self.assertIs(result, True)
        self.assertEqual(production.state, "done")
        return production, lot

    def test_mrp_user_confirms_and_finishes_an_order_with_a_batch_record(self):
        production, lot = self._produce_as(self.mrp_user, "T-CU-BR-1")
        record = self.env["trace.batch.record"].search([("production_id", "=", production.id)])
        self.assertEqual(len(record), 1, "confirming the order created its batch record")
        self.assertTrue(record.completed, "finishing the order filled it")
        self.assertEqual(record.lot_ids, lot)
        self.assertEqual(record.component_ids.lot_id.name, "T-CU-DO-1")
        self.assertEqual(
            record.create_uid, self.mrp_user, "the batch record is the user's, made with the suite's rights"
        )
        links = self.env["trace.lot.link"].search([("production_id", "=", production.id)])
        self.assertEqual((links.parent_lot_id.name, links.child_lot_id), ("T-CU-DO-1", lot))
        # The user never meets the batch record: no field of it in the order's form or read().
        as_user = production.with_user(self.mrp_user)
        # What read() returns (every field the user may read): on 19.0 reading them all at
        # once also needs Odoo's own right on journal entries (the order's wip_move_ids).
        readable = as_user.fields_get()
        self.assertNotIn("trace_batch_record_ids", readable)
        self.assertNotIn("trace_batch_record_count", readable)
        self.assertEqual(as_user.read(["name", "state"])[0]["state"], "done")
        form_fields = as_user.get_views([(False, "form")])["models"]["mrp.production"]["fields"]
        self.assertNotIn("trace_batch_record_count", form_fields)
        with self.assertRaises(AccessError):
            record.with_user(self.mrp_user).read(["name"])

    def test_order_changed_after_confirmation_by_a_mrp_user(self):
        production = (
            self.env["mrp.production"]
            .with_user(self.mrp_user)
            .create({"product_id": self.bread.id, "bom_id": self.bom_bread.id, "product_qty": 50})
        )
        production.action_confirm()
        self.env["change.production.qty"].with_user(self.mrp_user).create(
            {"mo_id": production.id, "product_qty": 60}
        ).change_prod_qty()
        self.assertEqual(production.product_qty, 60)
        with Form(production) as form:
            form.origin = "Rush order"
        production.action_confirm()  # again: still one batch record
        self.assertEqual(self.env["trace.batch.record"].search_count([("production_id", "=", production.id)]), 1)
        production.action_cancel()
        self.assertEqual(production.state, "cancel")

    def test_mrp_user_unbuilds_and_scraps(self):
        production, lot = self._produce_as(self.mrp_user, "T-CU-BR-2")
        unbuild = (
            self.env["mrp.unbuild"]
            .with_user(self.mrp_user)
            .create({"product_id": self.bread.id, "mo_id": production.id, "lot_id": lot.id, "product_qty": 10})
        )
        unbuild.action_unbuild()
        self.assertEqual(unbuild.state, "done")
        links = self.env["trace.lot.link"].search([("unbuild_id", "=", unbuild.id)])
        self.assertEqual((links.parent_lot_id, links.child_lot_id.name), (lot, "T-CU-DO-1"))
        scrap = (
            self.env["stock.scrap"]
            .with_user(self.mrp_user)
            .create(
                {"product_id": self.bread.id, "lot_id": lot.id, "scrap_qty": 5, "location_id": self.stock_location.id}
            )
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")

    def test_component_on_hold_stops_a_mrp_user_with_the_usual_message(self):
        self.env["stock.lot"].search([("name", "=", "T-CU-DO-1")]).set_quality_status("on_hold", "Complaint")
        production = (
            self.env["mrp.production"]
            .with_user(self.mrp_user)
            .create({"product_id": self.bread.id, "bom_id": self.bom_bread.id, "product_qty": 100})
        )
        production.action_confirm()
        held = self.env["stock.lot"].search([("name", "=", "T-CU-DO-1")])
        dough = production.move_raw_ids.filtered(lambda move: move.product_id == self.dough)
        # Odoo never reserves the held lot for them ...
        self.assertNotIn(held, dough.move_line_ids.lot_id)
        # ... and when they choose it by hand, finishing the order is refused as before.
        dough.move_line_ids.with_user(self.mrp_user).unlink()
        self.env["stock.move.line"].with_user(self.mrp_user).create(
            {
                "move_id": dough.id,
                "product_id": self.dough.id,
                "product_uom_id": dough.product_uom.id,
                "location_id": dough.location_id.id,
                "location_dest_id": dough.location_dest_id.id,
                "lot_id": held.id,
                "quantity": 80,
            }
        )
        lot = self.env["stock.lot"].with_user(self.mrp_user).create({"name": "T-CU-BR-3", "product_id": self.bread.id})
        production.write(dict(producing_lot_vals(lot), qty_producing=100))
        production.move_raw_ids.picked = True
        with self.assertRaises(UserError) as refused:
            production.button_mark_done()
        self.assertRegex(str(refused.exception), r"not released:\n- .*Test Dough: T-CU-DO-1 \(On Hold\)")

    # ------------------------------------------------------------------
    # Inventory / User
    # ------------------------------------------------------------------
    def _transfer_as(self, user, picking_type, partner, source, destination, lines):
        """A transfer typed by ``user``, ready to validate: ``lines`` = [(product, quantity,
        move line values: the lot chosen or named)], one move and one line each."""
        picking = (
            self.env["stock.picking"]
            .with_user(user)
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "partner_id": partner.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "move_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "product_uom": product.uom_id.id,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                            }
                        )
                        for product, qty, _values in lines
                    ],
                }
            )
        )
        picking.action_confirm()
        for move, (product, qty, values) in zip(picking.move_ids, lines, strict=True):
            move.move_line_ids.unlink()
            self.env["stock.move.line"].with_user(user).create(
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "product_uom_id": product.uom_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "quantity": qty,
                    "picked": True,
                    **values,
                }
            )
        return picking

    def _receipt_as(self, user, lines):
        """A receipt from the mill of [(product, lot name, quantity, vendor lot)], typed by ``user``."""
        return self._transfer_as(
            user,
            self.warehouse.in_type_id,
            self.vendor_mill,
            self.supplier_location,
            self.stock_location,
            [
                (product, qty, {"lot_name": lot_name, "vendor_lot_number": vendor_lot})
                for product, lot_name, qty, vendor_lot in lines
            ],
        )

    def _delivery_as(self, user, product, lot, qty):
        return self._transfer_as(
            user,
            self.warehouse.out_type_id,
            self.customer_shop,
            self.stock_location,
            self.customer_location,
            [(product, qty, {"lot_id": lot.id})],
        )

    def test_stock_user_receipt_refused_for_a_blocking_certificate_requirement(self):
        self._require(self.flour, self.coa, stage="receipt", enforcement="block")
        picking = self._receipt_as(self.stock_user, [(self.flour, "T-CU-FL-1", 50, "MILL-77")])
        with self.assertRaises(UserError) as refused:
            picking.button_validate()
        self.assertRegex(
            str(refused.exception), r"(?s)lack a valid certificate.*lot T-CU-FL-1: .*Certificate of Analysis"
        )
        self.assertEqual(picking.state, "assigned")
        self.assertFalse(self.env["stock.lot"].search([("name", "=", "T-CU-FL-1")]))

    def test_stock_user_receipt_with_a_warning_requirement_quarantines_the_lot(self):
        self._require(self.flour, self.coa, stage="receipt", enforcement="warn")
        picking = self._receipt_as(self.stock_user, [(self.flour, "T-CU-FL-2", 50, "MILL-78")])
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        lot = self.env["stock.lot"].search([("name", "=", "T-CU-FL-2")])
        self.assertEqual(lot.vendor_lot_number, "MILL-78", "the vendor's lot number is captured for them")
        self.assertEqual((lot.quality_status, lot.trace_awaiting_certificate), ("quarantine", True))
        self.assertTrue(picking.message_ids.filtered(lambda message: "without the certificates" in message.body))
        audit = self.env["trace.audit.log"].search([("model", "=", "stock.lot"), ("res_id", "=", lot.id)])
        self.assertTrue(audit, "creating the lot was audited on the user's behalf")
        self.assertEqual(set(audit.mapped("user_id")) & {self.stock_user}, {self.stock_user})

    def test_stock_user_delivers_released_lots_and_is_refused_held_ones(self):
        self._receive(self.vendor_mill, [(self.flour, "T-CU-FL-3", 50), (self.flour, "T-CU-FL-4", 50)])
        held = self._lot(self.flour, "T-CU-FL-3")
        held.set_quality_status("on_hold", "Foreign matter complaint")
        refused = self._delivery_as(self.stock_user, self.flour, held, 10)
        with self.assertRaises(UserError) as caught:
            refused.button_validate()
        self.assertRegex(str(caught.exception), r"not released:\n- .*Test Flour: T-CU-FL-3 \(On Hold\)")
        self.assertEqual(refused.state, "assigned")
        released = self._lot(self.flour, "T-CU-FL-4")
        delivery = self._delivery_as(self.stock_user, self.flour, released, 10)
        self.assertIs(delivery.button_validate(), True)
        self.assertEqual(delivery.state, "done")

        # A blocking requirement before shipment refuses the delivery, with the lot named.
        self._require(self.flour, self.coa, stage="shipment", enforcement="block")
        blocked = self._delivery_as(self.stock_user, self.flour, released, 5)
        with self.assertRaises(UserError) as caught:
            blocked.button_validate()
        self.assertRegex(str(caught.exception), r"(?s)lack a valid certificate.*lot T-CU-FL-4")

        # They return the delivery the usual way.
        wizard = Form(
            self.env["stock.return.picking"]
            .with_user(self.stock_user)
            .with_context(active_id=delivery.id, active_model="stock.picking")
        ).save()
        wizard.product_return_moves.quantity = 10
        returned = wizard._create_return()
        returned.move_ids.picked = True
        self.assertIs(returned.button_validate(), True)
        self.assertEqual(returned.move_line_ids.lot_id, released)

    def test_stock_user_adjusts_the_inventory_and_edits_lots(self):
        self._receive(self.vendor_mill, [(self.flour, "T-CU-FL-5", 50)])
        lot = self._lot(self.flour, "T-CU-FL-5").with_user(self.stock_user)
        quant = (
            self.env["stock.quant"]
            .with_user(self.stock_user)
            .search([("lot_id", "=", lot.id), ("location_id", "=", self.stock_location.id)])
        )
        quant.inventory_quantity = 45
        quant.action_apply_inventory()
        self.assertEqual(quant.quantity, 45)
        lot.write({"ref": "Silo 4", "note": "<p>Checked</p>"})
        self.assertEqual(lot.ref, "Silo 4")
        new_lot = (
            self.env["stock.lot"].with_user(self.stock_user).create({"name": "T-CU-FL-6", "product_id": self.flour.id})
        )
        new_lot.name = "T-CU-FL-6b"
        self.assertEqual(new_lot.quality_status, "released")
        with self.assertRaises(UserError) as caught:
            new_lot.write({"quality_status": "released"})
        self.assertIn("Set Status", str(caught.exception))

    def test_core_users_read_every_field_they_are_shown(self):
        """The forms of the records the suite extends, and every field the suite adds to
        them that the user may read, read at once: nothing of ours is refused or shown."""
        self._receive(self.vendor_mill, [(self.flour, "T-CU-FL-7", 50)])
        lot = self._lot(self.flour, "T-CU-FL-7")
        production = self._produce(self.bom_bread, 10, "T-CU-BR-9", {self.dough: [("T-CU-DO-1", 8)]})
        picking = self.env["stock.picking"].search([("move_line_ids.lot_id", "=", lot.id)], limit=1)
        stock_records = [
            lot,
            picking,
            picking.move_ids[:1],
            self.flour,
            self.flour.product_tmpl_id,
            self.flour.categ_id,
        ]
        ours = ("trace_compliance", "trace_recall", "trace_warranty")
        for user, records in (
            (self.stock_user, stock_records),
            (self.mrp_user, [*stock_records, production, self.bom_bread]),
        ):
            for record in records:
                with self.subTest(user=user.login, model=record._name):
                    as_user = record.with_user(user)
                    if as_user.has_access("write"):  # 19.0's Form refuses a record the user cannot write
                        Form(as_user)
                    readable = as_user.fields_get(attributes=["relation", "type"])
                    # The fields our add-ons' classes of this model define.
                    defined = {
                        name
                        for cls in type(record).mro()
                        if getattr(cls, "_module", None) in ours
                        for name, value in vars(cls).items()
                        if isinstance(value, fields.Field)
                    }
                    names = [name for name in readable if name in defined]
                    if names:  # read([]) would read every field, Odoo's own included
                        self.assertEqual(as_user.read(names)[0]["id"], record.id)
                    self.assertFalse({"trace_upstream_count", "trace_certificate_count"} & set(readable))
                    # A many2one shows a name (read as superuser); a list of records they may
                    # not read would be refused.
                    closed = [
                        name
                        for name, field in readable.items()
                        if field["type"] in ("one2many", "many2many")
                        and not self.env[field["relation"]].with_user(user).has_access("read")
                        and field["relation"].startswith("trace.")
                    ]
                    self.assertFalse(closed, "no list of theirs holds records they may not read")

    def test_partners_and_products_archived_by_core_users(self):
        """Archiving works as before, except for a partner that evidence names: the refusal
        says what refers to it, although the user cannot read it."""
        salesman = self._user("core_sales", "sales_team.group_sale_salesman,base.group_partner_manager")
        # Products are changed by Inventory / Administrators (18.0) or Product / Create (19.0).
        stock_manager = self._user("core_stock_manager", "stock.group_stock_manager,product.group_product_manager")
        walk_in = self.env["res.partner"].create({"name": "Walk-in Customer"})
        walk_in.with_user(salesman).action_archive()
        self.assertFalse(walk_in.active)
        self._receive(self.vendor_salt, [(self.salt, "T-CU-SA-1", 10)])
        self._certificate(self._lot(self.salt, "T-CU-SA-1"), partner_id=self.vendor_salt.id)
        with self.assertRaises(UserError) as caught:
            self.vendor_salt.with_user(salesman).action_archive()
        self.assertRegex(str(caught.exception), r"Test Salt Works cannot be archived: .*1 certificates")
        self.assertTrue(self.vendor_salt.active)
        product = self._create_product("Test Retired Flour", "lot", self.uom_kg)
        product.product_tmpl_id.with_user(stock_manager).action_archive()
        self.assertFalse(product.active)
