"""The trace engine's small queries that the other add-ons call instead of reading move
lines themselves (a recall's open documents, what an order consumed for the exports, the
lots of an FSMA 204 request), and the one shape of its move lines."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.trace_compliance.models.trace_engine import LINE_KINDS

from .common import TraceCase

SHAPE = (
    "line_id",
    "lot_id",
    "move_id",
    "picking_id",
    "partner_id",
    "product_id",
    "quantity",
    "date",
    "company_id",
    "location_id",
    "location_dest_id",
    "is_kind",
)


@tagged("post_install", "-at_install")
class TestTraceEngine(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.engine = cls.env["trace.engine"]
        cls.company_b = cls.env["res.company"].create({"name": "Trace Engine Company B"})

    def _rows(self, query):
        self.env.flush_all()
        self.env.cr.execute(query)
        names = [column.name for column in self.env.cr.description]
        return [dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()]

    def test_lines_have_one_shape(self):
        """Every kind, every line or the lines of the kind only: the same columns."""
        lots = [self.chain["T-FL-1"].id, self.chain["T-BR-2"].id]
        for kind in (*LINE_KINDS, None):
            for every in (False, True):
                with self.subTest(kind=kind, every=every):
                    self._rows(self.engine._lot_lines_query(kind, lots, every=every))
                    self.assertEqual(tuple(column.name for column in self.env.cr.description), SHAPE)

    def test_lines_of_a_kind_and_every_line(self):
        lots = [self.chain["T-FL-1"].id, self.chain["T-BR-2"].id]
        delivery = self.chain["delivery"]
        deliveries = self._rows(self.engine._lot_lines_query("delivery", lots))
        self.assertEqual(
            [
                (row["lot_id"], row["picking_id"], row["partner_id"], row["quantity"], row["is_kind"])
                for row in deliveries
            ],
            [(self.chain["T-BR-2"].id, delivery.id, self.customer_shop.id, 40, True)],
        )
        # Every done line of the lots (the receipt, the orders' consumption and production,
        # the delivery), the delivery flagged.
        done = self.env["stock.move.line"].search([("lot_id", "in", lots), ("state", "=", "done")])
        every = self._rows(self.engine._lot_lines_query("delivery", lots, every=True))
        self.assertEqual({row["line_id"] for row in every}, set(done.ids))
        self.assertEqual({row["line_id"] for row in every if row["is_kind"]}, set(delivery.move_line_ids.ids))
        # Of no kind: every done line, none flagged, no partner.
        none = self._rows(self.engine._lot_lines_query(None, lots))
        self.assertEqual({row["line_id"] for row in none}, set(done.ids))
        self.assertFalse(any(row["is_kind"] or row["partner_id"] for row in none))

    def test_open_documents(self):
        """The transfers and orders not done yet that carry the lots, in the company."""
        chain = self.chain
        picking = self._deliver(self.customer_clinic, [(self.bread, "T-BR-1", 5)], validate=False)
        production = self._produce(self.bom_bread, 10, "T-BR-3", {self.dough: [("T-DO-2", 8)]}, done=False)
        lots = [chain[name].id for name in ("T-BR-1", "T-BR-2", "T-DO-2")]
        self.assertEqual(self.engine._open_document_ids(lots, self.company), ({picking.id}, {production.id}))
        self.assertEqual(self.engine._open_document_ids(lots, self.company_b), (set(), set()))
        picking.action_cancel()
        self.assertEqual(self.engine._open_document_ids(lots, self.company), (set(), {production.id}))

    def test_input_lines(self):
        """What a manufacturing order consumed: its done component lines."""
        rows = self._rows(self.engine._input_lines_query("mrp.production", self.chain["mo_bread_2"].id))
        self.assertEqual(
            sorted((row["lot_id"], row["quantity"]) for row in rows),
            sorted([(self.chain["T-DO-1"].id, 20), (self.chain["T-DO-2"].id, 60)]),
        )
        self.assertEqual(set(rows[0]), set(SHAPE))

    def test_event_lot_ids(self):
        """The lots of products received, produced or delivered in the company and period."""
        chain = self.chain
        products = (self.flour | self.bread).ids
        found = {chain[name].id for name in ("T-FL-1", "T-BR-1", "T-BR-2")}
        self.assertEqual(self.engine._event_lot_ids(products, self.company), found)
        yesterday = datetime.now() - timedelta(days=1)
        self.assertEqual(self.engine._event_lot_ids(products, self.company, date_from=yesterday), found)
        self.assertEqual(self.engine._event_lot_ids(products, self.company, date_to=yesterday), set())
        self.assertEqual(self.engine._event_lot_ids(products, self.company_b), set())
        self.assertEqual(self.engine._event_lot_ids(self.salt.ids, self.company), {chain["T-SA-1"].id})
