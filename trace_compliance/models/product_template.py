from odoo import fields, models

from ..groups import TRACE_READERS


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "trace.certificate.button.mixin"]

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

    def _trace_certificate_domain(self):
        variants = self.with_context(active_test=False).product_variant_ids
        return ["|", ("product_id", "in", variants.ids), ("lot_ids.product_id", "in", variants.ids)]

    def _trace_certificate_context(self):
        if len(self.product_variant_ids) == 1:
            return {"default_product_id": self.product_variant_id.id}
        return {}
