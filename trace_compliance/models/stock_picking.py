from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        self._trace_check_released()
        res = super()._action_done()
        self._trace_apply_receipt_status()
        return res

    def _trace_check_released(self):
        """Deliveries of lots that are not released are refused."""
        for picking in self:
            if picking.picking_type_code == "outgoing" or picking.location_dest_id.usage == "customer":
                lines = picking.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity)
                lines.lot_id._check_released(picking.display_name)

    def _trace_apply_receipt_status(self):
        """Lots received from a vendor for the first time start in their product's status."""
        for picking in self.filtered(lambda p: p.location_id.usage == "supplier" and p.state == "done"):
            for line in picking.move_line_ids.filtered("lot_id"):
                lot = line.lot_id
                status = lot.product_id.trace_receipt_status
                if status == "released" or lot.quality_status != "released":
                    continue
                earlier = self.env["stock.move.line"].search_count(
                    [("lot_id", "=", lot.id), ("state", "=", "done"), ("id", "not in", picking.move_line_ids.ids)],
                    limit=1,
                )
                if not earlier:
                    lot.sudo().set_quality_status(
                        status,
                        self.env._("Received on %(picking)s: status on receipt of the product", picking=picking.name),
                    )

    def action_trace_lots(self):
        """Open the genealogy of the lots this transfer moved."""
        self.ensure_one()
        lots = self.move_line_ids.lot_id
        if not lots:
            return False
        return self.env["trace.genealogy.explore"].create({"lot_ids": lots.ids})._action_open()
