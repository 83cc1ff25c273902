from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.trace_compliance.compat import domain_or, move_vals
from odoo.addons.trace_compliance.external_api import public

from .trace_recall_partner import RESOLVED

# Above this many affected lots, the computation runs in the background (cron trigger).
DEFAULT_BACKGROUND_THRESHOLD = 5000
# FDA effectiveness-check levels (21 CFR 7.42(b)(3)): the share of consignees to be
# contacted, for every level but B, whose share is set case by case (above 10 %, below 100 %).
EFFECTIVENESS_TARGETS = {"A": 100.0, "B": 50.0, "C": 10.0, "D": 2.0, "E": 0.0}


class TraceRecall(models.Model):
    """A recall campaign (or a mock-recall drill): the suspect lots, everything made from
    them, where the stock is, who received it, and what was done about it."""

    _name = "trace.recall"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Recall"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one("res.company", required=True, readonly=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [("draft", "Draft"), ("open", "Open"), ("closed", "Closed"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
    )
    is_drill = fields.Boolean("Mock Recall (Drill)", readonly=True, tracking=True)
    reason = fields.Text(required=True, tracking=True)
    classification_id = fields.Many2one("trace.recall.class", tracking=True)
    lot_ids = fields.Many2many(
        "stock.lot", "trace_recall_suspect_lot_rel", "recall_id", "lot_id", "Suspect Lots", readonly=True
    )
    affected_lot_ids = fields.Many2many(
        "stock.lot",
        "trace_recall_affected_lot_rel",
        "recall_id",
        "lot_id",
        "Affected Lots",
        readonly=True,
        help="The suspect lots and every lot made from them, at every level.",
    )
    delivery_ids = fields.One2many("trace.recall.delivery", "recall_id", "Deliveries", readonly=True)
    stock_ids = fields.One2many("trace.recall.stock", "recall_id", "Stock on Hand", readonly=True)
    partner_line_ids = fields.One2many("trace.recall.partner", "recall_id", "Customers")
    affected_picking_ids = fields.Many2many(
        "stock.picking", "trace_recall_picking_rel", "recall_id", "picking_id", "Affected Deliveries", readonly=True
    )
    affected_partner_ids = fields.Many2many(
        "res.partner", "trace_recall_partner_rel", "recall_id", "partner_id", "Affected Customers", readonly=True
    )
    open_picking_ids = fields.Many2many(
        "stock.picking",
        "trace_recall_open_picking_rel",
        "recall_id",
        "picking_id",
        "Open Transfers",
        readonly=True,
        help="Transfers not done yet that hold (reserve or move) affected lots.",
    )
    open_production_ids = fields.Many2many(
        "mrp.production",
        "trace_recall_open_production_rel",
        "recall_id",
        "production_id",
        "Open Manufacturing Orders",
        readonly=True,
    )
    customer_count = fields.Integer(readonly=True)
    delivery_count = fields.Integer(readonly=True)
    affected_lot_count = fields.Integer(readonly=True)
    qty_shipped = fields.Float("Quantity Shipped", readonly=True)
    qty_in_stock = fields.Float("Quantity in Stock", readonly=True)
    qty_returned = fields.Float("Quantity Recovered", compute="_compute_effectiveness")
    acknowledged_rate = fields.Float("Customers Acknowledged (%)", compute="_compute_effectiveness")
    recovery_rate = fields.Float("Recovered / Shipped (%)", compute="_compute_effectiveness")
    compute_state = fields.Selection(
        [("none", "Not Computed"), ("pending", "Queued"), ("running", "Computing"), ("done", "Computed")],
        default="none",
        readonly=True,
        copy=False,
    )
    progress = fields.Integer(readonly=True, copy=False)
    computed_date = fields.Datetime("List Complete On", readonly=True, copy=False)
    exported_date = fields.Datetime("First Export On", readonly=True, copy=False)
    time_to_list = fields.Float("Time to Complete List (s)", readonly=True, copy=False)
    time_to_export = fields.Float("Time to Export (s)", readonly=True, copy=False)
    contained = fields.Boolean(readonly=True, copy=False, tracking=True)
    quarantine_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal')]",
        help="Containment moves the affected stock here with internal transfers.",
    )
    disposition = fields.Selection(
        [
            ("pending", "To Decide"),
            ("scrap", "Scrap"),
            ("rework", "Rework"),
            ("return", "Return to Vendor"),
            ("release", "Release (no risk)"),
        ],
        default="pending",
        tracking=True,
    )
    disposition_note = fields.Text(tracking=True)
    instructions = fields.Html(
        default=lambda self: self.env._(
            "<p>Stop selling and using the products listed. Keep them apart and contact us for their return.</p>"
        ),
        help="The instructions the customer notice gives.",
    )
    close_reason = fields.Text(readonly=True, copy=False)
    user_id = fields.Many2one(
        "res.users",
        "Coordinator",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Gets the activities to call the customers who have not answered.",
    )
    # Effectiveness checks: the customers' own answers (response page, or recorded).
    effectiveness_level = fields.Selection(
        [
            ("A", "Level A: every customer"),
            ("B", "Level B: a share set for this recall"),
            ("C", "Level C: 10 % of customers"),
            ("D", "Level D: 2 % of customers"),
            ("E", "Level E: no effectiveness checks"),
        ],
        "Effectiveness Check Level",
        default="A",
        required=True,
        tracking=True,
        help="FDA 21 CFR 7.42(b)(3): the share of customers whose answer confirms they received the notice "
        "and acted on it.",
    )
    effectiveness_target = fields.Float(
        "Target (% of Customers)",
        compute="_compute_effectiveness_target",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
    )
    answered_count = fields.Integer("Customers Answered", compute="_compute_effectiveness")
    answered_rate = fields.Float("Customers Answered (%)", compute="_compute_effectiveness")
    effectiveness_reached = fields.Boolean("Target Reached", compute="_compute_effectiveness")
    qty_accounted = fields.Float(
        "Quantity Accounted For",
        compute="_compute_effectiveness",
        help="On hand, returned, destroyed and consumed, as the customers' answers say.",
    )
    accounted_rate = fields.Float("Accounted For / Shipped (%)", compute="_compute_effectiveness")
    sub_recall_count = fields.Integer(
        "Their Customers Notified", compute="_compute_effectiveness", help="Sub-recalls: notices forwarded on."
    )
    notified_date = fields.Datetime("Notices Sent On", compute="_compute_effectiveness")
    first_answer_date = fields.Datetime("First Answer On", compute="_compute_effectiveness")
    last_answer_date = fields.Datetime(
        "Last Customer Answered On", compute="_compute_effectiveness", help="When the last customer answered first."
    )
    hours_to_first_answer = fields.Float("Hours to First Answer", compute="_compute_effectiveness")
    hours_to_last_answer = fields.Float(
        "Hours to Last Answer", compute="_compute_effectiveness", help="Once every customer notified answered."
    )
    reminder_count = fields.Integer("Customers Reminded", compute="_compute_effectiveness")

    @api.depends("effectiveness_level")
    def _compute_effectiveness_target(self):
        for recall in self:
            recall.effectiveness_target = EFFECTIVENESS_TARGETS[recall.effectiveness_level or "A"]

    @api.depends(
        "partner_line_ids.state",
        "partner_line_ids.qty_returned",
        "partner_line_ids.qty_accounted",
        "partner_line_ids.answered_date",
        "partner_line_ids.notified_date",
        "partner_line_ids.reminder_count",
        "partner_line_ids.sub_recall_count",
        "qty_shipped",
        "effectiveness_target",
    )
    def _compute_effectiveness(self):
        for recall in self:
            lines = recall.partner_line_ids
            recall.qty_returned = sum(lines.mapped("qty_returned"))
            resolved = lines.filtered(lambda line: line.state in RESOLVED)
            recall.acknowledged_rate = 100.0 * len(resolved) / len(lines) if lines else 0.0
            recall.recovery_rate = 100.0 * recall.qty_returned / recall.qty_shipped if recall.qty_shipped else 0.0
            answered = lines.filtered("answered_date")
            recall.answered_count = len(answered)
            recall.answered_rate = 100.0 * len(answered) / len(lines) if lines else 0.0
            recall.effectiveness_reached = bool(lines) and recall.answered_rate >= recall.effectiveness_target
            recall.qty_accounted = sum(lines.mapped("qty_accounted"))
            recall.accounted_rate = 100.0 * recall.qty_accounted / recall.qty_shipped if recall.qty_shipped else 0.0
            recall.sub_recall_count = sum(lines.mapped("sub_recall_count"))
            recall.reminder_count = len(lines.filtered("reminder_count"))
            notified = lines.filtered("notified_date")
            sent = min(notified.mapped("notified_date"), default=False)
            dates = answered.mapped("answered_date")
            recall.notified_date = sent
            recall.first_answer_date = first = min(dates, default=False)
            recall.last_answer_date = last = max(dates, default=False)
            recall.hours_to_first_answer = (first - sent).total_seconds() / 3600 if sent and first else 0.0
            # Once every customer notified has answered (then ``last`` is theirs).
            recall.hours_to_last_answer = (last - sent).total_seconds() / 3600 if sent and notified <= answered else 0.0

    @api.constrains("effectiveness_level", "effectiveness_target")
    def _check_effectiveness_target(self):
        for recall in self:
            level, target = recall.effectiveness_level, recall.effectiveness_target
            if level == "B" and not 10.0 < target < 100.0:
                raise ValidationError(
                    self.env._(
                        "Level B checks more than 10 %% and less than 100 %% of the customers, not %(target)s %%.",
                        target=target,
                    )
                )
            if level != "B" and target != EFFECTIVENESS_TARGETS[level]:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s checks %(share)s %% of the customers: only level B takes another share.",
                        level=level,
                        share=EFFECTIVENESS_TARGETS[level],
                    )
                )

    @api.constrains("reason")
    def _check_reason(self):
        for recall in self:
            if not (recall.reason or "").strip():
                raise ValidationError(self.env._("A recall needs a reason: say what is suspected and why."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                code = "trace.recall.drill" if vals.get("is_drill") else "trace.recall"
                vals["name"] = self.env["ir.sequence"].next_by_code(code) or "/"
        recalls = super().create(vals_list)
        recalls._check_lot_companies()
        return recalls

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(recall.state != "draft" for recall in self):
            raise UserError(self.env._("A recall that was opened is evidence: cancel or close it instead."))

    @api.model
    def _count_referring(self, field_names, ids):
        """How many recalls (of any company) refer to ``ids`` through any of ``field_names``."""
        return self.sudo().search_count(domain_or([[(name, "in", ids)] for name in field_names]))

    def _check_lot_companies(self):
        for recall in self:
            if not recall.lot_ids:
                raise UserError(self.env._("A recall needs at least one suspect lot or serial number."))
            companies = recall.lot_ids.company_id
            if len(companies) > 1 or (companies and companies != recall.company_id):
                raise UserError(
                    self.env._(
                        "The suspect lots belong to %(companies)s: a recall covers the lots of one company, "
                        "%(company)s.",
                        companies=", ".join(companies.mapped("name")),
                        company=recall.company_id.name,
                    )
                )

    # ------------------------------------------------------------------
    # computation
    # ------------------------------------------------------------------
    @public(access="write")
    def action_compute(self):
        """Fill the recall from the trace engine; large recalls go to the background."""
        for recall in self:
            if recall.state in ("closed", "cancelled"):
                raise UserError(
                    self.env._(
                        "%(recall)s is %(state)s: it cannot be computed again.", recall=recall.name, state=recall.state
                    )
                )
        threshold = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("trace_recall.background_threshold", DEFAULT_BACKGROUND_THRESHOLD)
        )
        for recall in self:
            affected = recall._trace_affected_lot_ids()
            if len(affected) > threshold and not self.env.context.get("trace_recall_foreground"):
                recall.write({"compute_state": "pending", "progress": 0})
                self.env.ref("trace_recall.ir_cron_trace_recall_compute")._trigger()
                recall.message_post(body=self.env._("Large recall: computing in the background."))
                continue
            recall._compute_lists(affected)
        return True

    def _trace_affected_lot_ids(self):
        """The suspect lots and every lot made from them (that the user may read): the
        lots of ``trace_forward``, without its documents (the lists below read them)."""
        self.ensure_one()
        return self.env["trace.engine"]._affected_lot_ids(self.lot_ids)

    @api.model
    def _cron_compute_pending(self):
        """Compute the queued recalls, committing progress between the steps. A recall left
        ``running`` was interrupted (the server stopped or crashed mid-way: Odoo runs one
        instance of a scheduled action at a time, so no other is computing it): it is
        computed again from the start, to the same lists."""
        commit = not modules.module.current_test  # tests run in one transaction
        for recall in self.search([("compute_state", "in", ("pending", "running"))]):
            recall = recall.with_user(recall.write_uid or self.env.user)
            recall.write({"compute_state": "running", "progress": 5})
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            recall._compute_lists(recall._trace_affected_lot_ids(), commit=commit)

    def _compute_lists(self, affected_ids, commit=False):
        """Every list of the recall, set-based: each line model fills its own lines in one
        SQL statement, reading lot by lot through the indexes, so the cost follows the
        recall, not the size of the database (see ``trace.engine._run_trace``)."""
        self.ensure_one()
        started = fields.Datetime.now()
        affected = sorted(affected_ids)

        def step(progress):
            self.write({"progress": progress})
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit

        self.delivery_ids.unlink()
        self.stock_ids.unlink()
        self.env.flush_all()
        self.env["trace.recall.delivery"]._fill(self, affected)
        step(40)
        self.env["trace.recall.stock"]._fill(self, affected)
        step(60)
        open_pickings, open_productions = self.env["trace.engine"]._open_document_ids(affected, self.company_id)
        self.invalidate_recordset(["delivery_ids", "stock_ids"])
        totals = self._delivery_totals()
        self.write(
            {
                "affected_lot_ids": [fields.Command.set(affected)],
                "affected_lot_count": len(affected),
                "affected_picking_ids": [fields.Command.set(totals["pickings"])],
                "affected_partner_ids": [fields.Command.set(totals["partners"])],
                "open_picking_ids": [fields.Command.set(open_pickings)],
                "open_production_ids": [fields.Command.set(open_productions)],
                "customer_count": len(totals["partners"]),
                "delivery_count": len(totals["pickings"]),
                "qty_shipped": totals["qty"],
                "qty_in_stock": sum(self.stock_ids.mapped("quantity")),
            }
        )
        step(80)
        self.env["trace.recall.partner"]._sync(self, totals["qty_by_partner"])
        self.partner_line_ids.invalidate_recordset(["delivery_ids"])
        now = fields.Datetime.now()
        vals = {"compute_state": "done", "progress": 100, "computed_date": now}
        if self.state == "draft":
            vals["state"] = "open"
        if not self.time_to_list:
            vals["time_to_list"] = (now - self.create_date).total_seconds()
        self.write(vals)
        self.message_post(
            body=self.env._(
                "List complete: %(lots)s affected lots, %(deliveries)s deliveries to %(customers)s customers, "
                "%(stock)s in stock (computed in %(seconds).1f s).",
                lots=len(affected),
                deliveries=self.delivery_count,
                customers=self.customer_count,
                stock=self.qty_in_stock,
                seconds=(now - started).total_seconds(),
            )
        )
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit

    def _delivery_totals(self):
        self.env.cr.execute(
            SQL(
                """
            SELECT partner_id, ARRAY_AGG(DISTINCT picking_id), SUM(quantity)
              FROM trace_recall_delivery WHERE recall_id = %s GROUP BY partner_id
                """,
                self.id,
            )
        )
        qty_by_partner, pickings, total = {}, set(), 0.0
        for partner_id, picking_ids, qty in self.env.cr.fetchall():
            pickings.update(picking_ids)
            total += qty or 0.0
            if partner_id:
                qty_by_partner[partner_id] = qty or 0.0
        return {"qty_by_partner": qty_by_partner, "pickings": pickings, "partners": set(qty_by_partner), "qty": total}

    # ------------------------------------------------------------------
    # containment, notices, closing
    # ------------------------------------------------------------------
    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group("trace_recall.group_recall_manager"):
            raise AccessError(self.env._("Only a Recall Manager contains, notifies, closes or cancels a recall."))

    def _check_not_drill(self, what):
        if self.filtered("is_drill"):
            raise UserError(self.env._("%(recall)s is a drill: it %(what)s.", recall=self[0].name, what=what))

    def _check_computed(self):
        for recall in self:
            if recall.compute_state != "done" or recall.state != "open":
                raise UserError(self.env._("%(recall)s must be open and computed first.", recall=recall.name))

    @public(single=True)
    def action_contain(self):
        """Affected lots in stock go to recalled, their reservations are released, and
        (with a quarantine location) internal transfers move them there."""
        self.ensure_one()
        self._check_manager()
        self._check_not_drill(self.env._("contains nothing"))
        self._check_computed()
        in_stock = self.stock_ids.lot_id | self.lot_ids
        in_stock.sudo().set_quality_status(
            "recalled", self.env._("%(recall)s: %(reason)s", recall=self.name, reason=self.reason)
        )
        reserved = self.env["stock.move.line"].search(
            [("lot_id", "in", in_stock.ids), ("state", "not in", ("done", "cancel")), ("picked", "=", False)]
        )
        moves = reserved.move_id
        moves._do_unreserve()
        transfers = self.env["stock.picking"]
        if self.quarantine_location_id and self.stock_ids:
            transfers = self._create_quarantine_transfers()
        self.contained = True
        self.message_post(
            body=self.env._(
                "Contained: %(lots)s lots set to recalled, %(moves)s reservations released, "
                "%(transfers)s quarantine transfers.",
                lots=len(in_stock),
                moves=len(moves),
                transfers=len(transfers),
            )
        )
        return True

    def _create_quarantine_transfers(self):
        """One internal transfer per location holding affected stock, to its quarantine
        location (:meth:`_get_quarantine_location`), each reserving exactly the recalled lots."""
        by_location = {}
        for line in self.stock_ids:
            if line.location_id != self._get_quarantine_location(line.location_id):
                by_location.setdefault(line.location_id, []).append(line)
        pickings = self.env["stock.picking"]
        for location, lines in by_location.items():
            picking = self.env["stock.picking"].create(self._prepare_quarantine_picking_vals(location))
            for line in lines:
                move = self.env["stock.move"].create(self._prepare_quarantine_move_vals(picking, line))
                move._action_confirm(merge=False)
                # Reserve exactly the recalled lot, not whatever the removal strategy picks.
                move._trace_recall_set_lot_lines({line.lot_id: line.quantity})
            pickings |= picking
        return pickings

    def _get_quarantine_location(self, location):
        """Where containment moves the affected stock found in ``location``: the recall's
        quarantine location (override for one per warehouse)."""
        return self.quarantine_location_id

    def _get_quarantine_picking_type(self, location):
        """The operation type of the containment transfer out of ``location``: the internal
        transfers of its warehouse (else of the quarantine location's warehouse)."""
        warehouse = location.warehouse_id or self._get_quarantine_location(location).warehouse_id
        picking_type = warehouse.int_type_id
        if not picking_type:
            raise UserError(
                self.env._(
                    "%(location)s belongs to no warehouse with internal transfers: containment cannot move its stock.",
                    location=location.display_name,
                )
            )
        return picking_type

    def _prepare_quarantine_picking_vals(self, location):
        """Values of the containment transfer of the affected stock in ``location``."""
        return {
            "picking_type_id": self._get_quarantine_picking_type(location).id,
            "location_id": location.id,
            "location_dest_id": self._get_quarantine_location(location).id,
            "origin": self.name,
        }

    def _prepare_quarantine_move_vals(self, picking, stock_line):
        """Values of the move of containment transfer ``picking`` for one recall stock line."""
        vals = {
            "picking_id": picking.id,
            "product_id": stock_line.product_id.id,
            "product_uom_qty": stock_line.quantity,
            "product_uom": stock_line.product_uom_id.id,
            "location_id": picking.location_id.id,
            "location_dest_id": picking.location_dest_id.id,
        }
        return move_vals(vals, f"{self.name}: {stock_line.lot_id.name}")

    @public(single=True)
    def action_notify(self):
        """Send the recall notice (mail + PDF letter) to each customer still to notify."""
        self.ensure_one()
        self._check_manager()
        self._check_not_drill(self.env._("sends no notice"))
        self._check_computed()
        lines = self.partner_line_ids.filtered(lambda line: line.state == "to_notify")
        lines.invalidate_recordset(["delivery_ids"])  # read by the template from the lines written in SQL
        for line in lines:
            line._portal_ensure_token()
            line._get_notice_template().send_mail(
                line.id, email_values=line._prepare_notice_vals(), email_layout_xmlid="mail.mail_notification_light"
            )
        lines.write({"state": "notified", "notified_date": fields.Datetime.now()})
        self.message_post(
            body=self.env._(
                "Recall notice sent to %(customers)s.",
                customers=", ".join(lines.partner_id.mapped("display_name")) or "-",
            )
        )
        return True

    @api.model
    def _cron_send_reminders(self):
        """The second notice and a call activity, once, for each customer of an open recall
        (never a drill) who has not answered within the company's reminder delay."""
        lines = self.env["trace.recall.partner"]
        for company in self.env["res.company"].search([("trace_recall_reminder_days", ">", 0)]):
            before = fields.Datetime.subtract(fields.Datetime.now(), days=company.trace_recall_reminder_days)
            lines |= self.env["trace.recall.partner"].search(
                [
                    ("company_id", "=", company.id),
                    ("recall_id.state", "=", "open"),
                    ("recall_id.is_drill", "=", False),
                    ("state", "=", "notified"),
                    ("answered_date", "=", False),
                    ("reminder_count", "=", 0),
                    ("notified_date", "<=", before),
                ]
            )
        for recall, recall_lines in lines.grouped("recall_id").items():
            reminded = recall_lines._send_reminders()
            if reminded:
                recall.message_post(
                    body=self.env._(
                        "Second notice sent to the customers who have not answered: %(customers)s.",
                        customers=", ".join(reminded.partner_id.mapped("display_name")),
                    )
                )
        return lines

    @public(single=True)
    def action_close(self, reason=None):
        self.ensure_one()
        self._check_manager()
        if self.state != "open":
            raise UserError(self.env._("Only an open recall can be closed."))
        unresolved = self.partner_line_ids.filtered(lambda line: line.state not in RESOLVED)
        if unresolved and not (reason and str(reason).strip()):
            raise UserError(
                self.env._(
                    "These customers are not resolved yet: %(customers)s. Resolve them or give a reason to close.",
                    customers=", ".join(unresolved.partner_id.mapped("display_name")),
                )
            )
        self.write({"state": "closed", "close_reason": reason or False})
        return True

    @public(single=True)
    def action_cancel(self):
        self.ensure_one()
        self._check_manager()
        if self.state == "closed":
            raise UserError(self.env._("A closed recall cannot be cancelled."))
        self.state = "cancelled"
        return True

    def action_open_close_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close Recall"),
            "res_model": "trace.recall.close",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recall_id": self.id},
        }

    # ------------------------------------------------------------------
    # exports
    # ------------------------------------------------------------------
    def _attach_export(self, filename, data, mimetype):
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {"name": filename, "raw": data, "res_model": self._name, "res_id": self.id, "mimetype": mimetype}
        )
        if not self.exported_date:
            now = fields.Datetime.now()
            self.write({"exported_date": now, "time_to_export": (now - self.create_date).total_seconds()})
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    @public(single=True)
    def action_open_trace_map(self):
        """The Trace Map of the suspect lots, forward: everything made from them and who received it."""
        self.ensure_one()
        return self.lot_ids._action_trace_map("forward")

    @public(single=True)
    def action_export_xlsx(self):
        self.ensure_one()
        self._check_computed()
        data = self.env["trace.recall.export.xlsx"]._render(self)
        return self._attach_export(f"{self.name.replace('/', '-')}.xlsx", data, XLSX_MIME)

    @public(single=True)
    def action_export_fsma(self):
        self.ensure_one()
        self._check_computed()
        data = self.env["trace.recall.export.fsma"]._render(self)
        return self._attach_export(f"{self.name.replace('/', '-')}-FSMA204.xlsx", data, XLSX_MIME)

    @public(single=True)
    def action_export_epcis(self):
        self.ensure_one()
        self._check_computed()
        data = self.env["trace.recall.export.epcis"]._render(self)
        return self._attach_export(f"{self.name.replace('/', '-')}-EPCIS.jsonld", data, "application/ld+json")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
