import io

import openpyxl

from odoo.tests import HttpCase, tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallTour(RecallCase, HttpCase):
    """A recall started from the menu, through the wizard, to the exported spreadsheet, in
    headless Chromium, by a Recall User."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls._user("tour_recaller", "trace_recall.group_recall_user")

    def test_recall_from_the_menu_to_the_export(self):
        flour = self.chain["T-FL-1"]
        self.start_tour("/odoo", "trace_recall_tour", login="tour_recaller")
        recall = self.env["trace.recall"].search([("lot_ids", "=", flour.id)])
        self.assertEqual(len(recall), 1)
        self.assertEqual((recall.state, recall.compute_state), ("open", "done"))
        self.assertEqual(recall.reason, "Undeclared allergen in the retained sample")
        self.assertEqual(recall.create_uid.login, "tour_recaller")
        export = self.env["ir.attachment"].search([("res_model", "=", "trace.recall"), ("res_id", "=", recall.id)])
        self.assertEqual(export.mapped("name"), [f"{recall.name.replace('/', '-')}.xlsx"])
        self.assertTrue(recall.exported_date)
        deliveries = list(openpyxl.load_workbook(io.BytesIO(export.raw))["Deliveries"].iter_rows(values_only=True))
        self.assertEqual([(row[0], row[7], row[8]) for row in deliveries[1:]], [("Test Grocer", "T-BR-2", 40)])
