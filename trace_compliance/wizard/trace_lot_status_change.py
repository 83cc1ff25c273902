from odoo import fields, models

from ..models.stock_lot import QUALITY_STATUSES


class TraceLotStatusChange(models.TransientModel):
    _name = "trace.lot.status.change"
    _description = "Set the Quality Status of Lots"

    lot_ids = fields.Many2many("stock.lot", string="Lots/Serial Numbers", required=True)
    quality_status = fields.Selection(QUALITY_STATUSES, "New Status", required=True)
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        self.lot_ids.set_quality_status(self.quality_status, self.reason)
        return {"type": "ir.actions.act_window_close"}
