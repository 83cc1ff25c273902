from odoo import Command
from odoo.tests import tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallInspection(RecallCase):
    """The recall report prints the certificates of the suspect lots, our own lab's
    internal test reports (inspection plans) among them."""

    def test_recall_report_prints_the_internal_test_report(self):
        self.env["trace.inspection.plan"].create(
            {
                "name": "Test Flour at receipt",
                "at_receipt": True,
                "product_tmpl_ids": [Command.set(self.flour.product_tmpl_id.ids)],
                "test_ids": [Command.create({"name": "Moisture", "uom": "%", "upper_limit": 14.5})],
            }
        )
        self._receive(self.vendor_mill, [(self.flour, "T-FL-RI", 100)])
        lot = self._lot(self.flour, "T-FL-RI")
        inspection = self.env["trace.inspection"].search([("lot_id", "=", lot.id)])
        inspection.record_results({"Moisture": 13.75}, done=True)
        self.assertEqual(lot.quality_status, "released")
        recall_user = self._user("rcli_user", "trace_recall.group_recall_user")
        wizard = (
            self.env["trace.recall.start"]
            .with_user(recall_user)
            .create({"reason": "Moisture complaint", "lot_ids": lot.ids})
        )
        recall = self.env["trace.recall"].browse(wizard.action_start()["res_id"])
        html = (
            self.env["ir.actions.report"]
            .with_user(recall_user)
            ._render_qweb_html("trace_recall.action_report_recall", recall.ids)[0]
            .decode()
        )
        for text in ("Certificates and test reports of the suspect lots", inspection.name, "Moisture", "13.75", "14.5"):
            self.assertIn(text, html)
