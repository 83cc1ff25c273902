from odoo import fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    # No field groups: Odoo's own code reads every field of a move as the current user, and
    # a many2one shows only the transformation's name (read as superuser).
    trace_transformation_id = fields.Many2one(
        "trace.lot.transformation", "Lot Transformation", index="btree_not_null", readonly=True
    )
