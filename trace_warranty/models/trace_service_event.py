from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.trace_compliance.compat import Constraint

EVENT_TYPES = [
    ("installation", "Installation"),
    ("inspection", "Inspection"),
    ("maintenance", "Maintenance"),
    ("repair", "Repair"),
    ("replacement", "Component Replacement"),
    ("return", "Return"),
    ("complaint", "Complaint"),
    ("field_action", "Field Action"),
]
# Once done, an event is part of the serial's history: these fields no longer change.
LOCKED_WHEN_DONE = (
    "lot_id",
    "event_type",
    "date",
    "partner_id",
    "installed_lot_ids",
    "removed_lot_ids",
    "repair_id",
    "recall_id",
    "company_id",
)


class TraceServiceEvent(models.Model):
    """One service or warranty event of a serial: installation, inspection, maintenance, repair,
    component replacement, return, complaint or field action."""

    _name = "trace.service.event"
    _inherit = ["mail.thread", "mail.activity.mixin", "trace.audit.mixin"]
    _description = "Service Event"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    lot_id = fields.Many2one(
        "stock.lot",
        "Serial Number",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        domain="[('product_id.tracking', '=', 'serial')]",
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, string="Product")
    event_type = fields.Selection(EVENT_TYPES, "Type", required=True, default="inspection", tracking=True)
    state = fields.Selection(
        [("todo", "To Do"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="todo",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now, tracking=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index="btree_not_null",
    )
    technician_id = fields.Many2one("res.users", default=lambda self: self.env.user, tracking=True)
    description = fields.Text()
    result = fields.Text()
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments")
    in_warranty = fields.Boolean(
        compute="_compute_in_warranty",
        store=True,
        help="Whether the serial was in warranty on the date of the event (kept as it was then).",
    )
    warranty_reason = fields.Char("Warranty on That Date", compute="_compute_in_warranty", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company, readonly=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    cost_covered = fields.Monetary("Covered by Warranty", help="Cost borne by the manufacturer under warranty.")
    cost_charged = fields.Monetary("Charged to Customer")
    repair_id = fields.Many2one("repair.order", "Repair Order", readonly=True, index="btree_not_null", copy=False)
    recall_id = fields.Many2one("trace.recall", readonly=True, index="btree_not_null", copy=False, ondelete="restrict")
    installed_lot_ids = fields.Many2many(
        "stock.lot",
        "trace_service_event_installed_rel",
        "event_id",
        "lot_id",
        "Components Installed",
        check_company=True,
        help="Component serials or lots put into the serial: they join its genealogy when the event is done.",
    )
    removed_lot_ids = fields.Many2many(
        "stock.lot",
        "trace_service_event_removed_rel",
        "event_id",
        "lot_id",
        "Components Removed",
        check_company=True,
        help="Component serials or lots taken out of the serial: they leave its installed components when the event "
        "is done; the genealogy keeps that the serial was delivered with them.",
    )

    _recall_lot_uniq = Constraint("UNIQUE(recall_id, lot_id)", "A recall has one field action per serial number.")

    @api.depends("lot_id")
    def _compute_partner_id(self):
        for event in self:
            if event.lot_id and not event.partner_id:
                event.partner_id = event.lot_id.customer_id

    @api.depends("lot_id", "date", "state")
    def _compute_in_warranty(self):
        for event in self:
            if not event.lot_id or not event.date:
                event.in_warranty, event.warranty_reason = False, False
                continue
            date = fields.Date.context_today(event, event.date)
            _state, event.in_warranty, event.warranty_reason = event.lot_id._warranty_status_at(date)

    @api.constrains("lot_id", "installed_lot_ids", "removed_lot_ids")
    def _check_components(self):
        for event in self:
            if event.lot_id.product_id.tracking != "serial":
                raise ValidationError(
                    self.env._(
                        "%(lot)s is not a serial number: service events are recorded against serials.",
                        lot=event.lot_id.display_name,
                    )
                )
            if event.lot_id in event.installed_lot_ids | event.removed_lot_ids:
                raise ValidationError(self.env._("A serial cannot be installed in or removed from itself."))
            both = event.installed_lot_ids & event.removed_lot_ids
            if both:
                raise ValidationError(
                    self.env._("%(lots)s cannot be both installed and removed.", lots=", ".join(both.mapped("name")))
                )

    @api.constrains("cost_covered", "cost_charged")
    def _check_costs(self):
        for event in self:
            if event.cost_covered < 0 or event.cost_charged < 0:
                raise ValidationError(self.env._("%(event)s: costs cannot be negative.", event=event.name))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("trace.service.event") or "/"
        return super().create(vals_list)

    def write(self, vals):
        locked = set(LOCKED_WHEN_DONE) & set(vals)
        if locked and not self.env.context.get("trace_service_event_done"):
            done = self.filtered(lambda event: event.state == "done")
            if done:
                raise UserError(
                    self.env._(
                        "%(events)s are done: they are part of the serial's history and their %(fields)s no longer "
                        "change. Record a new event instead.",
                        events=", ".join(done.mapped("name")),
                        fields=", ".join(self._fields[name].string for name in sorted(locked)),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        done = self.filtered(lambda event: event.state == "done")
        if done:
            raise UserError(
                self.env._(
                    "%(events)s are done: a serial's service history is never deleted.",
                    events=", ".join(done.mapped("name")),
                )
            )
        if self.filtered("recall_id"):
            raise UserError(self.env._("Field actions of a recall are cancelled, not deleted."))

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_done(self):
        """Mark the events done: components installed join the serial's genealogy, and an
        installation can start the warranty."""
        if any(event.state != "todo" for event in self):
            raise UserError(self.env._("Only events to do can be marked done."))
        self.with_context(trace_service_event_done=True).write({"state": "done"})
        self.env["trace.lot.link"]._sync_service_events(self.ids)
        # Only an installation can start a warranty (and be judged by the warranty it started).
        installations = self.filtered(lambda event: event.event_type == "installation")
        if installations:
            self.env["stock.lot"]._warranty_update_registry(installations.lot_id.ids)
            installations._compute_in_warranty()
        return True

    def action_cancel(self):
        if any(event.state == "done" for event in self):
            raise UserError(self.env._("A done event cannot be cancelled: record a new event instead."))
        self.write({"state": "cancelled"})
        return True

    def action_reset_todo(self):
        if any(event.state != "cancelled" for event in self):
            raise UserError(self.env._("Only cancelled events can be set back to do."))
        self.write({"state": "todo"})
        return True
