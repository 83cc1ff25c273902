from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _trace_recall_set_lot_lines(self, quantities):
        """Replace this move's detailed operations by one per lot of ``quantities``
        {lot: qty}: the transfers a recall makes (containment, customers' returns) move
        exactly the lots it names, not what the removal strategy would pick."""
        self.ensure_one()
        self.move_line_ids.unlink()
        return self.env["stock.move.line"].create(
            [self._prepare_trace_recall_move_line_vals(lot, qty) for lot, qty in quantities.items()]
        )

    def _prepare_trace_recall_move_line_vals(self, lot, quantity):
        """Hook: the detailed operation of this move for ``quantity`` of ``lot``."""
        self.ensure_one()
        return {
            "move_id": self.id,
            "picking_id": self.picking_id.id,
            "product_id": self.product_id.id,
            "product_uom_id": self.product_uom.id,
            "location_id": self.location_id.id,
            "location_dest_id": self.location_dest_id.id,
            "lot_id": lot.id,
            "quantity": quantity,
        }
