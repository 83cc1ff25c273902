from odoo import fields, models

from .stock_lot import TRACE_READERS


class StockMove(models.Model):
    _inherit = "stock.move"

    trace_transformation_id = fields.Many2one(
        "trace.lot.transformation",
        "Lot Transformation",
        index="btree_not_null",
        readonly=True,
        groups=TRACE_READERS,
    )
