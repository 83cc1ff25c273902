from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

SERIALS_PER_PAGE = 20


class TraceWarrantyPortal(CustomerPortal):
    """/my/serials: a customer's contacts see the serials delivered to their company, their
    warranty and service history. Access comes from the portal record rules on stock.lot and
    trace.service.event (the customer's commercial entity), so nobody sees another's serials."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "trace_serial_count" in counters:
            Lot = request.env["stock.lot"]
            values["trace_serial_count"] = (
                Lot.search_count(self._trace_serials_domain()) if Lot.has_access("read") else 0
            )
        return values

    def _trace_serials_domain(self):
        partner = request.env.user.partner_id
        return [("customer_id", "child_of", partner.commercial_partner_id.id)]

    @http.route(["/my/serials", "/my/serials/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_trace_serials(self, page=1, search=None, **kw):
        Lot = request.env["stock.lot"]
        domain = self._trace_serials_domain()
        if search:
            domain += [("name", "ilike", search)]
        total = Lot.search_count(domain)
        pager = portal_pager(
            url="/my/serials",
            url_args={"search": search} if search else {},
            total=total,
            page=page,
            step=SERIALS_PER_PAGE,
        )
        lots = Lot.search(domain, order="delivery_date desc, id desc", limit=SERIALS_PER_PAGE, offset=pager["offset"])
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "trace_serials",
                "default_url": "/my/serials",
                "pager": pager,
                # Read for display only: the rule-filtered search above decided what is shown.
                "serials": lots.sudo(),
                "search": search,
            }
        )
        return request.render("trace_warranty.portal_my_serials", values)

    @http.route(["/my/serials/<int:lot_id>"], type="http", auth="user", website=True)
    def portal_my_trace_serial(self, lot_id, **kw):
        lot = request.env["stock.lot"].browse(lot_id)
        try:
            lot.check_access("read")
            if not lot.exists() or not lot.filtered_domain(self._trace_serials_domain()):
                raise MissingError(request.env._("This serial number is not one of yours."))
        except (AccessError, MissingError):
            return request.redirect("/my/serials")
        events = request.env["trace.service.event"].search([("lot_id", "=", lot.id)], order="date desc, id desc")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "trace_serial",
                "serial": lot.sudo(),
                "events": events.sudo(),
            }
        )
        return request.render("trace_warranty.portal_my_serial", values)
