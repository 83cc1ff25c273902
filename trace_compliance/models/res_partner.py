from odoo import models


class ResPartner(models.Model):
    """A partner that traceability evidence names (a certificate's issuer, a recall's
    customer, a serial's owner) is neither deleted nor archived."""

    _name = "res.partner"
    _inherit = ["res.partner", "trace.reference.mixin", "trace.gln.mixin"]

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("certificates")] = (
            self.env["trace.certificate"]
            .sudo()
            .with_context(active_test=False)
            .search_count([("partner_id", "in", self.ids)])
        )
        return references
