from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TraceCase

KIND_FIELDS = [
    "trace_is_delivery",
    "trace_is_receipt",
    "trace_is_customer_return",
    "trace_is_production",
    "trace_customer_id",
    "trace_vendor_id",
]


@tagged("post_install", "-at_install")
class TestLineKinds(TraceCase):
    """What each move line is (delivery, receipt, customer return, production) and its
    customer and vendor are stored on the line from the trace engine's hooks, computed by the
    ORM as documents change and by one SQL statement on install: both give the same values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.engine = cls.env["trace.engine"]

    def _stored(self, lines):
        lines.invalidate_recordset(KIND_FIELDS)
        return {line.id: tuple(line[name] for name in KIND_FIELDS) for line in lines}

    def test_each_line_knows_what_it_is(self):
        receipt = self.chain["receipt_flour"].move_line_ids
        self.assertEqual(
            [receipt[name] for name in KIND_FIELDS],
            [False, True, False, False, self.env["res.partner"], self.vendor_mill],
        )
        delivery = self.chain["delivery"].move_line_ids
        self.assertTrue(delivery.trace_is_delivery)
        self.assertFalse(delivery.trace_is_receipt)
        self.assertEqual(delivery.trace_customer_id, self.customer_shop)
        self.assertFalse(delivery.trace_vendor_id)
        finished = self.chain["mo_bread_2"].move_finished_ids.move_line_ids
        self.assertTrue(finished.trace_is_production)
        self.assertFalse(finished.trace_customer_id | finished.trace_vendor_id)
        consumed = self.chain["mo_bread_2"].move_raw_ids.move_line_ids
        self.assertFalse(any(consumed.mapped(lambda line: any(line[name] for name in KIND_FIELDS))))

    def test_sql_and_orm_give_the_same_values(self):
        lines = self.env["stock.move.line"].search([])
        self.env.flush_all()
        before = self._stored(lines)
        # The statement of an install finds nothing to change after the ORM's computations.
        self.assertEqual(self.engine._store_line_kinds(), 0)
        # Values lost (an import in SQL, a hook changed by an add-on) are all put back.
        self.env.cr.execute(
            """UPDATE stock_move_line SET trace_is_delivery = NOT COALESCE(trace_is_delivery, FALSE),
                      trace_is_receipt = NULL, trace_customer_id = NULL, trace_vendor_id = NULL"""
        )
        self.assertEqual(self.engine._store_line_kinds(), len(lines))
        self.assertEqual(self._stored(lines), before)
        # One line only.
        line = self.chain["delivery"].move_line_ids
        self.env.cr.execute("UPDATE stock_move_line SET trace_customer_id = NULL WHERE id = %s", [line.id])
        self.assertEqual(self.engine._store_line_kinds(line.ids), 1)
        self.assertEqual(self._stored(line), {line.id: before[line.id]})

    def test_edits_of_done_documents_follow(self):
        picking = self.chain["delivery"]
        line = picking.move_line_ids
        # The customer of a delivery is the transfer's partner, unless the move has its own.
        picking.partner_id = self.customer_clinic
        self.assertEqual(line.trace_customer_id, self.customer_clinic)
        picking.move_ids.partner_id = self.customer_shop
        self.assertEqual(line.trace_customer_id, self.customer_shop)
        self.assertEqual(self.engine._store_line_kinds(), 0)
        # Every field a hook reads is a dependency of the stored values (the ORM recomputes
        # them when one changes): locations, transfer types, moves, partners.
        depends = self.engine._get_line_kind_depends()
        for path in ("location_dest_id.usage", "picking_id.picking_type_id.code", "move_id.partner_id"):
            self.assertIn(path, depends)
        field = self.env["stock.move.line"]._fields["trace_is_delivery"]
        self.assertEqual(set(self.env.registry.field_depends[field]), set(depends))

    def test_partner_paths_are_many2one_fields(self):
        engine_class = type(self.engine)
        self.patch(engine_class, "_get_partner_fields", lambda engine, kind: ("reference.partner_id",))
        with self.assertRaisesRegex(UserError, "reference.partner_id: only many2one fields"):
            self.engine._store_line_kinds()
