from odoo import api, fields, models


class TraceBatchRecordComponent(models.Model):
    _name = "trace.batch.record.component"
    _inherit = ["trace.batch.record.line.mixin"]
    _description = "Batch Record Component"
    _order = "id"

    batch_record_id = fields.Many2one("trace.batch.record", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_record_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number")
    quantity = fields.Float(digits="Product Unit of Measure")
    product_uom_id = fields.Many2one("uom.uom", "Unit")
    certificate_ids = fields.Many2many(
        "trace.certificate",
        string="Certificates",
        compute="_compute_certificate_ids",
        help="The valid and expired certificates covering the component lot.",
    )

    @api.depends("lot_id")
    def _compute_certificate_ids(self):
        Certificate = self.env["trace.certificate"]
        for line in self:
            line.certificate_ids = (
                Certificate.search([("lot_ids", "in", line.lot_id.ids), ("state", "in", ("valid", "expired"))])
                if line.lot_id
                else Certificate
            )
