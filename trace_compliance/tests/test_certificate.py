import base64
import hashlib
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_certificate import CertificateCase


@tagged("post_install", "-at_install")
class TestCertificate(CertificateCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._receive(cls.vendor_mill, [(cls.flour, "T-FL-C1", 100), (cls.flour, "T-FL-C2", 50)])
        cls.lot_1 = cls._lot(cls.flour, "T-FL-C1")
        cls.lot_2 = cls._lot(cls.flour, "T-FL-C2")

    # ------------------------------------------------------------------
    # creation, access, results
    # ------------------------------------------------------------------
    def test_create_as_user_with_results_and_file(self):
        content = b"%PDF-1.4 Northfield certificate of analysis"
        certificate = (
            self.env["trace.certificate"]
            .with_user(self.trace_user)
            .create(
                {
                    "name": "  NM-COA-001 ",
                    "type_id": self.coa.id,
                    "partner_id": self.vendor_mill.id,
                    "lot_ids": [Command.set((self.lot_1 | self.lot_2).ids)],
                    "issue_date": "2026-01-10",
                    "attachment_ids": [self._file(content, "nm-coa-001.pdf")],
                    "result_ids": [
                        Command.create({"parameter_id": self.moisture.id, "value": 13.2}),
                        Command.create({"parameter_id": self.protein.id, "value": "10.4"}),
                        Command.create({"parameter_id": self.ash.id, "value": 0.55}),
                        Command.create({"name": "Odour", "text_value": "Typical"}),
                    ],
                }
            )
        )
        self.assertEqual(certificate.name, "NM-COA-001")
        self.assertEqual(certificate.display_name, "TCOA NM-COA-001")
        self.assertEqual(certificate.state, "draft")
        self.assertEqual(certificate.company_id, self.company)
        self.assertEqual(certificate.product_id, self.flour, "the product is taken from the lots")
        self.assertEqual(certificate.expiry_date, date(2026, 7, 9), "issue date + the type's 180 days")
        moisture, protein = certificate.result_ids[:2]
        self.assertEqual((moisture.name, moisture.uom, moisture.limit_type), ("Moisture", "%", "max"))
        self.assertEqual(
            [(r.result, r.passed) for r in certificate.result_ids],
            [("pass", True), ("fail", False), ("pass", True), ("none", True)],
        )
        self.assertEqual(protein.value, 10.4, "a number given as text is read as a number")
        self.assertEqual(certificate.result, "fail")
        # Fixing the failed value makes the certificate pass.
        protein.with_user(self.trace_user).value = 11.0
        self.assertEqual((protein.result, certificate.result), ("pass", "pass"))
        # The file is the certificate's, with the SHA-256 of its content.
        attachment = certificate.attachment_ids
        self.assertEqual((attachment.res_model, attachment.res_id), ("trace.certificate", certificate.id))
        self.assertEqual(attachment.trace_sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual(self.lot_1.trace_certificate_count, 1)
        self.assertEqual(self.flour.product_tmpl_id.trace_certificate_count, 1)

    def test_overall_result(self):
        Certificate = self.env["trace.certificate"]
        empty = self._certificate(self.lot_1, self.coc, validate=False)
        self.assertEqual(empty.result, "none", "no results")
        text_only = self._certificate(
            self.lot_1,
            self.coc,
            number="COC-TXT",
            validate=False,
            result_ids=[Command.create({"name": "Appearance", "text_value": "Conforms"})],
        )
        self.assertEqual(text_only.result, "none", "no evaluated results")
        self.assertTrue(text_only.result_ids.passed, "a result that is not evaluated never fails")
        edges = Certificate.create(
            {
                "name": "EDGES",
                "type_id": self.coc.id,
                "partner_id": self.vendor_mill.id,
                "result_ids": [
                    Command.create({"name": "At upper", "upper_limit": 14.5, "value": 14.5}),
                    Command.create({"name": "At lower", "lower_limit": 0, "value": 0}),
                    Command.create({"name": "Range", "lower_limit": 1, "upper_limit": 2, "value": 1.5}),
                    Command.create({"name": "No limit", "value": 99}),
                ],
            }
        )
        self.assertEqual(edges.result_ids.mapped("limit_type"), ["max", "min", "range", "none"])
        self.assertEqual(edges.result_ids.mapped("result"), ["pass", "pass", "pass", "none"])
        self.assertEqual(edges.result, "pass")
        edges.result_ids[1].value = -0.001
        self.assertEqual((edges.result_ids[1].result, edges.result), ("fail", "fail"))
        # Limits written without a type: the bounds given are set, the others kept.
        edges.result_ids[0].write({"lower_limit": 10})
        self.assertEqual(edges.result_ids[0].limit_type, "range")
        edges.result_ids[0].write({"upper_limit": False})
        self.assertEqual(edges.result_ids[0].limit_type, "min")

    def test_access(self):
        Certificate = self.env["trace.certificate"]
        values = {"name": "X-1", "type_id": self.coa.id, "partner_id": self.vendor_mill.id}
        with self.assertRaises(AccessError):
            Certificate.with_user(self.stock_user).create(values)
        with self.assertRaises(AccessError):
            Certificate.with_user(self.auditor).create(values)
        with self.assertRaises(AccessError):
            self.env["trace.certificate.type"].with_user(self.trace_user).create({"name": "Mine", "code": "MINE"})
        certificate = self._certificate(self.lot_1)
        # The auditor reads everything and changes nothing; a stock user does not read certificates.
        self.assertEqual(certificate.with_user(self.auditor).result_ids.mapped("result"), ["pass"] * 3)
        with self.assertRaises(AccessError):
            certificate.with_user(self.auditor).write({"note": "tampered"})
        with self.assertRaises(AccessError):
            certificate.with_user(self.stock_user).read(["name"])
        self.assertNotIn("trace_certificate_count", self.lot_1.with_user(self.stock_user).fields_get())
        # Only a manager rejects, with a reason.
        with self.assertRaises(AccessError):
            certificate.with_user(self.trace_user).reject("Wrong lot")
        with self.assertRefused(UserError, "reason is required"):
            certificate.with_user(self.trace_manager).reject("  ")
        wizard = (
            self.env["trace.certificate.reject"]
            .with_user(self.trace_manager)
            .create({"certificate_ids": certificate.ids, "reason": "Issued for another lot"})
        )
        wizard.action_reject()
        self.assertEqual(certificate.state, "rejected")
        self.assertEqual(certificate.rejection_reason, "Issued for another lot")
        self.assertIn("Issued for another lot", " ".join(certificate.message_ids.mapped("body")))

    def test_menus(self):
        Menu = self.env["ir.ui.menu"]
        certificates = {
            self.env.ref("trace_compliance.trace_menu_certificates").id,
            self.env.ref("trace_compliance.trace_menu_stock_certificates").id,
        }
        configuration = {
            self.env.ref("trace_compliance.trace_menu_certificate_types").id,
            self.env.ref("trace_compliance.trace_menu_certificate_requirements").id,
        }
        for user in (self.trace_user, self.trace_manager):
            visible = Menu.with_user(user)._visible_menu_ids()
            self.assertTrue(certificates <= visible, user.login)
            self.assertEqual(configuration <= visible, user == self.trace_manager, user.login)
        # Auditors reach Traceability under Manufacturing only, read-only.
        visible = Menu.with_user(self.auditor)._visible_menu_ids()
        self.assertIn(self.env.ref("trace_compliance.trace_menu_certificates").id, visible)
        self.assertFalse(configuration & visible)
        self.assertFalse(certificates & Menu.with_user(self.stock_user)._visible_menu_ids())

    def test_workflow_locks_evidence(self):
        certificate = self._certificate(self.lot_1, validate=False)
        with self.assertRefused(UserError, "through its actions"):
            certificate.with_user(self.trace_user).write({"state": "valid"})
        with self.assertRefused(UserError, "created as a draft"):
            self.env["trace.certificate"].create(
                {"name": "DIRECT", "type_id": self.coa.id, "partner_id": self.vendor_mill.id, "state": "valid"}
            )
        certificate.with_user(self.trace_user).action_validate()
        self.assertEqual(certificate.state, "valid")
        self.assertEqual(certificate.validated_by_id, self.trace_user)
        with self.assertRefused(UserError, "not a draft"):
            certificate.with_user(self.trace_user).action_validate()
        with self.assertRefused(UserError, "only a draft certificate can"):
            certificate.with_user(self.trace_user).write({"lot_ids": [Command.link(self.lot_2.id)]})
        with self.assertRefused(UserError, "results of"):
            certificate.result_ids[0].with_user(self.trace_user).write({"value": 20})
        with self.assertRefused(UserError, "results of"):
            self.env["trace.certificate.result"].with_user(self.trace_user).create(
                {"certificate_id": certificate.id, "name": "Late", "value": 1}
            )
        certificate.with_user(self.trace_user).write({"note": "<p>Checked against the PO</p>"})
        # Certificates are evidence: only drafts can be deleted (and only by a manager).
        with self.assertRaises(AccessError):
            certificate.with_user(self.trace_user).unlink()
        with self.assertRefused(UserError, "Only draft certificates"):
            certificate.with_user(self.trace_manager).unlink()
        draft = self._certificate(self.lot_2, validate=False)
        draft.with_user(self.trace_manager).unlink()
        self.assertFalse(draft.exists())
        copy = certificate.copy()
        self.assertEqual((copy.name, copy.state, len(copy.result_ids)), (f"{certificate.name} (copy)", "draft", 3))

    # ------------------------------------------------------------------
    # bad input
    # ------------------------------------------------------------------
    def test_uniqueness(self):
        self._certificate(self.lot_1, number="NM-42", validate=False)
        with self.assertRefused(ValidationError, "already has a certificate numbered NM-42"):
            self._certificate(self.lot_2, number="NM-42", validate=False)
        contact = self.env["res.partner"].create({"name": "Lab Desk", "parent_id": self.vendor_mill.id})
        with self.assertRefused(ValidationError, "already has a certificate numbered NM-42"):
            self._certificate(self.lot_2, number=" NM-42", validate=False, partner_id=contact.id)
        other_issuer = self._certificate(self.lot_2, number="NM-42", validate=False, partner_id=self.vendor_salt.id)
        self.assertEqual(other_issuer.name, "NM-42", "the same number from another issuer is another certificate")
        Type = self.env["trace.certificate.type"]
        with self.assertRefused(ValidationError, "TCOA is already used"):
            Type.create({"name": "Duplicate", "code": " tcoa "})
        with self.assertRefused(ValidationError, "(?i)already expects a result named moisture"):
            self.coa.write({"parameter_ids": [Command.create({"name": "moisture"})]})

    def test_bad_dates_and_limits(self):
        with self.assertRefused(ValidationError, "expiry date .* is before the issue date"):
            self._certificate(self.lot_1, validate=False, issue_date="2026-03-01", expiry_date="2026-02-28")
        with self.assertRefused(ValidationError, "lower limit .* is above the upper limit"):
            self.env["trace.certificate.type.parameter"].create(
                {"type_id": self.coc.id, "name": "Reversed", "lower_limit": 5, "upper_limit": 1}
            )
        with self.assertRefused(ValidationError, "lower limit .* is above the upper limit"):
            self._certificate(
                self.lot_1,
                self.coc,
                validate=False,
                result_ids=[Command.create({"name": "pH", "lower_limit": 7.5, "upper_limit": 6.5, "value": 7})],
            )
        with self.assertRefused(ValidationError, "Lower Limit must be a number"):
            self.ash.write({"lower_limit": "low"})

    def test_value_not_a_number(self):
        """What an integration sends over XML-RPC: a clear error, no traceback, nothing created."""
        Certificate = self.env["trace.certificate"].with_user(self.trace_user)
        for bad in ("n/a", "12,5.3", "nan", True, [1]):
            with self.subTest(value=bad), self.assertRefused(ValidationError, "Value must be a number.*Text Value"):
                Certificate.create(
                    {
                        "name": f"BAD-{bad}",
                        "type_id": self.coc.id,
                        "partner_id": self.vendor_mill.id,
                        "result_ids": [Command.create({"name": "Moisture", "value": bad})],
                    }
                )
        self.assertFalse(self.env["trace.certificate"].search([("name", "=like", "BAD-%")]))
        with self.assertRefused(ValidationError, "needs a parameter name"):
            self._certificate(self.lot_1, self.coc, validate=False, result_ids=[Command.create({"value": 1})])
        with self.assertRefused(ValidationError, "both a number .* and a text"):
            self._certificate(
                self.lot_1,
                self.coc,
                validate=False,
                result_ids=[Command.create({"name": "Moisture", "value": 12, "text_value": "Low"})],
            )

    def test_validation_checks(self):
        self.coa.file_required = True
        certificate = self._certificate(self.lot_1, validate=False)
        with self.assertRefused(UserError, "cannot be validated without its file"):
            certificate.with_user(self.trace_user).action_validate()
        self.assertEqual(certificate.state, "draft")
        certificate.with_user(self.trace_user).write({"attachment_ids": [self._file()]})
        certificate.result_ids.filtered(lambda r: r.parameter_id == self.ash).with_user(self.trace_user).unlink()
        with self.assertRefused(UserError, "reports Ash"):
            certificate.with_user(self.trace_user).action_validate()
        certificate.with_user(self.trace_user).write(
            {"result_ids": [Command.create({"name": "ash", "value": 0.52})]}
        )  # matched by name too
        certificate.with_user(self.trace_user).action_validate()
        self.assertEqual(certificate.state, "valid")
        expired = self._certificate(
            self.lot_2, self.coc, validate=False, issue_date=self._days(-30), expiry_date=self._days(-1)
        )
        with self.assertRefused(UserError, "it expired on"):
            expired.with_user(self.trace_user).action_validate()
        nothing = self._certificate(self.env["stock.lot"], self.coc, number="EMPTY", validate=False)
        with self.assertRefused(UserError, "covers no product and no lot"):
            nothing.with_user(self.trace_user).action_validate()

    def test_lots_of_another_company_or_product(self):
        other_company = self.env["res.company"].create({"name": "Other Mill Co."})
        foreign_lot = self.env["stock.lot"].create(
            {"name": "T-FL-OTHER", "product_id": self.flour.id, "company_id": other_company.id}
        )
        # A user of both companies is told which lot belongs to which company.
        both = self._user("cert_both", "trace_compliance.group_trace_user")
        both.company_ids |= other_company
        with self.assertRefused(ValidationError, r"cannot cover T-FL-OTHER of Other Mill Co\."):
            self._certificate(self.lot_1 | foreign_lot, validate=False, user=both)
        certificate = self._certificate(self.lot_1, validate=False)
        with self.assertRefused(ValidationError, "T-FL-OTHER"):
            certificate.with_user(both).write({"lot_ids": [Command.link(foreign_lot.id)]})
        # A user of this company only is refused too: 19.0 refuses the lot it cannot read
        # before the check runs (an AccessError), 18.0 by the same check.
        with self.assertRaises(UserError):  # AccessError or ValidationError
            self._certificate(self.lot_1 | foreign_lot, number="CERT-MIXED", validate=False)
        with self.assertRaises(UserError):  # AccessError or ValidationError
            certificate.with_user(self.trace_user).write({"lot_ids": [Command.link(foreign_lot.id)]})
        self.assertEqual(certificate.lot_ids, self.lot_1)
        salt_lot = self._lot(self.salt, "T-SA-C1")
        with self.assertRefused(ValidationError, r"T-SA-C1 \(Test Salt\) are lots of another product"):
            certificate.with_user(self.trace_user).write({"lot_ids": [Command.link(salt_lot.id)]})
        # The other company's certificates are not visible to this company's users.
        theirs = self.env["trace.certificate"].create(
            {
                "name": "THEIRS",
                "type_id": self.coc.id,
                "partner_id": self.vendor_mill.id,
                "company_id": other_company.id,
                "lot_ids": [Command.set(foreign_lot.ids)],
            }
        )
        self.assertFalse(self.env["trace.certificate"].with_user(self.trace_user).search([("id", "=", theirs.id)]))

    # ------------------------------------------------------------------
    # expiry job
    # ------------------------------------------------------------------
    def test_expiry_job(self):
        day = date(2031, 3, 10)
        with freeze_time(day - timedelta(days=40)):
            past = self._certificate(self.lot_1, number="EXP-PAST", expiry_date=day - timedelta(days=1))
            today = self._certificate(self.lot_1, number="EXP-TODAY", expiry_date=day)
            soon = self._certificate(self.lot_2, number="EXP-SOON", expiry_date=day + timedelta(days=30))
            later = self._certificate(self.lot_2, number="EXP-LATER", expiry_date=day + timedelta(days=31))
            forever = self._certificate(self.lot_2, self.coc, number="EXP-NONE")
            draft = self._certificate(self.lot_1, number="EXP-DRAFT", validate=False, expiry_date=day - timedelta(5))
        Activity = self.env["mail.activity"]
        mine = past | today | soon | later | forever | draft
        with freeze_time(day):
            result = self.env["trace.certificate"]._cron_expire_certificates()
            self.assertIn(past.id, result["expired"])
            self.assertEqual(past.state, "expired")
            self.assertEqual((today | soon | later | forever).mapped("state"), ["valid"] * 4)
            self.assertEqual(draft.state, "draft")
            activities = Activity.search([("res_model", "=", "trace.certificate"), ("res_id", "in", mine.ids)])
            self.assertEqual(sorted(activities.mapped("res_id")), sorted((today | soon).ids))
            self.assertEqual(set(activities.activity_type_id), {self.env.ref("mail.mail_activity_data_todo")})
            self.assertEqual(set(activities.user_id), {self.trace_user}, "the responsible of the certificate")
            self.assertEqual(activities.filtered(lambda a: a.res_id == soon.id).date_deadline, soon.expiry_date)
            # Run again: nothing new.
            self.env["trace.certificate"]._cron_expire_certificates()
            self.assertEqual(
                Activity.search_count([("res_model", "=", "trace.certificate"), ("res_id", "in", mine.ids)]), 2
            )
        # The next day "later" enters the 30 days; a shorter company setting would keep it out.
        self.company.trace_certificate_expiry_days = 10
        with freeze_time(day + timedelta(days=1)):
            self.env["trace.certificate"]._cron_expire_certificates()
            self.assertFalse(Activity.search([("res_model", "=", "trace.certificate"), ("res_id", "=", later.id)]))
            self.assertEqual(today.state, "expired")
        self.company.trace_certificate_expiry_days = 30
        with freeze_time(day + timedelta(days=1)):
            self.env["trace.certificate"]._cron_expire_certificates()
            self.assertTrue(Activity.search([("res_model", "=", "trace.certificate"), ("res_id", "=", later.id)]))
        cron = self.env.ref("trace_compliance.ir_cron_expire_certificates")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))

    # ------------------------------------------------------------------
    # file hashes
    # ------------------------------------------------------------------
    def test_verify_files_reports_tampering(self):
        original = b"%PDF-1.4 Lab report 7781, moisture 13.2 %"
        certificate = self._certificate(
            self.lot_1,
            validate=False,
            attachment_ids=[self._file(original, "lab-7781.pdf"), self._file(b"%PDF-1.4 annex", "annex.pdf")],
        )
        report, annex = certificate.attachment_ids.sorted("name")[::-1]
        self.assertEqual(report.name, "lab-7781.pdf")
        self.assertEqual(report.trace_sha256, hashlib.sha256(original).hexdigest())
        certificate.with_user(self.trace_user).action_validate()
        # The hash cannot be forged through the ORM, nor a validated certificate's file replaced or deleted.
        report.write({"trace_sha256": "0" * 64})
        self.assertEqual(report.trace_sha256, hashlib.sha256(original).hexdigest())
        with self.assertRefused(UserError, "cannot be changed or deleted"):
            report.with_user(self.trace_user).write({"datas": base64.b64encode(b"forged")})
        with self.assertRefused(UserError, "cannot be changed or deleted"):
            annex.with_user(self.trace_user).unlink()
        ok = certificate.with_user(self.auditor).action_verify_files()
        self.assertEqual(ok["params"]["type"], "success")
        # Tamper with the content behind the ORM's back.
        self.env.cr.execute(
            "UPDATE ir_attachment SET db_datas = %s, store_fname = NULL WHERE id = %s", [b"forged", report.id]
        )
        report.invalidate_recordset()
        self.assertEqual(certificate._verify_files()[certificate], report)
        action = certificate.with_user(self.auditor).action_verify_files()
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("lab-7781.pdf", action["params"]["message"])
        self.assertNotIn("annex.pdf", action["params"]["message"])
        note = certificate.message_ids[0]
        self.assertIn("no longer match", note.body)
        self.assertIn("lab-7781.pdf", note.body)
        self.assertEqual(note.author_id, self.auditor.partner_id)

    def test_draft_file_replaced_is_rehashed(self):
        certificate = self._certificate(self.lot_1, validate=False, attachment_ids=[self._file(b"v1")])
        attachment = certificate.attachment_ids
        attachment.with_user(self.trace_user).write({"datas": base64.b64encode(b"v2")})
        self.assertEqual(attachment.trace_sha256, hashlib.sha256(b"v2").hexdigest())
        self.assertFalse(certificate._verify_files()[certificate])
        # An existing upload linked later gets its hash when linked.
        upload = self.env["ir.attachment"].with_user(self.trace_user).create({"name": "late.pdf", "raw": b"late"})
        self.assertFalse(upload.trace_sha256)
        certificate.with_user(self.trace_user).write({"attachment_ids": [Command.link(upload.id)]})
        self.assertEqual(upload.trace_sha256, hashlib.sha256(b"late").hexdigest())
        self.assertEqual((upload.res_model, upload.res_id), ("trace.certificate", certificate.id))
        link = self.env["ir.attachment"].create({"name": "site", "type": "url", "url": "https://example.com"})
        with self.assertRefused(UserError, "not a link"):
            certificate.write({"attachment_ids": [Command.link(link.id)]})

    def test_lot_form_opens_a_prefilled_certificate(self):
        action = self.lot_1.with_user(self.trace_user).action_new_certificate()
        self.assertEqual(action["res_model"], "trace.certificate")
        context = action["context"]
        self.assertEqual(context["default_lot_ids"], self.lot_1.ids)
        self.assertEqual(context["default_product_id"], self.flour.id)
        certificate = (
            self.env["trace.certificate"]
            .with_user(self.trace_user)
            .with_context(**context)
            .create(
                {
                    "name": "FROM-LOT",
                    "type_id": self.coc.id,
                    "partner_id": self.vendor_mill.id,
                    "attachment_ids": [self._file()],
                }
            )
        )
        self.assertEqual((certificate.lot_ids, certificate.product_id), (self.lot_1, self.flour))
        opened = self.lot_1.with_user(self.trace_user).action_open_trace_certificates()
        self.assertEqual(self.env["trace.certificate"].search(opened["domain"]), certificate)
