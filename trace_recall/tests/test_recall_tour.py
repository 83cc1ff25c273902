import io
import re
from urllib.parse import urlsplit

import openpyxl

from odoo.tests import HttpCase, tagged

from .common import RecallCase
from .test_recall_response import PHOTO


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


@tagged("post_install", "-at_install")
class TestRecallResponseTour(RecallCase, HttpCase):
    """Recall notices answered by the customer, in headless Chromium: the Recall Manager
    sends the notices, the customer answers on the notice's link in a browser session of
    their own (no login), and the recall's effectiveness figures follow."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.manager = cls._user("tour_recall_manager", "trace_recall.group_recall_manager")
        cls.customer_shop.email = "quality@grocer.example.com"
        cls.recall = (
            cls.env["trace.recall"]
            .with_user(cls.manager)
            .create(
                {
                    "reason": "Undeclared sesame in dough made with flour lot T-FL-1",
                    "lot_ids": cls.chain["T-FL-1"].ids,
                }
            )
        )
        cls.recall.action_compute()

    def _recall_url(self):
        return f"/odoo/action-trace_recall.trace_recall_action/{self.recall.id}"

    def test_customer_answers_the_notice_and_effectiveness_follows(self):
        self.start_tour(self._recall_url(), "trace_recall_notify_tour", login="tour_recall_manager")
        line = self.recall.partner_line_ids
        self.assertEqual((line.partner_id, line.state), (self.customer_shop, "notified"))
        # The customer follows the link of the notice they were sent.
        mail = self.env["mail.mail"].search([("model", "=", line._name), ("res_id", "=", line.id)])
        link = re.search(r'href="([^"]*/my/recall/[^"]*)"', mail.body_html).group(1)
        url = urlsplit(link)
        self.start_tour(f"{url.path}?{url.query}", "trace_recall_answer_tour", login=None)
        answer = line.response_id
        self.assertEqual(answer.channel, "portal")
        self.assertEqual(answer.user_id, self.env.ref("base.public_user"))
        self.assertEqual((answer.qty_on_hand, answer.qty_consumed, answer.qty_destroyed), (5, 20, 15))
        self.assertTrue(answer.quarantined)
        self.assertEqual(answer.sub_recall_count, 3)
        self.assertEqual(answer.attachment_ids.mapped("name"), ["destroyed-loaves.png"])
        self.assertEqual(answer.attachment_ids.mimetype, "image/png")
        self.assertEqual((self.recall.answered_rate, self.recall.accounted_rate), (100.0, 100.0))
        self.start_tour(self._recall_url(), "trace_recall_effectiveness_tour", login="tour_recall_manager")

    def test_customer_changes_the_answer_until_close(self):
        self.recall.with_user(self.manager).action_notify()
        line = self.recall.partner_line_ids
        line.with_user(self.manager).submit_response(
            {
                "contact_name": "Gina Grocer",
                "lines": [{"lot": "T-BR-2", "qty_on_hand": 5, "qty_consumed": 20, "qty_destroyed": 15}],
                # A real PNG: 19.0 tells a file's type from its content (libmagic), and a bare
                # PNG signature reads as application/octet-stream, which the answer refuses.
                "evidence": [{"name": "destroyed.png", "datas": PHOTO}],
            }
        )
        self.start_tour(line.get_portal_url(), "trace_recall_change_answer_tour", login=None)
        self.assertEqual(len(line.response_ids), 2)  # the refused answer recorded nothing
        self.assertEqual((line.qty_on_hand, line.qty_returned, line.state), (0, 5, "returned"))
        self.assertEqual(line.response_id.comment, "Five loaves sent back with our driver")
        self.assertEqual(line.return_picking_ids.move_line_ids.lot_id, self.chain["T-BR-2"])
        self.recall.with_user(self.manager).action_close()
        self.start_tour(line.get_portal_url(), "trace_recall_closed_answer_tour", login=None)
        self.assertEqual(len(line.response_ids), 2)
