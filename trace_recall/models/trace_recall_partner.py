from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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

    def _get_notice_template(self):
        """The mail template of this customer's recall notice."""
        return self.env.ref("trace_recall.mail_template_recall_notice")

    def _prepare_notice_vals(self):
        """Values of this customer's notice (``mail.mail`` fields) on top of the template's:
        its recipients, the customer (override to add, say, their quality contact)."""
        self.ensure_one()
        return {"recipient_ids": [Command.set(self.partner_id.ids)]}

    def write(self, vals):
        if "qty_returned" in vals and vals["qty_returned"] and "state" not in vals:
            vals = dict(vals, state="returned")
        if any(line.recall_id.state in ("closed", "cancelled") for line in self):
            raise UserError(self.env._("The recall is closed: its customer lines cannot change."))
        return super().write(vals)

    @api.model
    def _sync(self, recall, qty_by_partner):
        """One customer line per customer delivered, set-based (a recall may reach
        thousands of customers): existing lines get their new quantity, new customers a
        line to notify."""
        self.flush_model()
        partners = list(qty_by_partner)
        quantities = [qty_by_partner[partner] for partner in partners]
        self.env.cr.execute(
            SQL(
                """
            WITH shipped AS (SELECT * FROM unnest(%(partners)s::int[], %(quantities)s::float8[]) AS s(partner_id, qty)),
                 updated AS (
                    UPDATE trace_recall_partner line
                       SET qty_shipped = shipped.qty, write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                      FROM shipped
                     WHERE line.recall_id = %(recall)s AND line.partner_id = shipped.partner_id
                 RETURNING line.partner_id
                 )
            INSERT INTO trace_recall_partner (recall_id, company_id, partner_id, state, qty_shipped, qty_returned,
                                              create_uid, create_date, write_uid, write_date)
            SELECT %(recall)s, %(company)s, shipped.partner_id, 'to_notify', shipped.qty, 0,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM shipped
             WHERE NOT EXISTS (SELECT 1 FROM trace_recall_partner line
                                WHERE line.recall_id = %(recall)s AND line.partner_id = shipped.partner_id)
                """,
                partners=partners,
                quantities=quantities,
                recall=recall.id,
                company=recall.company_id.id,
                uid=self.env.uid,
            )
        )
        self.invalidate_model()
        recall.invalidate_recordset(["partner_line_ids"])
