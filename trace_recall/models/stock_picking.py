from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = (
            self.env["trace.recall"]
            .sudo()
            .search_count(
                [
                    "|",
                    "|",
                    ("affected_picking_ids", "in", self.ids),
                    ("open_picking_ids", "in", self.ids),
                    ("delivery_ids.picking_id", "in", self.ids),
                ]
            )
        )
        return references
