from odoo import fields, models


class TraceRecallStock(models.Model):
    """Stock on hand of an affected lot in an internal location, when the recall was computed."""

    _name = "trace.recall.stock"
    _description = "Recall Stock Line"
    _order = "location_id, lot_id"

    recall_id = fields.Many2one("trace.recall", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    location_id = fields.Many2one("stock.location")
    product_id = fields.Many2one("product.product")
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number")
    quantity = fields.Float(digits="Product Unit of Measure")
    product_uom_id = fields.Many2one("uom.uom", "Unit")
