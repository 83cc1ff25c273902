from odoo import fields, models


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
