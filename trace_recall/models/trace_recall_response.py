from odoo import api, fields, models
from odoo.exceptions import UserError

# The quantities a customer accounts for, per lot, in the order the response page asks them.
RESPONSE_QUANTITIES = ("qty_on_hand", "qty_consumed", "qty_destroyed", "qty_returned")


class TraceRecallResponse(models.Model):
    """One answer of a customer to a recall notice, as sent: from the response page (the
    notice's personal link), or recorded by a user or an integration
    (``trace.recall.partner.submit_response``). A customer may change their answer until the
    recall closes: each change is a new response, and the customer line shows the latest.
    Responses are evidence of the recall's effectiveness check: never changed or deleted."""

    _name = "trace.recall.response"
    _inherit = ["trace.audit.mixin"]
    _description = "Recall Customer Answer"
    _order = "date desc, id desc"

    partner_line_id = fields.Many2one(
        "trace.recall.partner", "Recall Customer", required=True, readonly=True, index=True, ondelete="restrict"
    )
    recall_id = fields.Many2one(related="partner_line_id.recall_id", store=True, index=True)
    company_id = fields.Many2one(related="partner_line_id.company_id", store=True)
    partner_id = fields.Many2one(related="partner_line_id.partner_id", store=True, string="Customer")
    date = fields.Datetime("Answered On", required=True, readonly=True, default=fields.Datetime.now)
    channel = fields.Selection(
        [("portal", "Response Page"), ("internal", "Recorded by User or Integration")],
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", "Sent By", required=True, readonly=True, default=lambda self: self.env.user, ondelete="restrict"
    )
    received = fields.Boolean("Notice Received", readonly=True)
    quarantined = fields.Boolean(
        "Stock Kept Apart", readonly=True, help="The quantity still on hand is quarantined: not sold, not used."
    )
    sub_recall_count = fields.Integer(
        "Own Customers Notified", readonly=True, help="Customers of theirs the customer forwarded the notice to."
    )
    contact_name = fields.Char("Contact Person", required=True, readonly=True)
    contact_email = fields.Char(readonly=True)
    contact_phone = fields.Char(readonly=True)
    comment = fields.Text(readonly=True)
    line_ids = fields.One2many("trace.recall.response.line", "response_id", "Lots", readonly=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "trace_recall_response_attachment_rel",
        "response_id",
        "attachment_id",
        "Evidence",
        readonly=True,
        help="Photos or certificates of destruction sent with the answer.",
    )
    qty_on_hand = fields.Float("Still on Hand", digits="Product Unit of Measure", readonly=True)
    qty_consumed = fields.Float("Sold On or Consumed", digits="Product Unit of Measure", readonly=True)
    qty_destroyed = fields.Float("Destroyed", digits="Product Unit of Measure", readonly=True)
    qty_returned = fields.Float("Returned", digits="Product Unit of Measure", readonly=True)

    @api.depends("partner_id", "date")
    def _compute_display_name(self):
        for response in self:
            response.display_name = self.env._(
                "%(customer)s, %(date)s",
                customer=response.partner_id.display_name or "",
                date=fields.Datetime.to_string(response.date) if response.date else "",
            )

    def write(self, vals):
        if vals:
            raise UserError(
                self.env._("A customer's answer is evidence: it is never changed. A new answer replaces it.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("A customer's answer is evidence: it is never deleted."))
