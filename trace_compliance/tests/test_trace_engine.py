"""The trace engine's move lines: one shape for every kind."""

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
