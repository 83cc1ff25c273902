from odoo import fields, models

from odoo.addons.trace_compliance.compat import Constraint, serial_sequence_field


class ProductTemplate(models.Model):
    _inherit = "product.template"

    warranty_months = fields.Integer(
        "Warranty (Months)",
        help="Warranty duration of each serial number of this product; 0 means no warranty.",
    )
    warranty_start = fields.Selection(
        [("delivery", "Delivery"), ("installation", "Installation")],
        "Warranty Starts On",
        default="delivery",
        required=True,
        help="Delivery: the day the serial is first delivered to its customer. Installation: the day of its "
        "first done installation event after that delivery.",
    )
    serial_sequence_id = serial_sequence_field(
        "Serial Number Sequence",
        copy=False,
        help="Serial numbers assigned at assembly (manufacturing orders) for this product come from this "
        "sequence instead of the company-wide one.",
    )

    _warranty_months_positive = Constraint("CHECK(warranty_months >= 0)", "The warranty duration cannot be negative.")
