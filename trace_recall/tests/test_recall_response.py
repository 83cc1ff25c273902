import base64
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import RecallCase

# A real 1x1 PNG: Odoo 19.0 tells a file's type with libmagic, which wants more than the signature.
PHOTO = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
SCRIPT = base64.b64encode(b"<html><script>alert(document.cookie)</script></html>").decode()


class ResponseCase(RecallCase):
    """A recall of dough lot T-DO-2, notified: 40 loaves of T-BR-2 went to the grocer, 10 to
    the clinic (a sale)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.order = cls._sell(cls.customer_clinic, [(cls.bread, "T-BR-2", 10)])
        cls.recall_user = cls._user("rsp_user", "trace_recall.group_recall_user")
        cls.recall_manager = cls._user("rsp_manager", "trace_recall.group_recall_manager")
        cls.customer_shop.email = "quality@grocer.example.com"
        cls.customer_clinic.email = "pharmacy@clinic.example.com"

    def _recall(self, notify=True, **values):
        wizard = (
            self.env["trace.recall.start"]
            .with_user(self.recall_user)
            .create(
                {
                    "reason": "Undeclared sesame in the dough",
                    "selection_mode": "lots",
                    "lot_ids": self.chain["T-DO-2"].ids,
                    **values,
                }
            )
        )
        recall = self.env["trace.recall"].browse(wizard.action_start()["res_id"])
        if notify:
            recall.with_user(self.recall_manager).action_notify()
        return recall

    def _line(self, recall, partner):
        return recall.partner_line_ids.filtered(lambda line: line.partner_id == partner)

    def _answer(self, **quantities):
        answer = {"contact_name": "Gina Grocer", "lines": [{"lot": "T-BR-2", **quantities}]}
        if quantities.get("qty_destroyed"):
            answer["evidence"] = [{"name": "destroyed.png", "datas": PHOTO}]
        return answer

    def _mails(self, line, subject):
        return self.env["mail.mail"].search(
            [("model", "=", "trace.recall.partner"), ("res_id", "=", line.id), ("subject", "ilike", subject)]
        )


@tagged("post_install", "-at_install")
class TestRecallResponse(ResponseCase):
    def test_notice_links_to_the_response_page(self):
        recall = self._recall()
        grocer = self._line(recall, self.customer_shop)
        self.assertTrue(grocer.access_token)
        mail = self._mails(grocer, "please act now")
        self.assertIn(f"/my/recall/{grocer.id}?access_token={grocer.access_token}", mail.body_html)
        clinic = self._line(recall, self.customer_clinic)
        self.assertNotEqual(clinic.access_token, grocer.access_token)
        self.assertNotIn(grocer.access_token, self._mails(clinic, "please act now").body_html)

    def test_answer_lands_on_the_line_the_recall_and_the_audit_trail(self):
        recall = self._recall()
        grocer = self._line(recall, self.customer_shop)
        answer = self._answer(qty_on_hand=5, qty_consumed=20, qty_destroyed=15)
        answer.update(quarantined=True, sub_recall_count=3, comment="Shelves cleared")
        response_id = grocer.with_user(self.recall_user).submit_response(answer)
        response = self.env["trace.recall.response"].browse(response_id)
        self.assertEqual(grocer.response_id, response)
        self.assertEqual(response.channel, "internal")
        self.assertEqual(response.user_id, self.recall_user)
        self.assertEqual(grocer.state, "acknowledged")
        self.assertTrue(grocer.acknowledged_date and grocer.answered_date)
        self.assertEqual(
            (grocer.qty_on_hand, grocer.qty_consumed, grocer.qty_destroyed, grocer.qty_returned), (5, 20, 15, 0)
        )
        self.assertEqual(grocer.qty_accounted, 40)
        self.assertEqual(grocer.sub_recall_count, 3)
        self.assertEqual(response.line_ids.lot_id, self.chain["T-BR-2"])
        self.assertEqual(response.line_ids.qty_shipped, 40)
        self.assertEqual(response.attachment_ids.mapped("name"), ["destroyed.png"])
        self.assertEqual(response.attachment_ids.res_model, "trace.recall.response")
        self.assertEqual(response.attachment_ids.res_id, response.id)
        self.assertEqual(grocer.evidence_ids, response.attachment_ids)
        # Effectiveness: one customer of two answered; 40 of the 50 shipped accounted for.
        self.assertEqual(recall.answered_count, 1)
        self.assertEqual(recall.answered_rate, 50.0)
        self.assertEqual(recall.qty_accounted, 40)
        self.assertEqual(recall.accounted_rate, 80.0)
        self.assertEqual(recall.sub_recall_count, 3)
        self.assertFalse(recall.effectiveness_reached)  # level A: every customer
        self.assertEqual(recall.first_answer_date, grocer.answered_date)
        self.assertEqual(recall.hours_to_last_answer, 0.0)  # the clinic has not answered
        self.assertIn("Gina Grocer", recall.message_ids[0].body)
        # The audit trail has the answer and its lot, in the name of who sent it.
        entries = self.env["trace.audit.log"].search(
            [
                "|",
                "&",
                ("model", "=", "trace.recall.response"),
                ("res_id", "=", response.id),
                "&",
                ("model", "=", "trace.recall.response.line"),
                ("res_id", "in", response.line_ids.ids),
            ]
        )
        self.assertEqual(set(entries.mapped("model")), {"trace.recall.response", "trace.recall.response.line"})
        self.assertEqual(entries.user_id, self.recall_user)
        self.assertIn("Gina Grocer", entries.mapped("new_value"))
        self.assertIn(recall.name, entries[0].reason)
        self.assertTrue(self.env["trace.audit.log"].verify_chain()["ok"])
        # The answer is evidence: never changed, never deleted.
        with self.assertRaisesRegex(UserError, "never changed"):
            response.sudo().write({"contact_name": "Someone else"})
        with self.assertRaisesRegex(UserError, "never changed"):
            response.line_ids.sudo().write({"qty_on_hand": 40})
        with self.assertRaisesRegex(UserError, "never deleted"):
            response.sudo().unlink()

    def test_every_customer_answered(self):
        recall = self._recall()
        self._line(recall, self.customer_shop).submit_response(self._answer(qty_consumed=40))
        self._line(recall, self.customer_clinic).submit_response(self._answer(qty_on_hand=10))
        self.assertEqual(recall.answered_rate, 100.0)
        self.assertTrue(recall.effectiveness_reached)
        self.assertEqual(recall.accounted_rate, 100.0)
        self.assertGreaterEqual(recall.hours_to_last_answer, recall.hours_to_first_answer)
        self.assertEqual(recall.last_answer_date, max(recall.partner_line_ids.mapped("answered_date")))

    def test_effectiveness_levels(self):
        recall = self._recall(notify=False)
        self.assertEqual((recall.effectiveness_level, recall.effectiveness_target), ("A", 100.0))
        recall.effectiveness_level = "D"
        self.assertEqual(recall.effectiveness_target, 2.0)
        recall.write({"effectiveness_level": "B", "effectiveness_target": 40.0})
        with self.assertRaisesRegex(ValidationError, "Level B"):
            recall.effectiveness_target = 100.0
        with self.assertRaisesRegex(ValidationError, "only level B"):
            recall.write({"effectiveness_level": "C", "effectiveness_target": 40.0})
        recall.with_user(self.recall_manager).action_notify()
        self._line(recall, self.customer_shop).submit_response(self._answer(qty_consumed=40))
        self.assertTrue(recall.effectiveness_reached)  # 50 % of customers, the target is 40 %

    def test_bad_answers_are_refused_and_change_nothing(self):
        recall = self._recall()
        grocer = self._line(recall, self.customer_shop).with_user(self.recall_user)
        cases = [
            (self._answer(qty_on_hand=41), ValidationError, "41.0 Units accounted for .* but 40.0 Units were shipped"),
            (self._answer(qty_on_hand=30, qty_consumed=11), ValidationError, "41.0 Units accounted for"),
            (self._answer(qty_on_hand=-1), ValidationError, "T-BR-2: the quantity still on hand cannot be negative"),
            (self._answer(qty_returned="ten"), UserError, "'ten' is not a quantity"),
            (
                {"contact_name": "X", "lines": [{"lot": "T-BR-1", "qty_on_hand": 1}]},
                UserError,
                "T-BR-1 was not shipped",
            ),
            ({"contact_name": "X", "lines": [{"lot_id": self.chain["T-FL-1"].id}]}, UserError, "was not shipped"),
            ({"lines": []}, UserError, "contact person's name is required"),
            ({"contact_name": "X", "sub_recall_count": -2}, UserError, "whole number"),
            ({"contact_name": "X", "qty": 3}, UserError, "Unknown keys in the answer: qty"),
            ({"contact_name": "X", "lines": [{"lot": "T-BR-2"}, {"lot": "T-BR-2"}]}, UserError, "given twice"),
            (self._answer(qty_destroyed=5) | {"evidence": []}, UserError, "Destroyed stock needs evidence"),
            ({"contact_name": "X", "evidence": [{"name": "x.png", "datas": "%%%"}]}, UserError, "not base64"),
            (
                {"contact_name": "X", "evidence": [{"name": "x.png", "datas": SCRIPT}]},
                UserError,
                "Evidence file x.png is .*: send photos .* or PDF documents",
            ),
            ("forty", UserError, "An answer is a dict"),
        ]
        for answer, error, message in cases:
            with self.subTest(message=message), self.assertRaisesRegex(error, message):
                grocer.submit_response(answer)
        self.assertFalse(self.env["trace.recall.response"].search([("recall_id", "=", recall.id)]))
        self.assertFalse(grocer.response_count)
        self.assertEqual(grocer.state, "notified")
        # A user who may not record answers (an auditor reads them only).
        auditor = self._user("rsp_auditor", "trace_compliance.group_trace_auditor")
        with self.assertRaises(AccessError):
            grocer.with_user(auditor).submit_response(self._answer(qty_consumed=40))
        with self.assertRaisesRegex(UserError, "one trace.recall.partner at a time"):
            recall.partner_line_ids.submit_response(self._answer(qty_consumed=40))

    def test_answers_change_until_close(self):
        recall = self._recall()
        grocer = self._line(recall, self.customer_shop)
        first = grocer.submit_response(self._answer(qty_on_hand=40))
        second = grocer.submit_response(self._answer(qty_consumed=30, qty_returned=10))
        self.assertEqual(grocer.response_ids.ids, [second, first])  # both kept, the latest first
        self.assertEqual(grocer.response_id.id, second)
        self.assertEqual(grocer.response_count, 2)
        self.assertEqual((grocer.qty_on_hand, grocer.qty_returned, grocer.state), (0, 10, "returned"))
        self.assertLess(grocer.answered_date, grocer.last_answer_date + timedelta(seconds=1))
        recall.with_user(self.recall_manager).action_close("Answers in")
        with self.assertRaisesRegex(UserError, "is closed: answers can no longer be sent or changed"):
            grocer.submit_response(self._answer(qty_consumed=40))
        self.assertEqual(grocer.response_count, 2)

    def test_returned_quantity_proposes_a_return_of_the_delivery(self):
        recall = self._recall()
        clinic = self._line(recall, self.customer_clinic)
        delivery = self.order.picking_ids
        clinic.submit_response(self._answer(qty_consumed=4, qty_returned=6))
        ret = clinic.return_picking_ids
        self.assertEqual(len(ret), 1)
        self.assertEqual(ret.move_ids.origin_returned_move_id, delivery.move_ids)
        self.assertEqual(ret.location_id, delivery.location_dest_id)
        self.assertEqual(ret.state, "assigned")  # for quality to validate when the goods arrive
        self.assertEqual([(ml.lot_id.name, ml.quantity) for ml in ret.move_line_ids], [("T-BR-2", 6)])
        self.assertIn(recall.name, ret.origin)
        # The same answer again proposes nothing more; a larger return only what is missing.
        clinic.submit_response(self._answer(qty_consumed=4, qty_returned=6))
        self.assertEqual(clinic.return_picking_ids, ret)
        clinic.submit_response(self._answer(qty_returned=10))
        extra = clinic.return_picking_ids - ret
        self.assertEqual([(ml.lot_id.name, ml.quantity) for ml in extra.move_line_ids], [("T-BR-2", 4)])
        # Quality validates it: the lot is back in stock, through Odoo's own return.
        in_stock = self.chain["T-BR-2"].product_qty
        extra.button_validate()
        self.assertEqual(extra.state, "done")
        self.chain["T-BR-2"].invalidate_recordset(["product_qty"])
        self.assertEqual(self.chain["T-BR-2"].product_qty, in_stock + 4)

    def test_reminders_are_sent_once(self):
        recall = self._recall()
        self.company.trace_recall_reminder_days = 7
        grocer, clinic = self._line(recall, self.customer_shop), self._line(recall, self.customer_clinic)
        clinic.submit_response(self._answer(qty_consumed=10))
        Recall = self.env["trace.recall"]
        self.assertFalse(Recall._cron_send_reminders())  # notified today: too early
        week_ago = fields.Datetime.now() - timedelta(days=8)
        recall.partner_line_ids.write({"notified_date": week_ago})
        self.assertEqual(Recall._cron_send_reminders(), grocer)  # the clinic answered
        self.assertEqual(len(self._mails(grocer, "Reminder")), 1)
        self.assertIn(grocer.access_token, self._mails(grocer, "Reminder").body_html)
        self.assertFalse(self._mails(clinic, "Reminder"))
        activity = grocer.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, recall.user_id)
        self.assertEqual(recall.reminder_count, 1)
        # Run again: nothing sent twice.
        self.assertFalse(Recall._cron_send_reminders())
        self.assertEqual(len(self._mails(grocer, "Reminder")), 1)
        self.assertEqual(len(grocer.activity_ids), 1)
        self.assertEqual(grocer.reminder_count, 1)
        # No reminders when the company turns them off.
        other = self._recall(lot_ids=self.chain["T-BR-2"].ids)
        other.partner_line_ids.write({"notified_date": week_ago})
        self.company.trace_recall_reminder_days = 0
        self.assertFalse(Recall._cron_send_reminders())

    def test_drills_never_email_a_customer(self):
        mails = self.env["mail.mail"].search_count([])
        drill = self._recall(notify=False, is_drill=True)
        with self.assertRaisesRegex(UserError, "drill"):
            drill.with_user(self.recall_manager).action_notify()
        # Even a drill line marked notified long ago gets no reminder.
        self.company.trace_recall_reminder_days = 1
        drill.partner_line_ids.write({"state": "notified", "notified_date": fields.Datetime.now() - timedelta(days=30)})
        self.assertFalse(self.env["trace.recall"]._cron_send_reminders())
        self.assertFalse(drill.partner_line_ids._send_reminders())
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        # The preview opens the page a customer would see; answering it is a rehearsal.
        grocer = self._line(drill, self.customer_shop)
        action = grocer.with_user(self.recall_manager).action_preview_response()
        self.assertEqual(action["url"], f"/my/recall/{grocer.id}?access_token={grocer.access_token}")
        grocer.submit_response(self._answer(qty_consumed=40))
        self.assertEqual(drill.answered_rate, 50.0)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
