import os
import subprocess
import tempfile

import zxingcpp
from PIL import Image

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

    def test_udi_label_pdf_scans(self):
        """The printed UDI label, rasterised at 300 dpi by Ghostscript, scans (zxing-cpp) as
        the GS1 DataMatrix of the serial's element string."""
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        self.device.barcode = "614141999996"
        serial = self._lot(self.device, "SN-PDF-1")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("trace_compliance.action_report_udi_label", serial.ids)
        )
        self.assertEqual(kind, "pdf")
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "label.pdf")
            with open(path, "wb") as file:
                file.write(pdf)
            subprocess.run(
                ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", "-r300", "-o", path + ".png", path],
                check=True,
            )
            results = zxingcpp.read_barcodes(Image.open(path + ".png"))
        self.assertEqual([(r.symbology_identifier, r.bytes) for r in results], [("]d2", b"010061414199999621SN-PDF-1")])
