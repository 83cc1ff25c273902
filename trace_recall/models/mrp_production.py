from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = self.env["trace.recall"]._count_referring(["open_production_ids"], self.ids)
        return references
