from odoo import api, fields, models

from .stock_lot import TRACE_READERS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    trace_receipt_status = fields.Selection(
        [
            ("released", "Released"),
            ("quarantine", "Quarantine"),
            ("on_hold", "On Hold"),
        ],
        string="Status on Receipt",
        default="released",
        required=True,
        help="The quality status a lot of this product starts in when it is first received from a vendor.",
    )
    trace_batch_record = fields.Boolean(
        "Batch Records",
        help="Manufacturing orders of this product get an electronic batch record (a device history record "
        "for serial-tracked products).",
    )
    trace_certificate_requirement_ids = fields.One2many(
        "trace.certificate.requirement",
        "product_tmpl_id",
        "Required Certificates",
        groups=TRACE_READERS,
        help="The certificates the lots of this product need at receipt and before shipment "
        "(added to those of its category).",
    )
    trace_certificate_count = fields.Integer(
        "Certificates", compute="_compute_trace_certificate_count", groups=TRACE_READERS
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_certificate_count(self):
        Certificate = self.env["trace.certificate"]
        readable = Certificate.has_access("read")
        for template in self:
            template.trace_certificate_count = (
                Certificate.search_count(template._trace_certificate_domain()) if readable and template.id else 0
            )

    def _trace_certificate_domain(self):
        variants = self.with_context(active_test=False).product_variant_ids
        return ["|", ("product_id", "in", variants.ids), ("lot_ids.product_id", "in", variants.ids)]

    def action_open_trace_certificates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_certificate_action")
        action["domain"] = self._trace_certificate_domain()
        if len(self.product_variant_ids) == 1:
            action["context"] = {"default_product_id": self.product_variant_id.id}
        return action
