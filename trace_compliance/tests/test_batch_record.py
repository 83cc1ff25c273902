from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import registry_test_mode

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestBatchRecord(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        (cls.bread | cls.device).write({"trace_batch_record": True})
        cls.device.barcode = "00614141999996"
        cls.bom_bread.write(
            {
                "trace_revision": "C",
                "trace_check_ids": [
                    Command.create(
                        {
                            "name": "Core temperature after baking",
                            "specification": "92-99 °C",
                            "has_limits": True,
                            "lower_limit": 92,
                            "upper_limit": 99,
                        }
                    ),
                    Command.create({"name": "Crust colour", "specification": "Golden, no burn marks"}),
                ],
            }
        )
        cls.author = cls._user("ebr_author", "trace_compliance.group_trace_user")
        cls.reviewer = cls._user("ebr_reviewer", "trace_compliance.group_trace_user")
        cls.manager = cls._user("ebr_manager", "trace_compliance.group_trace_manager")
        cls.production = cls._produce(cls.bom_bread, 50, "T-BR-EBR", {cls.dough: [("T-DO-2", 40)]})
        cls.record = cls.production.trace_batch_record_ids

    def _sign(self, user, meaning, password=None, record=None):
        record = (record or self.record).with_user(user)
        return record.sign(meaning, password or user.login, "signed in test")

    def _to_approved(self):
        self._sign(self.author, "authored")
        self._sign(self.manager, "approved")

    def test_record_content_after_a_real_manufacturing_order(self):
        record = self.record
        self.assertEqual(len(record), 1)
        self.assertTrue(record.name.startswith("EBR/"))
        self.assertEqual(record.record_type, "ebr")
        self.assertTrue(record.completed)
        self.assertEqual(record.state, "draft")
        self.assertEqual(record.production_id, self.production)
        self.assertEqual((record.bom_id, record.bom_revision), (self.bom_bread, "C"))
        self.assertEqual((record.qty_planned, record.qty_produced, record.qty_scrapped), (50, 50, 0))
        self.assertEqual(record.lot_ids, self._lot(self.bread, "T-BR-EBR"))
        self.assertEqual(
            [(c.product_id, c.lot_id.name, c.quantity) for c in record.component_ids], [(self.dough, "T-DO-2", 40)]
        )
        self.assertEqual(record.check_ids.mapped("instruction"), ["Core temperature after baking", "Crust colour"])
        self.assertTrue(record.date_finished)
        # In-process check: measured by an operator, pass/fail from the limits, who and when.
        check = record.check_ids[0].with_user(self.author)
        check.measured_value = 90.5
        self.assertEqual((check.result, check.checked_by_id), ("fail", self.author))
        check.measured_value = 95
        self.assertEqual(check.result, "pass")
        record.with_user(self.author).write(
            {
                "deviation_ids": [
                    Command.create(
                        {"description": "Oven 2 door seal", "impact": "minor", "corrective_action": "Seal replaced"}
                    )
                ]
            }
        )
        self.assertEqual(record.deviation_ids.reported_by_id, self.author)

    def test_batch_record_value_hooks(self):
        """An add-on changes the batch record made from an order, its checks and what the
        done order fills in by overriding their hooks."""
        Production = type(self.env["mrp.production"])
        Check = type(self.env["trace.bom.check"])
        Record = type(self.env["trace.batch.record"])
        prepare, check, component = (
            Production._prepare_trace_batch_record_vals,
            Check._prepare_batch_record_check_vals,
            Record._prepare_component_vals,
        )
        self.patch(
            Production,
            "_prepare_trace_batch_record_vals",
            lambda production: dict(prepare(production), bom_revision="C-hook"),
        )
        self.patch(
            Check, "_prepare_batch_record_check_vals", lambda step: dict(check(step), instruction=f"[{step.name}]")
        )
        self.patch(Record, "_prepare_component_vals", lambda record, line: dict(component(record, line), quantity=1))
        record = self._produce(self.bom_bread, 10, "T-BR-HOOK", {self.dough: [("T-DO-2", 8)]}).trace_batch_record_ids
        self.assertEqual(record.bom_revision, "C-hook")
        self.assertEqual(record.check_ids.mapped("instruction"), ["[Core temperature after baking]", "[Crust colour]"])
        self.assertEqual([(c.lot_id.name, c.quantity) for c in record.component_ids], [("T-DO-2", 1)])

    def test_device_history_record(self):
        self._receive(self.vendor_mill, [(self.board, "T-SB-DHR", 1)])
        production = self._produce(self.bom_device, 1, "SN/0001", {self.board: [("T-SB-DHR", 1)]})
        record = production.trace_batch_record_ids
        self.assertEqual(record.record_type, "dhr")
        self.assertTrue(record.name.startswith("DHR/"))
        self.assertEqual(record.gtin, "00614141999996")
        self.assertEqual(record.gs1_element_string, "(01)00614141999996(21)SN/0001")
        self.assertEqual(record.gs1_digital_link, "https://id.gs1.org/01/00614141999996/21/SN%2F0001")
        self.assertIn("T-SB-DHR", record.control_numbers)
        self._sign(self.author, "authored", record=record)
        self._sign(self.manager, "approved", record=record)
        self._sign(self.manager, "released", record=record)
        self.assertEqual((record.state, record.qty_released), ("released", 1))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("trace_compliance.action_report_device_history_record", record.ids)[0]
            .decode()
        )
        for text in (
            "Device History Record",
            "(01)00614141999996(21)SN/0001",
            "T-SB-DHR",
            "ebr_manager",
            record.signature_ids[0].content_hash,
            "Acceptance records",
        ):
            self.assertIn(text, html)

    def test_signing_workflow(self):
        record = self.record
        signature_id = self._sign(self.author, "authored")
        self.assertEqual(record.state, "in_review")
        signature = self.env["trace.signature"].browse(signature_id)
        self.assertEqual(
            (signature.signer_id, signature.printed_name, signature.meaning, signature.comment),
            (self.author, self.author.name, "authored", "signed in test"),
        )
        self.assertEqual(signature.content_hash, record._trace_signature_content_hash())
        self.assertTrue(signature.signed_at)
        self._sign(self.reviewer, "reviewed")
        self.assertEqual(record.state, "in_review")
        with self.assertRaises(AccessError):
            self._sign(self.reviewer, "approved")
        self._sign(self.manager, "approved")
        self.assertEqual(record.state, "approved")
        self._sign(self.manager, "released")
        self.assertEqual(record.state, "released")
        self.assertEqual(record.signature_ids.mapped("meaning"), ["authored", "reviewed", "approved", "released"])
        self.assertTrue(record.signatures_valid)
        with self.assertRaisesRegex(UserError, "cannot be signed as released"):
            self._sign(self.manager, "released")
        # The dialog of the web client does the same.
        wizard_action = record.with_user(self.manager).action_reject()
        self.assertEqual(wizard_action["res_model"], "trace.signature.sign")

    def test_signing_dialog_and_wrong_password(self):
        wizard = (
            self.env["trace.signature.sign"]
            .with_user(self.author)
            .create(
                {
                    "res_model": "trace.batch.record",
                    "res_id": self.record.id,
                    "meaning": "authored",
                    "password": "not-my-password",
                }
            )
        )
        # The refusal is logged in a transaction of its own (it must outlive the refusal):
        # in a test, that cursor shares the test transaction, and no savepoint undoes it.
        registry_test_mode(self)
        try:
            wizard.action_sign()
            error = None
        except UserError as exc:
            error = exc
        self.assertIn("Wrong password", str(error))
        self.assertFalse(self.record.signature_ids)
        self.assertEqual(self.record.state, "draft")
        refused = self.env["trace.audit.log"].search(
            [
                ("model", "=", "trace.batch.record"),
                ("res_id", "=", self.record.id),
                ("operation", "=", "signature_refused"),
            ]
        )
        self.assertEqual(refused.user_id, self.author)
        wizard.password = self.author.login
        wizard.action_sign()
        self.assertEqual(self.record.state, "in_review")
        self.assertFalse(wizard.password, "the password is not kept")
        wizard.flush_recordset()  # clearing it is stored, as at the end of the web request

    def test_releaser_must_differ_from_author(self):
        self._sign(self.manager, "authored")
        self._sign(self.manager, "approved")
        with self.assertRaisesRegex(UserError, "another person must release it"):
            self._sign(self.manager, "released")
        self.assertEqual(self.record.state, "approved")
        self.company.trace_release_requires_different_user = False
        self._sign(self.manager, "released")
        self.assertEqual(self.record.state, "released")

    def test_released_record_is_immutable_and_amended(self):
        self._to_approved()
        self._sign(self.manager, "released")
        record = self.record.with_user(self.manager)
        for attempt in (
            lambda: record.write({"qty_produced": 1}),
            lambda: record.with_context(trace_audit_reason="typo").write({"qty_produced": 1}),
            lambda: record.check_ids[0].write({"measured_value": 94}),
            lambda: record.check_ids[0].unlink(),
            lambda: (
                self.env["trace.batch.record.deviation"]
                .with_user(self.manager)
                .create({"batch_record_id": record.id, "description": "late", "impact": "minor"})
            ),
            lambda: record.unlink(),
        ):
            with self.assertRaises(UserError):
                attempt()
        self.assertEqual(record.qty_produced, 50)
        action = record.action_amend()
        amendment = self.env["trace.batch.record"].browse(action["res_id"])
        self.assertEqual((amendment.amends_id, amendment.state), (record, "draft"))
        self.assertEqual(amendment.name, f"{record.name}-A1")
        self.assertEqual(amendment.component_ids.lot_id, record.component_ids.lot_id)
        amendment.check_ids[0].measured_value = 94
        self.assertEqual(record.state, "released")
        self.assertTrue(record.signatures_valid)

    def test_approved_record_changes_only_with_a_reason(self):
        self._to_approved()
        record = self.record.with_user(self.manager)
        with self.assertRaisesRegex(UserError, "give a reason"):
            record.write({"qty_scrapped": 2})
        record.write({"qty_scrapped": 2, "audit_reason": "Scrap of 2 loaves found on line log"})
        entry = self.env["trace.audit.log"].search(
            [
                ("model", "=", "trace.batch.record"),
                ("res_id", "=", record.id),
                ("field_name", "=", "qty_scrapped"),
                ("operation", "=", "write"),
            ]
        )
        self.assertEqual((entry.old_value, entry.new_value), ("0.0", "2.0"))
        self.assertEqual(entry.reason, "Scrap of 2 loaves found on line log")
        self.assertEqual(entry.user_id, self.manager)
        # The signatures were bound to the content before the change.
        self.assertFalse(record.signatures_valid)
        self.assertEqual(record.action_verify_signatures()["params"]["type"], "danger")

    def test_deleting_what_the_record_refers_to_is_refused(self):
        with self.assertRaisesRegex(UserError, "batch records"):
            self.production.sudo()._unlink_except_trace_referenced()
        with self.assertRaisesRegex(UserError, "batch records"):
            self._lot(self.bread, "T-BR-EBR").unlink()
        self._sign(self.author, "authored")
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            self.record.sudo().unlink()
        signature = self.record.signature_ids
        with self.assertRaises(UserError):
            signature.sudo().unlink()
        with self.assertRaises(UserError):
            signature.sudo().write({"comment": "changed"})
        with self.assertRaises(UserError):
            self.env["trace.signature"].sudo().create(
                {
                    "res_model": "x",
                    "res_id": 1,
                    "signer_id": self.author.id,
                    "printed_name": "x",
                    "signed_at": "2026-01-01",
                    "meaning": "approved",
                    "content_hash": "x",
                    "company_id": self.company.id,
                }
            )

    def test_batch_record_report(self):
        self._to_approved()
        report = "trace_compliance.action_report_batch_record"
        html = self.env["ir.actions.report"]._render_qweb_html(report, self.record.ids)[0].decode()
        for text in (
            self.record.name,
            "T-DO-2",
            "Core temperature after baking",
            "Signature manifest",
            "ebr_author",
            "ebr_manager",
            "UTC",
            "Trace map",
        ):
            self.assertIn(text, html)
        # The map printed: the record's lots, what they were made from and where they went.
        printed = self._printed_map_texts(html)
        for lot in self.record.lot_ids | self.record.component_ids.lot_id:
            self.assertIn(lot.name, printed)

    def test_auditor_reads_and_cannot_sign(self):
        auditor = self._user("ebr_auditor", "trace_compliance.group_trace_auditor")
        record = self.record.with_user(auditor)
        self.assertEqual(record.production_id, self.production)
        with self.assertRaises(AccessError):
            record.write({"audit_reason": "x", "qty_scrapped": 1})
        with self.assertRaises(AccessError):
            self._sign(auditor, "authored")
