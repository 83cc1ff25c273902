from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        # Deliveries to and returns from customers (the trace engine's, stored on each line)
        # update the serial registry.
        lines = moves.move_line_ids.sudo().filtered(
            lambda line: (
                line.lot_id
                and line.product_id.tracking == "serial"
                and (line.trace_is_delivery or line.trace_is_customer_return)
            )
        )
        if lines:
            self.env["stock.lot"]._warranty_update_registry(lines.lot_id.ids)
        return moves
