from odoo import Command

from odoo.addons.trace_compliance.tests.common import TraceCase


class RecallCase(TraceCase):
    """TraceCase plus sales: deliveries created from confirmed sale orders."""

    @classmethod
    def _sell(cls, partner, lines, validate=True):
        """Sell and deliver [(product, lot name, quantity)] to ``partner``; returns the order."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty}) for product, _lot, qty in lines
                ],
            }
        )
        order.action_confirm()
        picking = order.picking_ids
        for move, (_product, lot_name, qty) in zip(picking.move_ids.sorted("id"), lines, strict=True):
            move.move_line_ids.unlink()
            cls._add_move_lines(move, [(lot_name, qty)])
        if validate:
            picking.button_validate()
        return order
