from odoo import models


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "trace.certificate.button.mixin"]

    def _trace_certificate_domain(self):
        return ["|", ("product_id", "in", self.ids), ("lot_ids.product_id", "in", self.ids)]

    def _trace_certificate_context(self):
        return {"default_product_id": self.id}
