from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # Deliveries to and returns from customers (the trace engine's) update the serial registry.
        engine = self.env["trace.engine"]
        lines = moves.move_line_ids.filtered(lambda line: line.lot_id and line.product_id.tracking == "serial")
        lines = engine._filter_lines(lines, "delivery") | engine._filter_lines(lines, "customer_return")
        if lines:
            self.env["stock.lot"]._warranty_update_registry(lines.lot_id.ids)
        return moves
