from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.trace_compliance.external_api import public

RESOLVED = ("acknowledged", "returned", "closed")


class TraceRecallPartner(models.Model):
    """A customer of a recall: what they received and what was done about it."""

    _name = "trace.recall.partner"
    _inherit = ["mail.thread"]
    _description = "Recall Customer"
    _order = "partner_id"

    recall_id = fields.Many2one("trace.recall", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", "Customer", required=True)
    state = fields.Selection(
        [
            ("to_notify", "To Notify"),
            ("notified", "Notified"),
            ("acknowledged", "Acknowledged"),
            ("returned", "Quantity Returned"),
            ("closed", "Closed"),
        ],
        default="to_notify",
        required=True,
        tracking=True,
    )
    qty_shipped = fields.Float("Shipped", digits="Product Unit of Measure")
    qty_returned = fields.Float("Returned", digits="Product Unit of Measure", tracking=True)
    notified_date = fields.Datetime(readonly=True)
    acknowledged_date = fields.Datetime(readonly=True)
    note = fields.Text()
    delivery_ids = fields.Many2many("trace.recall.delivery", compute="_compute_delivery_ids", string="Deliveries")

    def _compute_delivery_ids(self):
        Delivery = self.env["trace.recall.delivery"]
        for line in self:
            line.delivery_ids = Delivery.search(
                [("recall_id", "=", line.recall_id.id), ("partner_id", "=", line.partner_id.id)], order="date, id"
            )

    @public()
    def action_acknowledge(self):
        self.write({"state": "acknowledged", "acknowledged_date": fields.Datetime.now()})
        return True

    @public()
    def action_close(self):
        self.write({"state": "closed"})
        return True

    def write(self, vals):
        if "qty_returned" in vals and vals["qty_returned"] and "state" not in vals:
            vals = dict(vals, state="returned")
        if any(line.recall_id.state in ("closed", "cancelled") for line in self):
            raise UserError(self.env._("The recall is closed: its customer lines cannot change."))
        return super().write(vals)
