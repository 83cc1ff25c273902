from odoo import api, fields, models
from odoo.exceptions import UserError


class TraceRecall(models.Model):
    _inherit = "trace.recall"

    field_action_ids = fields.One2many("trace.service.event", "recall_id", "Field Action Events", readonly=True)
    field_action_count = fields.Integer("Field Actions", compute="_compute_field_action_progress", store=True)
    field_action_done_count = fields.Integer("Field Actions Done", compute="_compute_field_action_progress", store=True)
    field_action_progress = fields.Float(
        "Field Actions Done (%)", compute="_compute_field_action_progress", store=True, aggregator="avg"
    )
    field_action_serial_count = fields.Integer(
        "Serials in the Field",
        compute="_compute_field_action_serial_count",
        help="Affected serial numbers delivered to customers: each gets one field action.",
    )

    @api.depends("field_action_ids.state")
    def _compute_field_action_progress(self):
        for recall in self:
            actions = recall.field_action_ids.filtered(lambda event: event.state != "cancelled")
            done = actions.filtered(lambda event: event.state == "done")
            recall.field_action_count = len(actions)
            recall.field_action_done_count = len(done)
            recall.field_action_progress = 100.0 * len(done) / len(actions) if actions else 0.0

    def _compute_field_action_serial_count(self):
        for recall in self:
            recall.field_action_serial_count = len(recall._field_action_serials())

    def _field_action_serials(self):
        """Affected serial numbers delivered to customers (the units in the field)."""
        self.ensure_one()
        return self.delivery_ids.lot_id.filtered(lambda lot: lot.product_id.tracking == "serial")

    def action_create_field_actions(self):
        """One field action (to do) per affected serial in the field; serials that already
        have one on this recall are skipped, so the action can be run again after a recompute."""
        self.ensure_one()
        if self.state not in ("draft", "open") or self.compute_state != "done":
            raise UserError(
                self.env._("Compute %(recall)s (and keep it open) before creating its field actions.", recall=self.name)
            )
        serials = self._field_action_serials()
        if not serials:
            raise UserError(
                self.env._(
                    "%(recall)s has no affected serial numbers delivered to customers: field actions are for "
                    "serial-tracked products in the field.",
                    recall=self.name,
                )
            )
        serials -= self.field_action_ids.lot_id
        delivered_to = {line.lot_id.id: line.partner_id.id for line in self.delivery_ids.sorted("date")}
        events = (
            self.env["trace.service.event"]
            .with_context(tracking_disable=True, mail_create_nolog=True)
            .create([self._prepare_field_action_vals(serial, delivered_to.get(serial.id)) for serial in serials])
        )
        if events:
            self.message_post(
                body=self.env._("%(count)s field actions created, one per serial in the field.", count=len(events))
            )
        return self.action_view_field_actions()

    def _prepare_field_action_vals(self, serial, partner_id):
        """Hook: the field action (a ``trace.service.event`` to do) of one affected
        ``serial`` in the field; ``partner_id`` is the customer of its last delivery, used
        when the serial has no registered customer."""
        self.ensure_one()
        return {
            "lot_id": serial.id,
            "event_type": "field_action",
            "recall_id": self.id,
            "partner_id": serial.customer_id.id or partner_id,
            "company_id": self.company_id.id,
            "technician_id": False,
            "description": self.reason,
        }

    def action_view_field_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_warranty.trace_service_event_action")
        action["domain"] = [("recall_id", "=", self.id)]
        action["context"] = {"search_default_todo": 1, "create": False}
        action["name"] = self.env._("Field Actions of %(recall)s", recall=self.name)
        return action
