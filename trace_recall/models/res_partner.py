from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = self.env["trace.recall"]._count_referring(
            ["affected_partner_ids", "partner_line_ids.partner_id", "delivery_ids.partner_id"], self.ids
        )
        return references
