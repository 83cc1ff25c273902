"""Test base of the traceability suite: its own products, lots, partners and documents.

The documents go through Odoo's normal flow (receipts and deliveries validated,
manufacturing orders marked done), with the lot of every line chosen explicitly, so a
test states exactly which lot went where and never depends on reservation order or on
demo data.
"""

import base64
import re

from lxml import etree

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.trace_compliance.compat import producing_lot_vals

TRACE_MAP_IMAGE = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')


class TraceCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.customer_location = cls.env.ref("stock.stock_location_customers")
        cls.uom_kg = cls.env.ref("uom.product_uom_kgm")
        cls.uom_unit = cls.env.ref("uom.product_uom_unit")

        Partner = cls.env["res.partner"]
        cls.vendor_mill = Partner.create({"name": "Test Mill", "is_company": True})
        cls.vendor_salt = Partner.create({"name": "Test Salt Works", "is_company": True})
        cls.customer_shop = Partner.create({"name": "Test Grocer", "is_company": True})
        cls.customer_clinic = Partner.create({"name": "Test Clinic", "is_company": True})

        # Products in a category of their own (19.0 creates a product without one).
        cls.categ = cls.env["product.category"].create({"name": "Test Bakery"})
        cls.flour = cls._create_product("Test Flour", "lot", cls.uom_kg)
        cls.salt = cls._create_product("Test Salt", "lot", cls.uom_kg)
        cls.dough = cls._create_product("Test Dough", "lot", cls.uom_kg)
        cls.bread = cls._create_product("Test Loaf", "lot", cls.uom_unit)
        cls.board = cls._create_product("Test Sensor Board", "serial", cls.uom_unit)
        cls.device = cls._create_product("Test Monitor", "serial", cls.uom_unit)

        cls.bom_dough = cls._create_bom(cls.dough, 100, [(cls.flour, 98), (cls.salt, 2)])
        cls.bom_bread = cls._create_bom(cls.bread, 100, [(cls.dough, 80)])
        cls.bom_device = cls._create_bom(cls.device, 1, [(cls.board, 1)])

    # ------------------------------------------------------------------
    # factories
    # ------------------------------------------------------------------
    @classmethod
    def _create_product(cls, name, tracking, uom):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "tracking": tracking,
                "uom_id": uom.id,
                "categ_id": cls.categ.id,
            }
        )

    @classmethod
    def _create_bom(cls, product, quantity, components):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": quantity,
                "product_uom_id": product.uom_id.id,
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create({"product_id": comp.id, "product_qty": qty, "product_uom_id": comp.uom_id.id})
                    for comp, qty in components
                ],
            }
        )

    @classmethod
    def _lot(cls, product, name):
        """The lot ``name`` of ``product`` in the test company, created when missing."""
        Lot = cls.env["stock.lot"]
        lot = Lot.search([("product_id", "=", product.id), ("name", "=", name)], limit=1)
        return lot or Lot.create({"name": name, "product_id": product.id, "company_id": cls.company.id})

    @classmethod
    def _transfer(cls, picking_type, partner, source, destination, lines, validate=True):
        """A transfer of ``lines`` = [(product, lot name, quantity)], lots set explicitly."""
        picking = cls.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
            }
        )
        for product, lot_name, qty in lines:
            move = cls.env["stock.move"].create(
                {
                    "picking_id": picking.id,
                    "product_id": product.id,
                    "product_uom_qty": qty,
                    "product_uom": product.uom_id.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                }
            )
            move._action_confirm(merge=False)
            move.move_line_ids.unlink()
            cls._add_move_lines(move, [(lot_name, qty)])
        if validate:
            picking.button_validate()
        return picking

    @classmethod
    def _add_move_lines(cls, move, lots):
        for lot_name, qty in lots:
            lot = cls._lot(move.product_id, lot_name)
            cls.env["stock.move.line"].create(
                {
                    "move_id": move.id,
                    "picking_id": move.picking_id.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "lot_id": lot.id,
                    "quantity": qty,
                    "picked": True,
                }
            )

    @classmethod
    def _receive(cls, partner, lines, validate=True):
        """Receive [(product, vendor lot name, quantity)] from ``partner``."""
        return cls._transfer(
            cls.warehouse.in_type_id, partner, cls.supplier_location, cls.stock_location, lines, validate
        )

    @classmethod
    def _deliver(cls, partner, lines, validate=True):
        """Deliver [(product, lot name, quantity)] to ``partner``."""
        return cls._transfer(
            cls.warehouse.out_type_id, partner, cls.stock_location, cls.customer_location, lines, validate
        )

    @classmethod
    def _produce(cls, bom, qty, lot_name, consumed, done=True):
        """Manufacture ``qty`` of ``bom``'s product into lot ``lot_name``.

        ``consumed`` maps each component product to [(lot name, quantity)]: exactly the
        component lots the order consumes (a product outside the BoM is added, as a rework
        order adds the lot it reworks).
        """
        product = bom.product_id or bom.product_tmpl_id.product_variant_id
        production = cls.env["mrp.production"].create(
            {"product_id": product.id, "bom_id": bom.id, "product_qty": qty, "product_uom_id": bom.product_uom_id.id}
        )
        for component, lots in consumed.items():
            if component not in production.move_raw_ids.product_id:  # beyond the BoM: rework
                total = sum(lot_qty for _lot, lot_qty in lots)
                cls.env["stock.move"].create(production._get_move_raw_values(component, total, component.uom_id))
        production.action_confirm()
        production.write(dict(producing_lot_vals(cls._lot(product, lot_name)), qty_producing=qty))
        for move in production.move_raw_ids:
            move.move_line_ids.unlink()
            cls._add_move_lines(move, consumed[move.product_id])
            move.picked = True
        if done:
            production.button_mark_done()
        return production

    @classmethod
    def _bakery_chain(cls):
        """Flour and salt into two dough lots, into three loaf lots, shipped to a grocer.

        Returns a dict of the lots and documents by short name.
        """
        chain = {
            "receipt_flour": cls._receive(cls.vendor_mill, [(cls.flour, "T-FL-1", 300)]),
            "receipt_salt": cls._receive(cls.vendor_salt, [(cls.salt, "T-SA-1", 20)]),
        }
        chain["mo_dough_1"] = cls._produce(
            cls.bom_dough, 100, "T-DO-1", {cls.flour: [("T-FL-1", 98)], cls.salt: [("T-SA-1", 2)]}
        )
        chain["mo_dough_2"] = cls._produce(
            cls.bom_dough, 100, "T-DO-2", {cls.flour: [("T-FL-1", 98)], cls.salt: [("T-SA-1", 2)]}
        )
        chain["mo_bread_1"] = cls._produce(cls.bom_bread, 100, "T-BR-1", {cls.dough: [("T-DO-1", 80)]})
        chain["mo_bread_2"] = cls._produce(cls.bom_bread, 100, "T-BR-2", {cls.dough: [("T-DO-1", 20), ("T-DO-2", 60)]})
        chain["delivery"] = cls._deliver(cls.customer_shop, [(cls.bread, "T-BR-2", 40)])
        for name in ("T-FL-1", "T-SA-1"):
            chain[name] = cls._lot(cls.flour if name.startswith("T-FL") else cls.salt, name)
        for name in ("T-DO-1", "T-DO-2"):
            chain[name] = cls._lot(cls.dough, name)
        for name in ("T-BR-1", "T-BR-2"):
            chain[name] = cls._lot(cls.bread, name)
        return chain

    @classmethod
    def _rework_cycles(cls, chain):
        """Two cycles on :meth:`_bakery_chain`: dough lot 2 reworked into itself (10 kg of it
        back into the mixer with fresh flour), and loaves fed back into the flour lot."""
        cls._produce(
            cls.bom_dough,
            10,
            "T-DO-2",
            {cls.flour: [("T-FL-1", 9.8)], cls.salt: [("T-SA-1", 0.2)], cls.dough: [("T-DO-2", 10)]},
        )
        cls.env["trace.lot.link"].sudo().create(
            {
                "parent_lot_id": chain["T-BR-2"].id,
                "child_lot_id": chain["T-FL-1"].id,
                "link_type": "transformation",
                "quantity": 1,
                "company_id": cls.company.id,
            }
        )

    def _printed_map_texts(self, html):
        """The texts of the trace map a report's ``html`` prints (an SVG image), which must
        be one well-formed SVG document."""
        images = TRACE_MAP_IMAGE.findall(html)
        self.assertEqual(len(images), 1, "the report prints one trace map")
        svg = etree.fromstring(base64.b64decode(images[0]))
        self.assertEqual(svg.tag, "{http://www.w3.org/2000/svg}svg")
        return " ".join(text.text or "" for text in svg.iter("{http://www.w3.org/2000/svg}text"))

    @classmethod
    def _user(cls, login, groups, company=None, **values):
        """A user with exactly ``groups`` (comma-separated xml ids) in one company; their
        password is their login (padded with "x" to 8 characters). They share the time zone
        of the test's own user, so that "today" is one day for all (a test running between
        23:00 and midnight UTC would otherwise see two: Odoo's demo admin is in Brussels)."""
        company = company or cls.company
        values.setdefault("tz", cls.env.user.tz)
        return new_test_user(
            cls.env, login=login, groups=groups, company_id=company.id, company_ids=[Command.set(company.ids)], **values
        )
