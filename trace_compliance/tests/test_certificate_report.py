from odoo import Command
from odoo.tests import HttpCase, tagged

from .common_certificate import CertificateCase

REPORT = "trace_compliance.trace_certificate_of_analysis_report"


class CertificateReportCase(CertificateCase):
    """A delivery of two loaf lots, one with a certificate of analysis."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_shop.email = "quality@grocer.example.com"
        cls._receive(cls.vendor_mill, [(cls.bread, "T-BR-A", 100), (cls.bread, "T-BR-B", 100)])
        cls.lot_a = cls._lot(cls.bread, "T-BR-A")
        cls.lot_b = cls._lot(cls.bread, "T-BR-B")
        cls.certificate = cls._certificate(
            cls.lot_a,
            number="LAB-2207",
            result_ids=[
                Command.create({"parameter_id": cls.moisture.id, "value": 13.25}),
                Command.create({"parameter_id": cls.protein.id, "value": 12.1}),
                Command.create({"parameter_id": cls.ash.id, "value": 0.58}),
                Command.create({"name": "Salmonella", "uom": "/25 g", "text_value": "Not detected"}),
            ],
        )
        cls.draft = cls._certificate(cls.lot_a, number="DRAFT-9", validate=False)
        cls.delivery = cls._deliver(cls.customer_shop, [(cls.bread, "T-BR-A", 30), (cls.bread, "T-BR-B", 10)])


@tagged("post_install", "-at_install")
class TestCertificateReport(CertificateReportCase):
    def test_coa_html_has_the_results_of_each_delivered_lot(self):
        Report = self.env["ir.actions.report"].with_user(self.stock_user)
        html = Report._render_qweb_html(REPORT, self.delivery.ids)[0].decode()
        self.assertIn("Certificate of Analysis", html)
        self.assertIn(self.delivery.name, html)
        for text in (
            "T-BR-A",
            "LAB-2207",
            "Test Mill",
            "Moisture",
            "13.25",
            "\u2264 14.5",
            "Protein",
            "\u2265 11",
            "Ash",
            "0.5 - 0.6",
            "0.58",
            "Salmonella",
            "Not detected",
            "/25 g",
        ):
            self.assertIn(text, html)
        self.assertNotIn("DRAFT-9", html, "only valid (or expired) certificates are printed")
        # The lot without certificates is listed as such.
        self.assertIn("T-BR-B", html)
        self.assertIn("No certificate on record for this lot.", html)
        self.assertEqual(html.count("o_trace_coa_lot"), 2)
        self.assertIn("30.00", html)

    def test_send_coa_with_the_delivery(self):
        action = self.delivery.with_user(self.stock_user).action_trace_send_coa()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref("trace_compliance.mail_template_certificate_of_analysis")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        self.assertIn(self.env.ref(REPORT), template.report_template_ids)
        composer = (
            self.env["mail.compose.message"].with_user(self.stock_user).with_context(**action["context"]).create({})
        )
        self.assertIn("Certificate of Analysis", composer.subject)
        self.assertIn(self.customer_shop, composer.partner_ids)
        composer.action_send_mail()
        message = self.delivery.message_ids[0]
        self.assertIn(self.customer_shop, message.partner_ids)
        self.assertTrue(message.attachment_ids)
        self.assertTrue(message.attachment_ids[0].name.startswith("Certificate of Analysis"))
        self.assertIn(b"LAB-2207", message.attachment_ids[0].raw)


@tagged("post_install", "-at_install")
class TestCertificateReportPdf(CertificateReportCase, HttpCase):
    """wkhtmltopdf fetches the report's assets from the test server: an HttpCase."""

    def test_coa_pdf(self):
        pdf, report_format = (
            self.env["ir.actions.report"]
            .with_user(self.stock_user)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(REPORT, self.delivery.ids)
        )
        self.assertEqual(report_format, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
