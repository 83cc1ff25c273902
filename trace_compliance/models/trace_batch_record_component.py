from odoo import fields, models


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
