from odoo import api, fields, models
from odoo.tools import html2plaintext

from odoo.addons.trace_compliance.groups import TRACE_READERS


class RepairOrder(models.Model):
    _inherit = "repair.order"

    under_warranty = fields.Boolean(
        compute="_compute_under_warranty",
        store=True,
        readonly=False,
        help="Set from the serial's warranty on the scheduled date (it can be changed). If ticked, the sales price "
        "will be set to 0 for all products transferred from the repair order.",
    )
    service_event_ids = fields.One2many(
        "trace.service.event", "repair_id", "Service Events", readonly=True, groups=TRACE_READERS
    )

    @api.depends("lot_id", "schedule_date")
    def _compute_under_warranty(self):
        for repair in self:
            if repair.lot_id and repair.lot_id.product_id.tracking == "serial":
                date = fields.Date.context_today(repair, repair.schedule_date or fields.Datetime.now())
                repair.under_warranty = repair.lot_id._warranty_status_at(date)[1]

    def action_repair_done(self):
        result = super().action_repair_done()
        self.filtered(lambda repair: repair.state == "done" and repair.lot_id)._trace_record_service_events()
        return result

    def _trace_record_service_events(self):
        """One done repair event per repaired serial: the parts with a lot or serial that were
        added are installed in it (genealogy), those removed leave it."""
        values = [
            repair._prepare_trace_service_event_vals()
            for repair in self
            if repair.lot_id.product_id.tracking == "serial"
        ]
        if values:
            # Whoever finishes the repair records its event, traceability rights or not.
            events = self.env["trace.service.event"].sudo().create(values)
            events.action_done()
        return True

    def _prepare_trace_service_event_vals(self):
        """Hook: the repair event of this done repair of a serial: the parts added
        (installed in it) and removed, their cost covered by the warranty or charged."""
        self.ensure_one()
        done_moves = self.move_ids.filtered(lambda move: move.state == "done")
        added = done_moves.filtered(lambda move: move.repair_line_type == "add")
        removed = done_moves.filtered(lambda move: move.repair_line_type in ("remove", "recycle"))
        parts_cost = sum(move.product_id.standard_price * move.quantity for move in added)
        return {
            "lot_id": self.lot_id.id,
            "event_type": "repair",
            "date": fields.Datetime.now(),
            "partner_id": self.partner_id.id or self.lot_id.customer_id.id,
            "technician_id": self.user_id.id,
            "description": html2plaintext(self.internal_notes) if self.internal_notes else self.name,
            "result": self.env._("Repair %(repair)s done.", repair=self.name),
            "repair_id": self.id,
            "company_id": self.company_id.id,
            "cost_covered": parts_cost if self.under_warranty else 0.0,
            "cost_charged": 0.0 if self.under_warranty else parts_cost,
            "installed_lot_ids": [fields.Command.set(added.move_line_ids.lot_id.ids)],
            "removed_lot_ids": [fields.Command.set(removed.move_line_ids.lot_id.ids)],
        }
