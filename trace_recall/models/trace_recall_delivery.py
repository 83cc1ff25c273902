from odoo import fields, models


class TraceRecallDelivery(models.Model):
    """One delivered move line of an affected lot: who received what, when, on which order.
    Written set-based by the recall's computation."""

    _name = "trace.recall.delivery"
    _description = "Recall Delivery Line"
    _order = "date, id"

    recall_id = fields.Many2one("trace.recall", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True)
    picking_id = fields.Many2one("stock.picking", "Delivery")
    move_line_id = fields.Many2one("stock.move.line")
    date = fields.Datetime()
    product_id = fields.Many2one("product.product")
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", index=True)
    quantity = fields.Float(digits="Product Unit of Measure")
    product_uom_id = fields.Many2one("uom.uom", "Unit")
    sale_order_id = fields.Many2one("sale.order")
