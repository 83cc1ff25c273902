from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = self.env["trace.recall"]._count_referring(
            ["affected_picking_ids", "open_picking_ids", "delivery_ids.picking_id"], self.ids
        )
        return references
