from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = (
            self.env["trace.recall"]
            .sudo()
            .search_count(
                [
                    "|",
                    "|",
                    ("affected_partner_ids", "in", self.ids),
                    ("partner_line_ids.partner_id", "in", self.ids),
                    ("delivery_ids.partner_id", "in", self.ids),
                ]
            )
        )
        return references
