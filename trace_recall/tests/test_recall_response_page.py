import base64

from odoo.tests import HttpCase, tagged

from .test_recall_response import ResponseCase

# A real 1x1 PNG: Odoo 19.0 tells a file's type with libmagic, which wants more than the signature.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC")


@tagged("post_install", "-at_install")
class TestRecallResponsePage(ResponseCase, HttpCase):
    """The response page over HTTP, as a browser without a login reaches it: the notice's link
    opens that customer's page and nothing else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer_far = cls.env["res.partner"].create({"name": "Faraway Deli", "email": "deli@far.example.com"})
        cls.far_order = cls._sell(cls.customer_far, [(cls.bread, "T-BR-1", 7)])

    def _get(self, url):
        self.authenticate(None, None)
        return self.url_open(url, allow_redirects=False)

    def _post(self, line, data, files=None):
        page = self._get(line.get_portal_url())
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        data = {"csrf_token": csrf, "access_token": line.access_token, **data}
        return self.url_open(f"/my/recall/{line.id}/answer", data=data, files=files, allow_redirects=False)

    def _form(self, lot, **quantities):
        data = {"received": "on", "contact_name": "Gina Grocer"}
        data.update({f"{name}_{lot.id}": str(qty) for name, qty in quantities.items()})
        return data

    def test_a_token_opens_its_own_customer_line_only(self):
        recall = self._recall()
        other = self._recall(lot_ids=self.chain["T-BR-1"].ids)
        grocer, clinic = self._line(recall, self.customer_shop), self._line(recall, self.customer_clinic)
        far = self._line(other, self.customer_far)
        page = self._get(grocer.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("T-BR-2", page.text)
        self.assertIn("Undeclared sesame", page.text)
        self.assertIn("Test Grocer", page.text)
        for leak in ("Test Clinic", "Faraway Deli", "T-BR-1", clinic.access_token, far.access_token):
            self.assertNotIn(leak, page.text)
        one_changed = grocer.access_token[:-1] + ("0" if grocer.access_token[-1] != "0" else "1")
        refused = {
            "the grocer's token on the clinic's line": f"/my/recall/{clinic.id}?access_token={grocer.access_token}",
            "on another recall's line": f"/my/recall/{far.id}?access_token={grocer.access_token}",
            "one character changed": f"/my/recall/{grocer.id}?access_token={one_changed}",
            "no token": f"/my/recall/{grocer.id}",
            "an empty token": f"/my/recall/{grocer.id}?access_token=",
            "a guessed id": f"/my/recall/{max((grocer | clinic | far).ids) + 1}?access_token={grocer.access_token}",
        }
        for case, url in refused.items():
            with self.subTest(case=case):
                response = self._get(url)
                self.assertEqual(response.status_code, 404)
                for leak in ("Test Grocer", "Test Clinic", "Faraway Deli", "T-BR-", "sesame"):
                    self.assertNotIn(leak, response.text)
        # Answering with the wrong token is refused the same way, and records nothing.
        page = self._get(grocer.get_portal_url())
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        data = {
            "csrf_token": csrf,
            "access_token": grocer.access_token,
            **self._form(self.chain["T-BR-2"], qty_consumed=10),
        }
        response = self.url_open(f"/my/recall/{clinic.id}/answer", data=data, allow_redirects=False)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(clinic.response_ids)

    def test_answer_from_the_page(self):
        recall = self._recall()
        grocer = self._line(recall, self.customer_shop)
        loaf = self.chain["T-BR-2"]
        response = self._post(
            grocer,
            self._form(loaf, qty_on_hand=5, qty_consumed=20, qty_destroyed=15)
            | {"sub_recall": "on", "sub_recall_count": "3"},
            files={"evidence": ("photo.png", PNG, "image/png")},
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn(
            f"/my/recall/{grocer.id}?answered=1&access_token={grocer.access_token}", response.headers["Location"]
        )
        answer = grocer.response_id
        self.assertEqual(answer.channel, "portal")
        self.assertEqual(answer.user_id, self.env.ref("base.public_user"))
        self.assertEqual((answer.qty_on_hand, answer.qty_consumed, answer.qty_destroyed), (5, 20, 15))
        self.assertEqual(answer.sub_recall_count, 3)
        self.assertEqual(answer.attachment_ids.mapped("name"), ["photo.png"])
        self.assertEqual(answer.attachment_ids.raw, PNG)
        self.assertEqual(recall.message_ids[0].author_id, self.customer_shop)
        audit = self.env["trace.audit.log"].search(
            [("model", "=", "trace.recall.response"), ("res_id", "=", answer.id)]
        )
        self.assertEqual(audit.user_id, self.env.ref("base.public_user"))
        page = self._get(response.headers["Location"])
        self.assertIn("o_trace_recall_thanks", page.text)
        self.assertIn('value="15"', page.text)
        self.assertIn("Change my answer", page.text)

    def test_bad_answers_on_the_page(self):
        recall = self._recall()
        grocer = self._line(recall, self.customer_shop)
        loaf = self.chain["T-BR-2"]
        cases = {
            "above shipped": (self._form(loaf, qty_on_hand=30, qty_consumed=20), "50.0 Units accounted for"),
            "negative": (self._form(loaf, qty_returned=-3), "cannot be negative"),
            "not a number": (self._form(loaf, qty_consumed="lots"), "is not a quantity"),
            "destroyed without a photo": (self._form(loaf, qty_destroyed=3), "needs evidence"),
            "no contact": (self._form(loaf, qty_consumed=3) | {"contact_name": " "}, "name is required"),
            "bad count": (self._form(loaf) | {"sub_recall": "on", "sub_recall_count": "many"}, "whole number"),
        }
        for case, (data, message) in cases.items():
            with self.subTest(case=case):
                response = self._post(grocer, data)
                self.assertEqual(response.status_code, 400)
                self.assertIn("o_trace_recall_error", response.text)
                self.assertIn(message, response.text)
        # A web page sent as a "photo" is refused: employees open the evidence in their browser.
        scripts = {
            "photo.png": b"<html><body><script>alert(document.cookie)</script></body></html>",
            "photo.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
        }
        for name, script in scripts.items():
            with self.subTest(evidence=name):
                files = {"evidence": (name, script, "image/png")}
                response = self._post(grocer, self._form(loaf, qty_destroyed=3), files=files)
                self.assertEqual(response.status_code, 400)
                self.assertIn("send photos (JPEG, PNG...) or PDF documents", response.text)
        self.assertFalse(grocer.response_ids)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "trace.recall.response")]))
        # After the recall closes, the page shows the answer and takes none.
        self.assertEqual(self._post(grocer, self._form(loaf, qty_consumed=40)).status_code, 303)
        recall.with_user(self.recall_manager).action_close("All answered")
        page = self._get(grocer.get_portal_url())
        self.assertIn("o_trace_recall_closed", page.text)
        self.assertNotIn("o_trace_recall_submit", page.text)
        response = self._post(grocer, self._form(loaf, qty_on_hand=40))
        self.assertEqual(response.status_code, 400)
        self.assertIn("answers can no longer be sent or changed", response.text)
        self.assertEqual(len(grocer.response_ids), 1)

    def test_drill_links_answer_internal_users_only(self):
        drill = self._recall(notify=False, is_drill=True)
        grocer = self._line(drill, self.customer_shop)
        url = grocer.with_user(self.recall_manager).action_preview_response()["url"]
        self.assertEqual(self._get(url).status_code, 404)
        self.authenticate("rsp_manager", "rsp_manager")
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_trace_recall_drill", page.text)
        # An employee previewing a real recall sees the page, and cannot answer for the customer.
        recall = self._recall()
        line = self._line(recall, self.customer_shop)
        page = self.url_open(line.get_portal_url())
        self.assertIn("o_trace_recall_preview", page.text)
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.url_open(
            f"/my/recall/{line.id}/answer",
            data={
                "csrf_token": csrf,
                "access_token": line.access_token,
                **self._form(self.chain["T-BR-2"], qty_consumed=1),
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(line.response_ids)

    def test_portal_user_sees_their_company_notices(self):
        recall = self._recall()
        contact = self.env["res.partner"].create({"name": "Grocer Buyer", "parent_id": self.customer_shop.id})
        portal = self._user("rsp_portal", "base.group_portal", partner_id=contact.id)
        self._recall(notify=False, is_drill=True)  # never listed
        self.authenticate("rsp_portal", "rsp_portal")
        home = self.url_open("/my/home")
        self.assertIn("/my/recalls", home.text)
        listing = self.url_open("/my/recalls")
        self.assertEqual(listing.status_code, 200)
        self.assertEqual(listing.text.count("o_trace_recall_notice_row"), 1)
        self.assertIn(recall.name, listing.text)
        grocer, clinic = self._line(recall, self.customer_shop), self._line(recall, self.customer_clinic)
        self.assertEqual(self.url_open(f"/my/recall/{grocer.id}").status_code, 200)  # their own, no token needed
        self.assertEqual(self.url_open(f"/my/recall/{clinic.id}", allow_redirects=False).status_code, 404)
        lines = self.env["trace.recall.partner"].with_user(portal).search([])
        self.assertEqual(lines, grocer)
        self.assertEqual(self.env["trace.recall.partner"].with_user(portal).search_count([("id", "=", clinic.id)]), 0)
        # The portal user answers too, from their list.
        data = self._form(self.chain["T-BR-2"], qty_destroyed=40)
        page = self.url_open(f"/my/recall/{grocer.id}")
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.url_open(
            f"/my/recall/{grocer.id}/answer",
            data={"csrf_token": csrf, **data},
            files={"evidence": ("certificate.pdf", b"%PDF-1.4 destroyed", "application/pdf")},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(grocer.response_id.user_id, portal)
        self.assertEqual(grocer.qty_destroyed, 40)
