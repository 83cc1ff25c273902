from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date

from ..compat import domain_and, domain_or
from ..external_api import public

STATES = [
    ("draft", "Draft"),
    ("valid", "Valid"),
    ("expired", "Expired"),
    ("rejected", "Rejected"),
]
RESULTS = [("pass", "Pass"), ("fail", "Fail"), ("none", "No Evaluated Result")]
# What the certificate attests: frozen once it is no longer a draft (it is evidence).
EVIDENCE_FIELDS = frozenset(
    {
        "name",
        "type_id",
        "partner_id",
        "company_id",
        "product_id",
        "lot_ids",
        "issue_date",
        "expiry_date",
        "attachment_ids",
        "result_ids",
    }
)
# Context key of the actions allowed to change the state (validate, reject, expire).
STATE_CHANGE = "trace_certificate_state_change"


class TraceCertificate(models.Model):
    """A certificate of analysis, of conformity, ... issued by a vendor or a laboratory
    for lots and serial numbers, with its results and its files.

    Workflow: ``draft`` -> ``valid`` (:meth:`action_validate`, Traceability User) ->
    ``expired`` (daily job, past the expiry date); ``draft``/``valid``/``expired`` ->
    ``rejected`` (:meth:`reject`, Traceability Manager, with a reason). Only drafts can
    be changed or deleted.
    """

    _name = "trace.certificate"
    _description = "Certificate"
    _inherit = ["mail.thread", "mail.activity.mixin", "trace.audit.mixin"]
    _order = "issue_date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "partner_id.name", "lot_ids.name"]

    name = fields.Char(
        "Number",
        required=True,
        copy=False,
        tracking=True,
        index="trigram",
        help="The certificate number, as printed by its issuer: unique per issuer.",
    )
    type_id = fields.Many2one("trace.certificate.type", required=True, tracking=True, ondelete="restrict", index=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Issuer",
        required=True,
        tracking=True,
        index=True,
        check_company=True,
        help="The vendor or laboratory that issued the certificate.",
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    product_id = fields.Many2one(
        "product.product",
        compute="_compute_product_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index=True,
        check_company=True,
        help="The product the certificate is about; its lots must be lots of this product.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "trace_certificate_stock_lot_rel",
        "certificate_id",
        "lot_id",
        "Lots/Serial Numbers",
        domain="[('product_id', '=?', product_id), ('company_id', 'in', [company_id, False])]",
        help="The lots and serial numbers the certificate covers.",
    )
    issue_date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        index=True,
        help="Set from the type's validity when empty. A certificate past this date no longer counts.",
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "trace_certificate_ir_attachment_rel",
        "certificate_id",
        "attachment_id",
        "Files",
        copy=False,
        help="The certificate documents. The SHA-256 of each file is recorded when it is attached.",
    )
    state = fields.Selection(
        STATES, default="draft", required=True, readonly=True, copy=False, tracking=True, index=True
    )
    result_ids = fields.One2many("trace.certificate.result", "certificate_id", "Results", copy=True)
    result = fields.Selection(
        RESULTS,
        "Overall Result",
        compute="_compute_result",
        store=True,
        tracking=True,
        help="Fail: a result is outside its limits. Pass: every evaluated result is within its limits. "
        "No Evaluated Result: no results, or none with limits.",
    )
    user_id = fields.Many2one(
        "res.users",
        "Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        help="Gets the reminder activity before the certificate expires.",
    )
    validated_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    validated_date = fields.Datetime("Validated On", readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False)
    expiry_reminder_date = fields.Date(
        "Expiry Reminder Scheduled On",
        readonly=True,
        copy=False,
        help="When the daily job scheduled the reminder activity (once per certificate).",
    )
    note = fields.Html("Notes")

    @api.depends("lot_ids")
    def _compute_product_id(self):
        for certificate in self:
            products = certificate.lot_ids.product_id
            if not certificate.product_id and len(products) == 1:
                certificate.product_id = products

    @api.depends("issue_date", "type_id")
    def _compute_expiry_date(self):
        for certificate in self:
            days = certificate.type_id.validity_days
            if days and certificate.issue_date:
                certificate.expiry_date = certificate.issue_date + timedelta(days=days)
            elif not certificate.expiry_date:
                certificate.expiry_date = False

    @api.depends("result_ids.result")
    def _compute_result(self):
        for certificate in self:
            results = set(certificate.result_ids.mapped("result"))
            if "fail" in results:
                certificate.result = "fail"
            elif "pass" in results:
                certificate.result = "pass"
            else:
                certificate.result = "none"

    @api.depends("name", "type_id.code")
    def _compute_display_name(self):
        for certificate in self:
            code = certificate.type_id.code
            certificate.display_name = f"{code} {certificate.name}" if code else certificate.name

    @api.constrains("issue_date", "expiry_date")
    def _check_dates(self):
        for certificate in self:
            if certificate.expiry_date and certificate.issue_date and certificate.expiry_date < certificate.issue_date:
                raise ValidationError(
                    self.env._(
                        "Certificate %(number)s: the expiry date (%(expiry)s) is before the issue date (%(issue)s).",
                        number=certificate.name,
                        expiry=certificate.expiry_date,
                        issue=certificate.issue_date,
                    )
                )

    @api.constrains("name", "partner_id", "company_id")
    def _check_unique_number(self):
        for certificate in self:
            issuer = certificate.partner_id.commercial_partner_id
            duplicate = self.sudo().search(
                [
                    ("name", "=", certificate.name),
                    ("partner_id", "child_of", issuer.id),
                    ("company_id", "=", certificate.company_id.id),
                    ("id", "!=", certificate.id),
                ],
                limit=1,
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "%(issuer)s already has a certificate numbered %(number)s.",
                        issuer=issuer.display_name,
                        number=certificate.name,
                    )
                )

    @api.constrains("lot_ids", "product_id", "company_id")
    def _check_lots(self):
        for certificate in self.sudo():
            foreign = certificate.lot_ids.filtered(
                lambda lot, certificate=certificate: lot.company_id and lot.company_id != certificate.company_id
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Certificate %(number)s is a certificate of %(company)s: "
                        "it cannot cover %(lots)s of %(other)s.",
                        number=certificate.name,
                        company=certificate.company_id.name,
                        lots=", ".join(foreign.mapped("name")),
                        other=", ".join(foreign.company_id.mapped("name")),
                    )
                )
            product = certificate.product_id
            if product:
                others = certificate.lot_ids.filtered(lambda lot, product=product: lot.product_id != product)
                if others:
                    raise ValidationError(
                        self.env._(
                            "Certificate %(number)s is about %(product)s: %(lots)s are lots of another product.",
                            number=certificate.name,
                            product=product.display_name,
                            lots=", ".join(f"{lot.name} ({lot.product_id.display_name})" for lot in others),
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("state", "draft") != "draft" and not self.env.context.get(STATE_CHANGE):
                raise UserError(
                    self.env._("A certificate is created as a draft, then validated with its Validate action.")
                )
            if isinstance(vals.get("name"), str):
                vals["name"] = vals["name"].strip()
            self.env["trace.certificate.result"]._trace_clean_commands(vals.get("result_ids"))
        certificates = super().create(vals_list)
        certificates._register_files()
        return certificates

    def write(self, vals):
        if "state" in vals and not self.env.context.get(STATE_CHANGE):
            raise UserError(
                self.env._("The state of a certificate changes through its actions: Validate, Reject, and expiry.")
            )
        locked = self.filtered(lambda certificate: certificate.state != "draft")
        changed = EVIDENCE_FIELDS & set(vals)
        if locked and changed:
            raise UserError(
                self.env._(
                    "%(certificates)s cannot be changed: only a draft certificate can (%(fields)s). "
                    "A certificate that is wrong is rejected and a corrected one recorded.",
                    certificates=", ".join(locked.mapped("display_name")),
                    fields=", ".join(self._fields[name]._description_string(self.env) for name in sorted(changed)),
                )
            )
        if isinstance(vals.get("name"), str):
            vals = dict(vals, name=vals["name"].strip())
        self.env["trace.certificate.result"]._trace_clean_commands(vals.get("result_ids"))
        res = super().write(vals)
        if "attachment_ids" in vals:
            self._register_files()
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if not (default or {}).get("name"):
            for certificate, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(number)s (copy)", number=certificate.name)
        return vals_list

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        kept = self.filtered(lambda certificate: certificate.state != "draft")
        if kept:
            raise UserError(
                self.env._(
                    "Only draft certificates can be deleted: %(certificates)s are evidence (%(lots)s lots and "
                    "%(entries)s audit trail entries refer to them).",
                    certificates=", ".join(kept.mapped("display_name")),
                    lots=len(kept.sudo().lot_ids),
                    entries=self.env["trace.audit.log"]._count_for(kept),
                )
            )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    @public(single=True, access="write")
    def action_validate(self):
        """Accept the certificate: its file, dates and expected results are checked."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("Certificate %(number)s is not a draft.", number=self.display_name))
        self._check_validation()
        self.with_context(**{STATE_CHANGE: True}).write(
            {"state": "valid", "validated_by_id": self.env.uid, "validated_date": fields.Datetime.now()}
        )
        self._trace_check_plan_limits()
        self._release_lots()
        return True

    def action_open_reject(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Certificate"),
            "res_model": "trace.certificate.reject",
            "view_mode": "form",
            "target": "new",
            "context": {"default_certificate_ids": self.ids},
        }

    @public()
    def action_verify_files(self):
        """Recompute the SHA-256 of every file and report those that no longer match."""
        tampered = self._verify_files()
        for certificate in self:
            certificate._post_file_check(tampered[certificate])
        bad = [(certificate, attachment) for certificate in self for attachment in tampered[certificate]]
        if bad:
            message = self.env._(
                "These files no longer match the SHA-256 recorded when they were attached: %(files)s",
                files=", ".join(f"{attachment.name} ({certificate.display_name})" for certificate, attachment in bad),
            )
        else:
            message = self.env._(
                "All %(count)s files match the SHA-256 recorded when they were attached.",
                count=len(self.attachment_ids),
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Verify Files"),
                "message": message,
                "type": "danger" if bad else "success",
                "sticky": bool(bad),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def action_open_lots(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(certificate)s: lots", certificate=self.display_name),
            "res_model": "stock.lot",
            "view_mode": "list,form",
            "domain": [("id", "in", self.lot_ids.ids)],
        }

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @public()
    def reject(self, reason):
        """Reject these certificates (Traceability Manager), keeping the reason.

        Public (XML-RPC). A rejected certificate no longer counts for any lot.
        """
        if not self.env.su and not self.env.user.has_group("trace_compliance.group_trace_manager"):
            raise AccessError(
                self.env._(
                    "Only a %(group)s can reject certificates.",
                    group=self.env.ref("trace_compliance.group_trace_manager").full_name,
                )
            )
        if not reason or not str(reason).strip():
            raise UserError(self.env._("A reason is required to reject a certificate."))
        rejected = self.filtered(lambda certificate: certificate.state == "rejected")
        if rejected:
            raise UserError(
                self.env._(
                    "%(certificates)s are already rejected.", certificates=", ".join(rejected.mapped("display_name"))
                )
            )
        reason = str(reason).strip()
        self.with_context(**{STATE_CHANGE: True}).write({"state": "rejected", "rejection_reason": reason})
        for certificate in self:
            certificate.message_post(
                body=self.env._("Certificate rejected: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note"
            )
        return True

    def _check_validation(self):
        """Refuse to validate a certificate without its file, expired, covering nothing, or
        missing a result its type expects."""
        self.ensure_one()
        name = self.display_name
        if self.type_id.file_required and not self.attachment_ids:
            raise UserError(
                self.env._(
                    "%(certificate)s cannot be validated without its file: a %(type)s needs the certificate document.",
                    certificate=name,
                    type=self.type_id.name,
                )
            )
        if self.expiry_date and self.expiry_date < fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "%(certificate)s cannot be validated: it expired on %(date)s.",
                    certificate=name,
                    date=format_date(self.env, self.expiry_date),
                )
            )
        if not self.lot_ids and not self.product_id:
            raise UserError(
                self.env._("%(certificate)s cannot be validated: it covers no product and no lot.", certificate=name)
            )
        reported_names = {result.name.strip().lower() for result in self.result_ids}
        missing = self.type_id.parameter_ids.filtered(
            lambda parameter: (
                parameter not in self.result_ids.parameter_id and parameter.name.strip().lower() not in reported_names
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "%(certificate)s cannot be validated: a %(type)s reports %(parameters)s.",
                    certificate=name,
                    type=self.type_id.name,
                    parameters=", ".join(missing.mapped("name")),
                )
            )

    def _check_results_editable(self):
        locked = self.filtered(lambda certificate: certificate.state != "draft")
        if locked:
            raise UserError(
                self.env._(
                    "The results of %(certificates)s cannot be changed: only the results of a draft certificate can.",
                    certificates=", ".join(locked.mapped("display_name")),
                )
            )

    def _register_files(self):
        """Record the SHA-256 of the files attached without one. A file uploaded for a
        certificate (attached to no other record) becomes an attachment of it."""
        for certificate in self.sudo():
            links = certificate.attachment_ids.filtered(lambda attachment: attachment.type != "binary")
            if links:
                raise UserError(
                    self.env._(
                        "A certificate file is an uploaded file, not a link: %(names)s.",
                        names=", ".join(links.mapped("name")),
                    )
                )
            for attachment in certificate.attachment_ids.filtered(lambda attachment: not attachment.trace_sha256):
                vals = {"trace_sha256": attachment._trace_compute_sha256()}
                if not attachment.res_id and attachment.res_model in (False, self._name):
                    vals.update(res_model=self._name, res_id=certificate.id)
                attachment._trace_write_hash(vals)

    def _verify_files(self):
        """``{certificate: attachments}``: the files whose content no longer matches the
        SHA-256 recorded when they were attached (or that have none recorded)."""
        return {
            certificate: certificate.sudo().attachment_ids.filtered(
                lambda attachment: attachment.trace_sha256 != attachment._trace_compute_sha256()
            )
            for certificate in self
        }

    def _post_file_check(self, tampered):
        """Note the result of a file check in the chatter, as the user who checked (an
        auditor may check without write access)."""
        self.ensure_one()
        if tampered:
            items = Markup("").join(
                Markup("<li>%s (SHA-256 recorded: %s)</li>") % (attachment.name, attachment.trace_sha256 or "-")
                for attachment in tampered
            )
            body = Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._(
                    "File check by %(user)s: %(count)s files no longer match their recorded SHA-256.",
                    user=self.env.user.name,
                    count=len(tampered),
                ),
                items,
            )
        else:
            body = self.env._(
                "File check by %(user)s: the %(count)s files match their recorded SHA-256.",
                user=self.env.user.name,
                count=len(self.attachment_ids),
            )
        self.sudo().message_post(body=body, author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note")

    def _release_lots(self):
        """With the company's setting, release the lots of this valid, passing certificate
        that were put in quarantine for lack of certificates, once no certificate required
        at receipt is missing for them (a system action, noted on each lot)."""
        self.ensure_one()
        if self.state != "valid" or self.result == "fail" or not self.company_id.trace_certificate_release:
            return self.env["stock.lot"]
        lots = self.sudo().lot_ids.filtered(
            lambda lot: lot.quality_status == "quarantine" and lot.trace_awaiting_certificate
        )
        missing = lots._trace_missing_certificates("receipt", self.company_id)
        complete = lots.filtered(lambda lot: lot not in missing)
        # A lot an open inspection holds no longer awaits certificates: its inspection releases it.
        inspected = complete.filtered("trace_awaiting_inspection")
        if inspected:
            inspected.with_context(trace_status_checked=True).write({"trace_awaiting_certificate": False})
            for lot in inspected:
                lot.message_post(
                    body=self.env._(
                        "Certificate %(certificate)s approved: the lot stays in quarantine until its inspection "
                        "is done.",
                        certificate=self.display_name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            complete -= inspected
        if complete:
            complete.set_quality_status(
                "released",
                self.env._(
                    "Certificate %(certificate)s from %(issuer)s approved by %(user)s",
                    certificate=self.display_name,
                    issuer=self.partner_id.display_name,
                    user=self.env.user.name,
                ),
            )
        return complete

    def _trace_is_own(self):
        """Whether this certificate is our own lab's (issued by its company)."""
        self.ensure_one()
        return self.partner_id.commercial_partner_id == self.company_id.partner_id.commercial_partner_id

    def _trace_check_plan_limits(self):
        """A vendor's certificate is checked against the limits of the inspection plans at
        receipt of its lots: each result named as a measurement of the plan (any case) and
        outside the plan's limits puts the lots on hold, noted on the certificate."""
        self.ensure_one()
        if self._trace_is_own() or not self.lot_ids:
            return self.env["stock.lot"]
        Plan = self.env["trace.inspection.plan"]
        candidates = Plan._get_candidate_plans("receipt", self.company_id)
        held = self.env["stock.lot"]
        for product in self.sudo().lot_ids.product_id:
            plan = candidates._select_plan(product, "receipt", self.partner_id)
            if not plan:
                continue
            out = self._trace_out_of_plan(plan)
            if not out:
                continue
            reason = self.env._(
                "Certificate %(certificate)s from %(issuer)s is out of the specification of plan %(plan)s: %(results)s",
                certificate=self.display_name,
                issuer=self.partner_id.display_name,
                plan=plan.name,
                results="; ".join(out),
            )
            lots = self.sudo().lot_ids.filtered(lambda lot, product=product: lot.product_id == product)
            held |= lots._trace_hold_for(reason)
            self.sudo().message_post(body=reason, subtype_xmlid="mail.mt_note")
        return held

    def _trace_out_of_plan(self, plan):
        """The results of this certificate outside the limits of ``plan``'s measurements of
        the same name, as texts: 'Moisture 14.8 % (limit ≤ 14.5 %)'."""
        tests = {
            test.name.strip().lower(): test
            for test in plan.sudo().test_ids
            if test.test_type == "measure" and test.limit_type != "none"
        }
        out = []
        for result in self.sudo().result_ids:
            test = tests.get((result.name or "").strip().lower())
            if test and not result.text_value and not result.qualitative_result:
                if test._trace_evaluate_value(result.value) == "fail":
                    limits = f"{test._format_limits()} {test.uom or ''}".strip()
                    value = f"{result._format_value()} {result.uom or test.uom or ''}".strip()
                    out.append(
                        self.env._(
                            "%(test)s %(value)s (limit %(limits)s)", test=result.name, value=value, limits=limits
                        )
                    )
        return out

    @api.model
    def _valid_lot_types(self, lots, certificate_types, company):
        """``{(lot id, type id)}``: the lots covered, for each type, by a valid certificate
        of ``company`` that is not expired and has no failed result (one query)."""
        if not lots or not certificate_types:
            return set()
        today = fields.Date.context_today(self)
        certificates = self.sudo().search(
            [
                ("state", "=", "valid"),
                ("company_id", "=", company.id),
                ("lot_ids", "in", lots.ids),
                ("type_id", "in", certificate_types.ids),
                ("result", "!=", "fail"),
                "|",
                ("expiry_date", "=", False),
                ("expiry_date", ">=", today),
            ]
        )
        wanted = set(lots.ids)
        return {
            (lot_id, certificate.type_id.id)
            for certificate in certificates
            for lot_id in certificate.lot_ids.ids
            if lot_id in wanted
        }

    @api.model
    def _cron_expire_certificates(self):
        """Daily: expire the valid certificates past their expiry date, and schedule a
        reminder activity (once) on those expiring within the company's warning days."""
        today = fields.Date.context_today(self)
        certificates = self.sudo()
        expired = certificates.search([("state", "=", "valid"), ("expiry_date", "<", today)])
        expired.with_context(**{STATE_CHANGE: True}).write({"state": "expired"})
        pending = [("state", "=", "valid"), ("expiry_date", ">=", today), ("expiry_reminder_date", "=", False)]
        companies = [company for [company] in certificates._read_group(pending, ["company_id"])]
        within = domain_or(
            [
                [
                    ("company_id", "=", company.id),
                    ("expiry_date", "<=", today + timedelta(days=company.trace_certificate_expiry_days)),
                ]
                for company in companies
            ]
        )
        expiring = certificates.search(domain_and([pending, within])) if companies else certificates.browse()
        expiring._schedule_expiry_activities()
        return {"expired": expired.ids, "expiring": expiring.ids}

    def _schedule_expiry_activities(self):
        """One to-do activity per certificate, for its responsible, due on its expiry date."""
        if not self:
            return self.env["mail.activity"]
        activities = (
            self.env["mail.activity"]
            .sudo()
            .create([certificate._prepare_expiry_activity_vals() for certificate in self])
        )
        self.write({"expiry_reminder_date": fields.Date.context_today(self)})
        return activities

    def _prepare_expiry_activity_vals(self):
        """Hook: the to-do activity reminding this certificate's responsible (else its
        creator) that it expires, due on its expiry date."""
        self.ensure_one()
        return {
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "user_id": (self.user_id or self.create_uid).id,
            "date_deadline": self.expiry_date,
            "summary": self.env._(
                "Certificate %(certificate)s expires on %(date)s",
                certificate=self.display_name,
                date=format_date(self.env, self.expiry_date),
            ),
            "note": self.env._(
                "Ask %(issuer)s for a new certificate, or plan for the lots it covers.",
                issuer=self.partner_id.display_name,
            ),
            "automated": True,
        }
