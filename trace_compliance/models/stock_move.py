from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    trace_transformation_id = fields.Many2one(
        "trace.lot.transformation", "Lot Transformation", index="btree_not_null", readonly=True
    )
