from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = (
            self.env["trace.recall"].sudo().search_count([("open_production_ids", "in", self.ids)])
        )
        return references
