from odoo import fields, models

from ..groups import TRACE_READERS


class ProductCategory(models.Model):
    _inherit = "product.category"

    trace_certificate_requirement_ids = fields.One2many(
        "trace.certificate.requirement",
        "categ_id",
        "Required Certificates",
        groups=TRACE_READERS,
        help="The certificates the lots of the products of this category and of its subcategories need "
        "at receipt and before shipment.",
    )
