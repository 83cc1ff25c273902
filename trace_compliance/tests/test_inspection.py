from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_certificate import CertificateCase

# A 1x1 pixel PNG.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
COA_REPORT = "trace_compliance.trace_certificate_of_analysis_report"
BATCH_RECORD_REPORT = "trace_compliance.action_report_batch_record"


@tagged("post_install", "-at_install")
class TestInspection(CertificateCase):
    """Inspection plans: lots received or produced are inspected by our own lab, kept in
    quarantine meanwhile, and released or held by the results."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.itr = cls.env.ref("trace_compliance.certificate_type_internal_test_report")
        cls.Plan = cls.env["trace.inspection.plan"].with_user(cls.trace_manager)
        cls.plan = cls._plan(
            "Test Flour at receipt",
            product_tmpl_ids=[Command.set(cls.flour.product_tmpl_id.ids)],
            test_ids=[
                Command.create(
                    {"name": "Moisture", "uom": "%", "test_type": "measure", "lower_limit": 11, "upper_limit": 13.5}
                ),
                Command.create({"name": "Visual", "test_type": "pass_fail"}),
                Command.create({"name": "Remark photo", "test_type": "file", "required": False}),
            ],
        )

    @classmethod
    def _plan(cls, name, **vals):
        return cls.Plan.create(dict({"name": name, "at_receipt": True}, **vals)).with_env(cls.env)

    def _received_inspection(self, lot_name, vendor=None):
        self._receive(vendor or self.vendor_mill, [(self.flour, lot_name, 100)])
        lot = self._lot(self.flour, lot_name)
        return lot, self.env["trace.inspection"].search([("lot_id", "=", lot.id)])

    # ------------------------------------------------------------------
    # plans
    # ------------------------------------------------------------------
    def test_plan_matching_most_specific(self):
        parent = self.env["product.category"].create({"name": "Test Raw"})
        child = self.env["product.category"].create({"name": "Test Cereals", "parent_id": parent.id})
        self.flour.categ_id = child
        self.plan.active = False
        every = self._plan("Everything", sequence=1)
        by_parent = self._plan("Raw", categ_ids=[Command.set(parent.ids)])
        by_child = self._plan("Cereals", categ_ids=[Command.set(child.ids)])
        by_vendor = self._plan("Mill", partner_ids=[Command.set(self.vendor_mill.ids)], at_production=True)
        by_product = self._plan("Flour", product_tmpl_ids=[Command.set(self.flour.product_tmpl_id.ids)], sequence=50)
        Plan = self.env["trace.inspection.plan"]

        def plan_for(product, partner=None, trigger="receipt"):
            return Plan._get_plan(product, trigger, self.company, partner)

        self.assertEqual(plan_for(self.flour, self.vendor_mill), by_product)
        by_product.active = False
        self.assertEqual(plan_for(self.flour, self.vendor_mill), by_vendor)
        self.assertEqual(plan_for(self.flour, self.vendor_salt), by_child, "another vendor: the category's plan")
        self.assertEqual(plan_for(self.flour, self.vendor_mill, "production"), self.env["trace.inspection.plan"])
        by_child.active = False
        self.assertEqual(plan_for(self.flour, self.vendor_salt), by_parent)
        self.assertEqual(plan_for(self.dough), every, "a product of no planned category: the plan for all")
        # Same specificity: the sequence decides.
        first = self._plan("Raw, first", categ_ids=[Command.set(parent.ids)], sequence=0)
        self.assertEqual(plan_for(self.flour, self.vendor_salt), first)
        # One inspection per lot, by the most specific plan.
        self._receive(self.vendor_mill, [(self.flour, "T-FL-M1", 10)])
        inspections = self.env["trace.inspection"].search([("lot_id.name", "=", "T-FL-M1")])
        self.assertEqual(inspections.plan_id, by_vendor)

    def test_sampling_every_nth_and_share(self):
        plan = self._plan("Sampled", sampling="nth", sampling_nth=3)
        self.assertEqual([plan._is_sampled(n) for n in range(1, 8)], [True, False, False, True, False, False, True])
        plan.write({"sampling": "percent", "sampling_percent": 25})
        self.assertEqual([n for n in range(1, 13) if plan._is_sampled(n)], [1, 5, 9])
        plan.sampling_percent = 30
        self.assertEqual(len([n for n in range(1, 11) if plan._is_sampled(n)]), 3)
        with self.assertRaises(UserError):
            plan.sampling_percent = 0
        # Received lots: every 2nd of the plan's lots is inspected, in order.
        self.plan.write({"sampling": "nth", "sampling_nth": 2})
        self._receive(self.vendor_mill, [(self.flour, f"T-FL-S{n}", 10) for n in range(1, 6)])
        inspected = self.env["trace.inspection"].search([("plan_id", "=", self.plan.id)]).lot_id
        self.assertEqual(sorted(inspected.mapped("name")), ["T-FL-S1", "T-FL-S3", "T-FL-S5"])
        self.assertEqual(self.plan.lot_count, 5)
        self.assertEqual(self._lot(self.flour, "T-FL-S2").quality_status, "released")

    # ------------------------------------------------------------------
    # triggers
    # ------------------------------------------------------------------
    def test_receipt_creates_inspection_and_quarantines(self):
        receipt = self._receive(self.vendor_mill, [(self.flour, "T-FL-I1", 100)], validate=False)
        receipt.with_user(self.stock_user).button_validate()
        lot = self._lot(self.flour, "T-FL-I1")
        inspection = self.env["trace.inspection"].search([("lot_id", "=", lot.id)])
        self.assertEqual(len(inspection), 1)
        self.assertRegex(inspection.name, r"^INS/\d{4}$")
        self.assertEqual(
            (inspection.state, inspection.trigger, inspection.picking_id, inspection.partner_id),
            ("open", "receipt", receipt, self.vendor_mill),
        )
        self.assertEqual(inspection.line_ids.mapped("name"), ["Moisture", "Visual", "Remark photo"])
        self.assertEqual(inspection.line_ids[0]._format_limits(), "11 - 13.5")
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertTrue(lot.trace_awaiting_inspection)
        self.assertIn(inspection.name, lot.quality_status_reason)
        self.assertEqual(lot.with_user(self.trace_user).trace_inspection_count, 1)
        self.assertEqual(receipt.with_user(self.trace_user).trace_inspection_count, 1)
        delivery = self._deliver(self.customer_shop, [(self.flour, "T-FL-I1", 10)], validate=False)
        with self.assertRefused(UserError, "not released"):
            delivery.with_user(self.stock_user).button_validate()
        # Salt has no plan: released.
        self._receive(self.vendor_salt, [(self.salt, "T-SA-I1", 10)])
        self.assertEqual(self._lot(self.salt, "T-SA-I1").quality_status, "released")

    def test_production_done_creates_inspection(self):
        self.plan.active = False
        plan = self._plan(
            "Dough release",
            at_receipt=False,
            at_production=True,
            product_tmpl_ids=[Command.set(self.dough.product_tmpl_id.ids)],
            test_ids=[Command.create({"name": "pH", "lower_limit": 5.0, "upper_limit": 6.5})],
        )
        self._receive(self.vendor_mill, [(self.flour, "T-FL-P1", 100)])
        self._receive(self.vendor_salt, [(self.salt, "T-SA-P1", 10)])
        self.assertFalse(self.env["trace.inspection"].search([]).filtered(lambda i: i.plan_id == plan))
        production = self._produce(
            self.bom_dough, 50, "T-DO-P1", {self.flour: [("T-FL-P1", 49)], self.salt: [("T-SA-P1", 1)]}
        )
        lot = self._lot(self.dough, "T-DO-P1")
        inspection = self.env["trace.inspection"].search([("lot_id", "=", lot.id)])
        self.assertEqual(
            (inspection.plan_id, inspection.trigger, inspection.production_id), (plan, "production", production)
        )
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertEqual(production.with_user(self.trace_user).trace_inspection_count, 1)
        inspection.with_user(self.trace_user).record_results({"ph": 5.8}, done=True)
        self.assertEqual(lot.quality_status, "released")

    # ------------------------------------------------------------------
    # results
    # ------------------------------------------------------------------
    def test_pass_releases_with_internal_test_report(self):
        lot, inspection = self._received_inspection("T-FL-OK")
        inspection = inspection.with_user(self.trace_user)
        inspection.record_results({"Moisture": "12,4", "visual": "pass"})
        self.assertEqual(lot.quality_status, "quarantine", "recording results does not complete the inspection")
        inspection.action_done()
        self.assertEqual(inspection.state, "passed")
        self.assertEqual(inspection.done_by_id, self.trace_user)
        self.assertEqual(lot.quality_status, "released")
        self.assertFalse(lot.trace_awaiting_inspection)
        self.assertEqual(lot.quality_status_user_id, self.trace_user)
        self.assertIn(inspection.name, lot.quality_status_reason)
        report = inspection.certificate_id
        self.assertEqual(
            (report.state, report.type_id, report.partner_id, report.lot_ids, report.result, report.name),
            ("valid", self.itr, self.company.partner_id, lot, "pass", inspection.name),
        )
        moisture, visual, photo = report.result_ids
        self.assertEqual(
            (moisture.value, moisture.limit_type, moisture.lower_limit, moisture.upper_limit), (12.4, "range", 11, 13.5)
        )
        self.assertEqual((visual.qualitative_result, visual.result), ("pass", "pass"))
        self.assertEqual((photo.text_value, photo.result), ("Not tested", "none"))
        # Evidence: audited, and frozen once done.
        logs = self.env["trace.audit.log"].sudo().search([("model", "=", "trace.inspection.line")])
        self.assertIn("12.4", logs.mapped("new_value"))
        with self.assertRefused(UserError, "not open"):
            inspection.record_results({"Moisture": 12})
        with self.assertRefused(UserError, "cannot be changed"):
            inspection.line_ids[0].sudo().write({"value": 1})

    def test_pass_does_not_release_a_lot_awaiting_certificates(self):
        self.company.trace_certificate_release = True
        self._require(self.flour, self.coa, "receipt", "warn")
        lot, inspection = self._received_inspection("T-FL-AC")
        self.assertTrue(lot.trace_awaiting_certificate and lot.trace_awaiting_inspection)
        inspection.with_user(self.trace_user).record_results({"Moisture": 12, "Visual": True}, done=True)
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertFalse(lot.trace_awaiting_inspection)
        self.assertTrue(lot.trace_awaiting_certificate)
        self._certificate(lot)
        self.assertEqual(lot.quality_status, "released")
        # The other way round: the certificate does not release a lot awaiting its inspection.
        lot, inspection = self._received_inspection("T-FL-CA")
        self._certificate(lot, number="CERT-CA")
        self.assertEqual(lot.quality_status, "quarantine")
        self.assertFalse(lot.trace_awaiting_certificate)
        inspection.with_user(self.trace_user).record_results({"Moisture": 12, "Visual": True}, done=True)
        self.assertEqual(lot.quality_status, "released")

    def test_fail_holds_with_the_failed_results(self):
        lot, inspection = self._received_inspection("T-FL-KO")
        inspection.with_user(self.trace_user).record_results({"Moisture": 14.2, "Visual": "pass"}, done=True)
        self.assertEqual(inspection.state, "failed")
        self.assertEqual(lot.quality_status, "on_hold")
        self.assertFalse(lot.trace_awaiting_inspection)
        expected = f"Inspection {inspection.name} failed: Moisture 14.2 % (limit 11 - 13.5 %)"
        self.assertEqual(lot.quality_status_reason, expected)
        self.assertEqual(inspection.failure_reason, expected)
        self.assertEqual(inspection.certificate_id.result, "fail")
        self.assertEqual(inspection.certificate_id.result_ids[0].result, "fail")

    def test_qualitative_fail(self):
        lot, inspection = self._received_inspection("T-FL-QF")
        inspection.with_user(self.trace_user).record_results({"Moisture": 12, "Visual": "FAIL"}, done=True)
        self.assertEqual(inspection.state, "failed")
        self.assertEqual(lot.quality_status, "on_hold")
        self.assertIn("Visual: Fail", lot.quality_status_reason)
        visual = inspection.certificate_id.result_ids.filtered(lambda result: result.name == "Visual")
        self.assertEqual((visual.qualitative_result, visual.result, visual._format_value()), ("fail", "fail", "Fail"))
        self.assertEqual(inspection.certificate_id.result, "fail")
        # A certificate result without a qualitative answer keeps its evaluation.
        result = self.env["trace.certificate.result"].new(
            {"name": "X", "limit_type": "max", "upper_limit": 1, "value": 2}
        )
        self.assertEqual(result._evaluate(), "fail")

    def test_file_test_requires_a_file(self):
        self.plan.test_ids.filtered(lambda test: test.test_type == "file").required = True
        _lot, inspection = self._received_inspection("T-FL-F1")
        inspection = inspection.with_user(self.trace_user)
        inspection.record_results({"Moisture": 12, "Visual": "pass"})
        with self.assertRefused(UserError, "missing: Remark photo"):
            inspection.action_done()
        with self.assertRefused(UserError, "Remark photo takes a photo or a file"):
            inspection.record_results({"Remark photo": "not base64!"})
        photo = PNG
        inspection.record_results({"Remark photo": {"name": "sack.png", "datas": photo}}, done=True)
        self.assertEqual(inspection.state, "passed")
        report = inspection.certificate_id
        self.assertEqual(report.attachment_ids.mapped("name"), ["sack.png"])
        self.assertTrue(report.attachment_ids.trace_sha256)

    def test_who_may_record(self):
        self.plan.group_ids = self.env.ref("trace_compliance.group_trace_manager")
        _lot, inspection = self._received_inspection("T-FL-G1")
        with self.assertRefused(AccessError, "may not record"):
            inspection.with_user(self.trace_user).record_results({"Moisture": 12})
        with self.assertRefused(AccessError, "may not record"):
            inspection.line_ids[0].with_user(self.trace_user).write({"value": 12})
        self.assertFalse(inspection.line_ids[0].is_recorded)
        self.assertFalse(inspection.with_user(self.trace_user).can_record)
        with self.assertRefused(AccessError, "."):
            inspection.with_user(self.auditor).record_results({"Moisture": 12})
        with self.assertRefused(AccessError, "."):
            inspection.with_user(self.stock_user).record_results({"Moisture": 12})
        inspection.with_user(self.trace_manager).record_results({"Moisture": 12, "Visual": "pass"}, done=True)
        self.assertEqual(inspection.state, "passed")

    def test_rpc_bad_input_changes_nothing(self):
        lot, inspection = self._received_inspection("T-FL-RPC")
        inspection = inspection.with_user(self.trace_user)
        with self.assertRefused(UserError, r"Moisture is a measurement: its result is a number, not 'wet'"):
            inspection.record_results({"Visual": "pass", "Moisture": "wet"})
        with self.assertRefused(UserError, "has no test Colour"):
            inspection.record_results({"Visual": "pass", "Colour": "white"})
        with self.assertRefused(UserError, "Visual is a pass/fail test"):
            inspection.record_results({"Visual": "maybe"})
        with self.assertRefused(UserError, "mapping of tests"):
            inspection.record_results([12])
        with self.assertRefused(UserError, "one trace.inspection at a time"):
            inspection.browse([inspection.id, inspection.id]).record_results({"Moisture": 12})
        with self.assertRefused(UserError, "do not exist"):
            inspection.browse(999999).record_results({"Moisture": 12})
        self.assertFalse(inspection.line_ids.filtered("is_recorded"), "nothing was recorded")
        with self.assertRefused(UserError, "missing: Moisture, Visual"):
            inspection.action_done()
        with self.assertRefused(UserError, "missing: Visual"):
            inspection.record_results({"Moisture": 12.0}, done=True)
        self.assertFalse(inspection.line_ids.filtered("is_recorded"), "the refused call recorded nothing")
        self.assertEqual(inspection.state, "open")
        self.assertEqual(lot.quality_status, "quarantine")
        # By line id (XML-RPC keys are strings), then complete.
        inspection.record_results({str(inspection.line_ids[0].id): 12.0, "Visual": "pass"}, done=True)
        self.assertEqual(inspection.state, "passed")

    def test_cancel_leaves_the_lot_in_quarantine(self):
        lot, inspection = self._received_inspection("T-FL-CX")
        with self.assertRefused(AccessError, "Only a .*Manager can cancel inspections"):
            inspection.with_user(self.trace_user).action_cancel()
        inspection.with_user(self.trace_manager).action_cancel()
        self.assertEqual(inspection.state, "cancelled")
        self.assertEqual(lot.quality_status, "quarantine", "an inspection not done releases nothing")
        self.assertFalse(lot.trace_awaiting_inspection)
        with self.assertRefused(UserError, "not open"):
            inspection.with_user(self.trace_manager).action_done()
        with self.assertRefused(UserError, "Set Status"):
            lot.with_user(self.trace_manager).write({"trace_awaiting_inspection": True})

    def test_multi_company(self):
        _lot, inspection = self._received_inspection("T-FL-MC")
        company_b = self.env["res.company"].create({"name": "Test Company B"})
        user_b = self._user("ins_user_b", "trace_compliance.group_trace_user", company=company_b)
        self.assertFalse(self.env["trace.inspection"].with_user(user_b).search([]))
        self.assertFalse(self.env["trace.inspection.plan"].with_user(user_b).search([]))
        self.assertFalse(self.env["trace.inspection.line"].with_user(user_b).search([]))
        with self.assertRaises(AccessError):
            inspection.with_user(user_b).read(["name"])
        with self.assertRaises(AccessError):
            inspection.with_user(user_b).record_results({"Moisture": 12})
        # A plan of company A does not inspect company B's receipts.
        Plan = self.env["trace.inspection.plan"]
        self.assertFalse(Plan._get_plan(self.flour, "receipt", company_b, self.vendor_mill))

    # ------------------------------------------------------------------
    # vendor certificates
    # ------------------------------------------------------------------
    def test_vendor_certificate_out_of_plan_limits_holds(self):
        lot, _inspection = self._received_inspection("T-FL-V1")
        # Within the certificate type's own limit (<= 14.5), outside the plan's (11 - 13.5).
        certificate = self._certificate(
            lot,
            number="VND-1",
            result_ids=[
                Command.create({"parameter_id": self.moisture.id, "value": 14.0}),
                Command.create({"parameter_id": self.protein.id, "value": 11.8}),
                Command.create({"parameter_id": self.ash.id, "value": 0.55}),
            ],
        )
        self.assertEqual(certificate.result, "pass")
        self.assertEqual(lot.quality_status, "on_hold")
        self.assertIn("out of the specification of plan Test Flour at receipt", lot.quality_status_reason)
        self.assertIn("Moisture 14 % (limit 11 - 13.5 %)", lot.quality_status_reason)
        self.assertIn("Moisture 14 %", certificate.message_ids[:1].body)
        # Within the plan's limits: nothing happens.
        lot_2, _inspection = self._received_inspection("T-FL-V2")
        self._certificate(lot_2, number="VND-2")
        self.assertEqual(lot_2.quality_status, "quarantine")

    # ------------------------------------------------------------------
    # documents
    # ------------------------------------------------------------------
    def test_reports_show_the_internal_test_report(self):
        _lot, inspection = self._received_inspection("T-FL-REP")
        inspection.with_user(self.trace_user).record_results({"Moisture": 12.35, "Visual": "pass"}, done=True)
        delivery = self._deliver(self.customer_shop, [(self.flour, "T-FL-REP", 10)])
        html = self.env["ir.actions.report"].with_user(self.stock_user)._render_qweb_html(COA_REPORT, delivery.ids)[0]
        html = html.decode()
        texts = ("Internal Test Report", inspection.name, self.company.name, "Moisture", "12.35", "11 - 13.5", "Visual")
        for text in texts:
            self.assertIn(text, html)
        # The batch record of an order producing an inspected lot prints its test report.
        self.plan.active = False
        self.dough.trace_batch_record = True
        self._plan(
            "Dough release",
            at_receipt=False,
            at_production=True,
            product_tmpl_ids=[Command.set(self.dough.product_tmpl_id.ids)],
            test_ids=[Command.create({"name": "pH", "lower_limit": 5.0, "upper_limit": 6.5})],
        )
        self._receive(self.vendor_salt, [(self.salt, "T-SA-REP", 10)])
        production = self._produce(
            self.bom_dough, 50, "T-DO-REP", {self.flour: [("T-FL-REP", 49)], self.salt: [("T-SA-REP", 1)]}
        )
        dough_inspection = self.env["trace.inspection"].search([("production_id", "=", production.id)])
        dough_inspection.with_user(self.trace_user).record_results({"pH": 7.1}, done=True)
        record = production.trace_batch_record_ids
        html = self.env["ir.actions.report"]._render_qweb_html(BATCH_RECORD_REPORT, record.ids)[0].decode()
        self.assertIn("Test reports of the lots produced", html)
        self.assertIn(dough_inspection.name, html)
        self.assertIn("7.1", html)
        self.assertIn("5 - 6.5", html)
