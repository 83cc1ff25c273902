from odoo.tests import HttpCase, tagged

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestReportPdf(HttpCase, TraceCase):
    """Real PDFs through wkhtmltopdf, which fetches the report's assets over HTTP: an
    HttpCase, so the server answers it inside the test transaction."""

    def test_batch_record_pdf(self):
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        self.bread.trace_batch_record = True
        self._bakery_chain()
        production = self._produce(self.bom_bread, 10, "T-BR-PDF", {self.dough: [("T-DO-2", 8)]})
        record = production.trace_batch_record_ids
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("trace_compliance.action_report_batch_record", record.ids)
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        self.assertGreater(len(pdf), 5000)
