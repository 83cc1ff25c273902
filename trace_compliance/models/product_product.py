from odoo import api, fields, models

from .stock_lot import TRACE_READERS


class ProductProduct(models.Model):
    _inherit = "product.product"

    trace_certificate_count = fields.Integer(
        "Certificates", compute="_compute_trace_certificate_count", groups=TRACE_READERS
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_certificate_count(self):
        Certificate = self.env["trace.certificate"]
        readable = Certificate.has_access("read")
        for product in self:
            product.trace_certificate_count = (
                Certificate.search_count(product._trace_certificate_domain()) if readable and product.id else 0
            )

    def _trace_certificate_domain(self):
        return ["|", ("product_id", "in", self.ids), ("lot_ids.product_id", "in", self.ids)]

    def action_open_trace_certificates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_certificate_action")
        action["domain"] = self._trace_certificate_domain()
        action["context"] = {"default_product_id": self.id}
        return action
