from odoo import api, fields, models

from ..compat import name_new_moves


class StockMove(models.Model):
    _inherit = "stock.move"

    # No field groups: Odoo's own code reads every field of a move as the current user, and
    # a many2one shows only the transformation's name (read as superuser).
    trace_transformation_id = fields.Many2one(
        "trace.lot.transformation", "Lot Transformation", index="btree_not_null", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(name_new_moves(self.env, vals_list))
