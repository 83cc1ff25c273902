from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from .trace_recall_response import RESPONSE_QUANTITIES


class TraceRecallResponseLine(models.Model):
    """What a customer's answer says about one lot or serial shipped to them: how much is
    still on hand, sold on or consumed, destroyed and returned (never more, together, than
    was shipped to them)."""

    _name = "trace.recall.response.line"
    _inherit = ["trace.audit.mixin"]
    _description = "Recall Customer Answer per Lot"
    _order = "response_id, lot_id"

    response_id = fields.Many2one("trace.recall.response", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="response_id.company_id", store=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", required=True, readonly=True, ondelete="restrict")
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    qty_shipped = fields.Float("Shipped", digits="Product Unit of Measure", readonly=True)
    qty_on_hand = fields.Float("Still on Hand", digits="Product Unit of Measure", readonly=True)
    qty_consumed = fields.Float("Sold On or Consumed", digits="Product Unit of Measure", readonly=True)
    qty_destroyed = fields.Float("Destroyed", digits="Product Unit of Measure", readonly=True)
    qty_returned = fields.Float("Returned", digits="Product Unit of Measure", readonly=True)

    @api.constrains(*RESPONSE_QUANTITIES, "qty_shipped")
    def _check_quantities(self):
        for line in self:
            rounding = line.product_uom_id.rounding or 0.001
            for name in RESPONSE_QUANTITIES:
                if float_compare(line[name], 0.0, precision_rounding=rounding) < 0:
                    raise ValidationError(
                        self.env._(
                            "Lot %(lot)s: the quantity %(what)s cannot be negative (%(qty)s).",
                            lot=line.lot_id.name,
                            what=self._fields[name]._description_string(self.env).lower(),
                            qty=line[name],
                        )
                    )
            accounted = sum(line[name] for name in RESPONSE_QUANTITIES)
            if float_compare(accounted, line.qty_shipped, precision_rounding=rounding) > 0:
                raise ValidationError(
                    self.env._(
                        "Lot %(lot)s: %(accounted)s %(unit)s accounted for (on hand, sold on or consumed, destroyed, "
                        "returned), but %(shipped)s %(unit)s were shipped to you.",
                        lot=line.lot_id.name,
                        accounted=accounted,
                        shipped=line.qty_shipped,
                        unit=line.product_uom_id.name,
                    )
                )

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("A customer's answer is evidence: it is never changed. A new answer replaces it.")
            )
        return super().write(vals)
