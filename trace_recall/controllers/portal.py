from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.trace_recall_response import RESPONSE_QUANTITIES

NOTICES_PER_PAGE = 20


class TraceRecallPortal(CustomerPortal):
    """The response page of a recall notice, ``/my/recall/<line>?access_token=…``: the link
    each customer's notice carries (``trace.recall.partner``'s portal token), open without a
    login. It shows that customer's deliveries of the recalled lots and takes their answer
    (``trace.recall.partner._submit_response``). A wrong token, another customer's line or a
    guessed id answer 404, the same as a line that does not exist, so a link tells nothing of
    any other. A drill's links answer internal users only (a preview): no customer sees a drill.

    Portal users also find the notices sent to their company under ``/my/recalls``."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "trace_recall_count" in counters:
            Line = request.env["trace.recall.partner"]
            values["trace_recall_count"] = (
                Line.search_count(self._trace_recall_notices_domain()) if Line.has_access("read") else 0
            )
        return values

    def _trace_recall_notices_domain(self):
        """The notices sent to the portal user's company (the portal record rule also keeps
        drills and notices not sent yet out)."""
        partner = request.env.user.partner_id
        return [("partner_id", "child_of", partner.commercial_partner_id.id)]

    @http.route(["/my/recalls", "/my/recalls/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_trace_recalls(self, page=1, **kw):
        Line = request.env["trace.recall.partner"]
        if not Line.has_access("read"):
            return request.redirect("/my")
        domain = self._trace_recall_notices_domain()
        total = Line.search_count(domain)
        pager = portal_pager(url="/my/recalls", total=total, page=page, step=NOTICES_PER_PAGE)
        lines = Line.search(domain, order="notified_date desc, id desc", limit=NOTICES_PER_PAGE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "trace_recalls",
                "default_url": "/my/recalls",
                "pager": pager,
                # Read for display only: the rule-filtered search above decided what is shown.
                "notices": lines.sudo(),
            }
        )
        return request.render("trace_recall.portal_my_recalls", values)

    def _trace_recall_line(self, line_id, access_token):
        """The customer line the link opens, as ``sudo()`` for the current user (who the audit
        trail names), or ``None`` when it must answer 404."""
        try:
            self._document_check_access("trace.recall.partner", line_id, access_token=access_token)
        except (AccessError, MissingError):
            return None
        line = request.env["trace.recall.partner"].browse(line_id).sudo()
        if line.recall_id.is_drill and not request.env.user._is_internal():
            return None
        if line.recall_id.state in ("draft", "cancelled"):
            return None
        return line

    def _trace_recall_values(self, line, access_token, **values):
        shipped = line._get_shipped_lots()
        response = line.response_id
        answered = {answer.lot_id.id: answer for answer in response.line_ids}
        page = self._prepare_portal_layout_values()
        page.update(
            {
                "page_name": "trace_recall",
                "line": line,
                "recall": line.recall_id,
                "response": response,
                "shipped": shipped,
                "answered": answered,
                "quantities": RESPONSE_QUANTITIES,
                "access_token": access_token,
                "closed": not line._is_answerable(),
                "preview": request.env.user._is_internal(),
                "form": {},
                "error": False,
                **values,
            }
        )
        return page

    @http.route(["/my/recall/<int:line_id>"], type="http", auth="public", website=True)
    def portal_trace_recall(self, line_id, access_token=None, answered=None, **kw):
        line = self._trace_recall_line(line_id, access_token)
        if line is None:
            return request.not_found()
        values = self._trace_recall_values(line, access_token, just_answered=bool(answered))
        return request.render("trace_recall.portal_recall_response", values)

    @http.route(["/my/recall/<int:line_id>/answer"], type="http", auth="public", methods=["POST"], website=True)
    def portal_trace_recall_answer(self, line_id, access_token=None, **post):
        line = self._trace_recall_line(line_id, access_token)
        if line is None:
            return request.not_found()
        try:
            if request.env.user._is_internal() and not line.recall_id.is_drill:
                raise UserError(
                    request.env._(
                        "This page is the customer's: an employee records an answer from the recall's customer line "
                        "(or an integration with submit_response)."
                    )
                )
            line._submit_response(self._trace_recall_answer(line, post), channel="portal")
        except (UserError, ValidationError) as error:
            values = self._trace_recall_values(line, access_token, form=post, error=error.args[0])
            return request.render("trace_recall.portal_recall_response", values, status=400)
        url = line.access_url + "?answered=1"
        if access_token:
            url += f"&access_token={access_token}"
        return request.redirect(url)

    def _trace_recall_answer(self, line, post):
        """The answer of the response page's form, in the shape ``submit_response`` takes."""
        files = request.httprequest.files.getlist("evidence")
        count = (post.get("sub_recall_count") or "0").strip()
        # A count that is no whole number goes as typed: submit_response's own check refuses it.
        sub_recall_count = count if not count.isdigit() else int(count) if post.get("sub_recall") else 0
        return {
            "lines": [
                {"lot_id": lot_id, **{name: post.get(f"{name}_{lot_id}") for name in RESPONSE_QUANTITIES}}
                for lot_id in line._get_shipped_lots()
            ],
            "received": bool(post.get("received")),
            "quarantined": bool(post.get("quarantined")),
            "sub_recall_count": sub_recall_count,
            "contact_name": post.get("contact_name"),
            "contact_email": post.get("contact_email"),
            "contact_phone": post.get("contact_phone"),
            "comment": post.get("comment"),
            "evidence": [{"name": upload.filename, "raw": upload.read()} for upload in files if upload.filename],
        }
