from odoo import fields, models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    trace_batch_record = fields.Boolean(
        "Batch Records", help="Manufacturing orders of this operation type get an electronic batch record."
    )
