from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..external_api import public
from .trace_inspection_plan import TRIGGERS

STATES = [("open", "Open"), ("passed", "Passed"), ("failed", "Failed"), ("cancelled", "Cancelled")]


class TraceInspection(models.Model):
    """The inspection of one lot by our own lab, created by its plan when the lot is
    received or produced (:meth:`_create_for_lots`).

    While it is open the lot stays in quarantine (``stock.lot.trace_awaiting_inspection``).
    Recording every required result and completing it (:meth:`action_done`,
    :meth:`record_results`) produces the lot's internal test report (a validated
    ``trace.certificate`` issued by the company) and passes or fails it: a failure puts the
    lot on hold with the failed results as the reason; a pass releases it when nothing else
    holds it (no certificate awaited, no other open inspection).
    """

    _name = "trace.inspection"
    _description = "Inspection"
    _inherit = ["mail.thread", "mail.activity.mixin", "trace.audit.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "lot_id.name"]

    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/", index="trigram")
    lot_id = fields.Many2one(
        "stock.lot",
        "Lot/Serial Number",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True, index=True)
    plan_id = fields.Many2one("trace.inspection.plan", required=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    trigger = fields.Selection(TRIGGERS, required=True, readonly=True)
    picking_id = fields.Many2one("stock.picking", "Receipt", readonly=True, index="btree_not_null")
    production_id = fields.Many2one("mrp.production", "Manufacturing Order", readonly=True, index="btree_not_null")
    partner_id = fields.Many2one("res.partner", "Vendor", readonly=True)
    state = fields.Selection(STATES, default="open", required=True, readonly=True, tracking=True, index=True)
    line_ids = fields.One2many("trace.inspection.line", "inspection_id", "Results")
    certificate_id = fields.Many2one(
        "trace.certificate",
        "Test Report",
        readonly=True,
        copy=False,
        help="The internal test report produced from the results.",
    )
    failure_reason = fields.Char(readonly=True, copy=False)
    done_by_id = fields.Many2one("res.users", "Recorded By", readonly=True, copy=False)
    date_done = fields.Datetime("Recorded On", readonly=True, copy=False)
    can_record = fields.Boolean(compute="_compute_can_record")
    note = fields.Html("Notes")

    @api.depends_context("uid")
    def _compute_can_record(self):
        for inspection in self:
            inspection.can_record = inspection.state == "open" and inspection._may_record(self.env.user)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("trace.inspection") or "/"
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals and not self.env.context.get("trace_inspection_state_change"):
            raise UserError(self.env._("The state of an inspection changes through its actions: Done and Cancel."))
        closed = self.filtered(lambda inspection: inspection.state != "open")
        if closed and set(vals) - {"note", "message_main_attachment_id"}:
            raise UserError(
                self.env._(
                    "%(inspections)s cannot be changed: it is no longer open.",
                    inspections=", ".join(closed.mapped("name")),
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    @public(single=True, access="write")
    def action_done(self):
        """Complete the inspection with the results recorded: pass or fail it, produce the
        lot's internal test report and set the lot's status."""
        self.ensure_one()
        self._check_recordable()
        self._check_complete()
        self._finish()
        return True

    @public(single=True, access="write")
    def record_results(self, results, done=False):
        """Record results of this inspection, and complete it with ``done``.

        Public (XML-RPC). ``results`` maps a test (its result line's id, or the test's name,
        any case) to its result: a number for a measurement (a number written as text is
        read), ``"pass"``/``"fail"`` (or ``True``/``False``) for a pass/fail test, a file for a
        photo or file test (its content in base64, or ``{"name", "datas"}``). Anything wrong
        (an unknown test, a value that is not a number, a user the plan does not allow) is
        refused with a ``UserError`` naming it, and nothing is recorded.
        """
        self.ensure_one()
        self._check_recordable()
        if not isinstance(results, dict) or not results:
            raise UserError(
                self.env._(
                    "%(inspection)s: give the results as a mapping of tests (line ids or test names) to values.",
                    inspection=self.name,
                )
            )
        updates = [(line, line._prepare_result_vals(value)) for line, value in self._match_results(results)]
        for line, vals in updates:
            line.write(vals)
        if done:
            self._check_complete()
            self._finish()
        return True

    def action_cancel(self):
        """Cancel open inspections (Traceability Manager): the lot no longer waits for them,
        and stays in quarantine until someone releases it."""
        if not self.env.su and not self.env.user.has_group("trace_compliance.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a %(group)s can cancel inspections.",
                    group=self.env.ref("trace_compliance.group_trace_manager").full_name,
                )
            )
        not_open = self.filtered(lambda inspection: inspection.state != "open")
        if not_open:
            raise UserError(self.env._("%(inspections)s are not open.", inspections=", ".join(not_open.mapped("name"))))
        self.with_context(trace_inspection_state_change=True).write({"state": "cancelled"})
        for inspection in self:
            inspection.message_post(
                body=self.env._("Inspection cancelled by %(user)s.", user=self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        self.lot_id._trace_stop_awaiting_inspection(self)
        return True

    def action_open_certificate(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "trace.certificate",
            "view_mode": "form",
            "res_id": self.certificate_id.id,
        }

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    def _may_record(self, user):
        self.ensure_one()
        return self.plan_id.sudo()._check_recorder(user)

    def _check_recordable(self):
        """Refuse unless these inspections are open and the user may record their results."""
        for inspection in self:
            if inspection.state != "open":
                raise UserError(self.env._("%(inspection)s is not open.", inspection=inspection.name))
            if not self.env.su and not inspection._may_record(self.env.user):
                plan = inspection.plan_id.sudo()
                groups = plan.group_ids or self.env.ref("trace_compliance.group_trace_user")
                raise AccessError(
                    self.env._(
                        "%(user)s may not record the results of %(inspection)s: plan %(plan)s lets %(groups)s do it.",
                        user=self.env.user.name,
                        inspection=inspection.name,
                        plan=plan.name,
                        groups=", ".join(groups.mapped("full_name")),
                    )
                )

    def _match_results(self, results):
        """``[(line, value)]`` for ``results`` (see :meth:`record_results`), or a
        ``UserError`` naming the tests that are not of this inspection."""
        self.ensure_one()
        by_name = {line.name.strip().lower(): line for line in self.line_ids}
        by_id = {str(line.id): line for line in self.line_ids}
        matched, unknown = [], []
        for key, value in results.items():
            line = by_id.get(str(key)) if not isinstance(key, bool) else None
            line = line or (isinstance(key, str) and by_name.get(key.strip().lower()))
            if line:
                matched.append((line, value))
            else:
                unknown.append(str(key))
        if unknown:
            raise UserError(
                self.env._(
                    "%(inspection)s has no test %(tests)s. Its tests: %(known)s.",
                    inspection=self.name,
                    tests=", ".join(unknown),
                    known=", ".join(self.line_ids.mapped("name")),
                )
            )
        return matched

    def _check_complete(self):
        self.ensure_one()
        missing = self.line_ids.filtered(lambda line: line.required and not line.is_recorded)
        if missing:
            raise UserError(
                self.env._(
                    "%(inspection)s cannot be completed: these results are missing: %(tests)s.",
                    inspection=self.name,
                    tests=", ".join(missing.mapped("name")),
                )
            )

    def _finish(self):
        """Pass or fail the inspection from its results, produce its test report and set
        the lot's status (system actions, noted on the inspection and the lot)."""
        self.ensure_one()
        failed = self.line_ids.filtered(lambda line: line.result == "fail")
        certificate = self._create_certificate()
        reason = False
        if failed:
            reason = self.env._(
                "Inspection %(inspection)s failed: %(results)s",
                inspection=self.name,
                results="; ".join(line._format_failure() for line in failed),
            )
        self.with_context(trace_inspection_state_change=True).write(
            {
                "state": "failed" if failed else "passed",
                "certificate_id": certificate.id,
                "failure_reason": reason,
                "done_by_id": self.env.uid,
                "date_done": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=reason or self.env._("Inspection passed: test report %(report)s.", report=certificate.display_name),
            subtype_xmlid="mail.mt_note",
        )
        if failed:
            self.lot_id._trace_hold_for(reason)
        else:
            self.lot_id._trace_stop_awaiting_inspection(
                self, self.env._("Inspection %(inspection)s passed", inspection=self.name)
            )

    def _create_certificate(self):
        """The internal test report of this inspection: a certificate issued by the
        company, validated, with the results."""
        self.ensure_one()
        certificate = self.env["trace.certificate"].sudo().create(self._prepare_certificate_vals())
        files = self.line_ids.filtered(lambda line: line.test_type == "file" and line.file)
        if files:
            certificate.write(
                {
                    "attachment_ids": [
                        Command.create(line._prepare_certificate_attachment_vals(certificate)) for line in files
                    ]
                }
            )
        certificate.action_validate()
        return certificate

    def _prepare_certificate_vals(self):
        """Values of the internal test report of this inspection (override to add some)."""
        self.ensure_one()
        return {
            "name": self.name,
            "type_id": self.plan_id.certificate_type_id.id,
            "partner_id": self.company_id.partner_id.id,
            "company_id": self.company_id.id,
            "product_id": self.product_id.id,
            "lot_ids": [Command.set(self.lot_id.ids)],
            "issue_date": fields.Date.context_today(self),
            "user_id": self.env.uid,
            "result_ids": [Command.create(line._prepare_certificate_result_vals()) for line in self.line_ids],
        }

    @api.model
    def _create_for_lots(self, entries):
        """Create the inspections ``entries`` call for, ``[{lot, trigger, partner, picking,
        production}]``, each by the most specific plan of the lot's product (sampled), and
        keep their lots in quarantine. Returns the inspections created."""
        Plan = self.env["trace.inspection.plan"]
        candidates = {}
        vals_list = []
        for entry in entries:
            lot, trigger = entry["lot"], entry["trigger"]
            company = lot.company_id or (entry.get("picking") or entry.get("production")).company_id
            key = (trigger, company.id)
            if key not in candidates:
                candidates[key] = Plan._get_candidate_plans(trigger, company)
            plan = candidates[key]._select_plan(lot.product_id, trigger, entry.get("partner"))
            if plan and plan._sample(1)[0]:
                vals_list.append(self._prepare_inspection_vals(plan, dict(entry, company=company)))
        if not vals_list:
            return self.browse()
        inspections = self.sudo().create(vals_list)
        for inspection in inspections:
            inspection.lot_id._trace_quarantine_awaiting_inspection(
                self.env._(
                    "Inspection %(inspection)s open (%(plan)s)",
                    inspection=inspection.name,
                    plan=inspection.plan_id.name,
                )
            )
        return inspections

    @api.model
    def _prepare_inspection_vals(self, plan, entry):
        """Values of the inspection of ``entry['lot']`` by ``plan`` (override to add some)."""
        return {
            "lot_id": entry["lot"].id,
            "plan_id": plan.id,
            "company_id": entry["company"].id,
            "trigger": entry["trigger"],
            "picking_id": entry.get("picking") and entry["picking"].id,
            "production_id": entry.get("production") and entry["production"].id,
            "partner_id": entry.get("partner") and entry["partner"].id,
            "line_ids": [
                Command.create(self.env["trace.inspection.line"]._prepare_line_vals(test)) for test in plan.test_ids
            ],
        }

    @api.model
    def _inspected_lot_ids(self, lots, trigger, documents):
        """``{lot id}`` of ``lots`` that already have an inspection at ``trigger`` for one of
        ``documents`` (a transfer or a manufacturing order validated again creates none)."""
        field = "picking_id" if trigger == "receipt" else "production_id"
        inspections = self.sudo().search(
            [("lot_id", "in", lots.ids), ("trigger", "=", trigger), (field, "in", documents.ids)]
        )
        return set(inspections.lot_id.ids)
