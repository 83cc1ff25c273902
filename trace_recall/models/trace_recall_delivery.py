from odoo import api, fields, models
from odoo.tools import SQL


class TraceRecallDelivery(models.Model):
    """One delivered move line of an affected lot: who received what, when, on which order.
    Written set-based by the recall's computation (:meth:`_fill`)."""

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

    @api.model
    def _fill(self, recall, lot_ids):
        """Insert one line per delivery move line (``trace.engine``'s definition) of the lots
        ``lot_ids`` in the recall's company, in one statement."""
        deliveries = self.env["trace.engine"]._lot_lines_query("delivery", lot_ids, [SQL("trace_move.sale_line_id")])
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_recall_delivery (recall_id, company_id, partner_id, picking_id, move_line_id, date,
                                               product_id, lot_id, quantity, product_uom_id, sale_order_id,
                                               create_uid, create_date, write_uid, write_date)
            SELECT %(recall)s, %(company)s, delivery.partner_id, delivery.picking_id, delivery.line_id, delivery.date,
                   delivery.product_id, delivery.lot_id, delivery.quantity, product_tmpl.uom_id, sale_line.order_id,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM (%(deliveries)s) delivery
              JOIN product_product product ON product.id = delivery.product_id
              JOIN product_template product_tmpl ON product_tmpl.id = product.product_tmpl_id
              LEFT JOIN sale_order_line sale_line ON sale_line.id = delivery.sale_line_id
             WHERE delivery.company_id = %(company)s
                """,
                recall=recall.id,
                company=recall.company_id.id,
                uid=self.env.uid,
                deliveries=deliveries,
            )
        )
        self.invalidate_model()
