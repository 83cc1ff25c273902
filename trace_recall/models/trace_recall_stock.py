from odoo import api, fields, models
from odoo.tools import SQL


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

    @api.model
    def _fill(self, recall, lot_ids):
        """Insert the positive stock of the lots ``lot_ids`` in the internal locations of the
        recall's company, one line per location and lot, in one statement (lot by lot
        through the quant index)."""
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_recall_stock (recall_id, company_id, location_id, product_id, lot_id, quantity,
                                            product_uom_id, create_uid, create_date, write_uid, write_date)
            SELECT %(recall)s, %(company)s, quant.location_id, quant.product_id, quant.lot_id, SUM(quant.quantity),
                   product_tmpl.uom_id,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM stock_quant quant
              JOIN stock_location loc ON loc.id = quant.location_id
              JOIN product_product product ON product.id = quant.product_id
              JOIN product_template product_tmpl ON product_tmpl.id = product.product_tmpl_id
             WHERE quant.lot_id = ANY(ARRAY(SELECT unnest(%(lots)s::int[])))
               AND loc.usage = 'internal' AND quant.company_id = %(company)s
          GROUP BY quant.location_id, quant.product_id, quant.lot_id, product_tmpl.uom_id
            HAVING SUM(quant.quantity) > 0
                """,
                recall=recall.id,
                uid=self.env.uid,
                lots=sorted(lot_ids),
                company=recall.company_id.id,
            )
        )
        self.invalidate_model()
