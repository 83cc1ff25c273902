from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.trace_compliance.compat import domain_or
from odoo.addons.trace_compliance.groups import TRACE_READERS

WARRANTY_STATES = [("none", "No Warranty"), ("active", "In Warranty"), ("expired", "Expired")]


class StockLot(models.Model):
    """The serial registry: who has each serial, since when, on which order, and its warranty."""

    _inherit = "stock.lot"

    product_tracking = fields.Selection(related="product_id.tracking", string="Product Tracking")
    customer_id = fields.Many2one(
        "res.partner",
        readonly=True,
        index="btree_not_null",
        help="The partner of the last done delivery of this serial to a customer; empty again once it is returned.",
    )
    delivery_date = fields.Datetime(readonly=True, help="When the last delivery to a customer was done.")
    sale_order_id = fields.Many2one("sale.order", readonly=True, help="The order of the last delivery.")
    return_date = fields.Datetime(
        readonly=True, help="When the serial came back from its last customer, if it did since its last delivery."
    )
    warranty_start_date = fields.Date(
        readonly=True,
        help="First delivery to this customer (or the first installation after it, when the product's warranty "
        "starts on installation). A return and re-delivery to the same customer keeps it; a delivery to another "
        "customer starts a new warranty.",
    )
    warranty_end_date = fields.Date(
        compute="_compute_warranty_end_date",
        store=True,
        help="Last day covered: the start plus the product's warranty duration, minus one day.",
    )
    warranty_state = fields.Selection(
        WARRANTY_STATES,
        compute="_compute_warranty_state",
        search="_search_warranty_state",
        help="Today, compared with the warranty dates.",
    )
    warranty_reason = fields.Char("Warranty", compute="_compute_warranty_state")
    service_event_ids = fields.One2many(
        "trace.service.event", "lot_id", "Service History", groups=f"{TRACE_READERS},base.group_portal"
    )
    service_event_count = fields.Integer("Service Events", compute="_compute_service_event_count", groups=TRACE_READERS)
    installed_component_lot_ids = fields.Many2many(
        "stock.lot",
        compute="_compute_installed_component_lot_ids",
        string="Installed Components",
        groups=TRACE_READERS,
        help="The component lots and serials in this serial now: those it was built with and those installed "
        "in service, less those removed in service.",
    )

    @api.depends("warranty_start_date", "product_id.product_tmpl_id.warranty_months")
    def _compute_warranty_end_date(self):
        for lot in self:
            months = lot.product_id.product_tmpl_id.warranty_months
            lot.warranty_end_date = (
                lot.warranty_start_date + relativedelta(months=months, days=-1)
                if lot.warranty_start_date and months
                else False
            )

    @api.depends_context("tz")
    @api.depends("warranty_start_date", "warranty_end_date")
    def _compute_warranty_state(self):
        today = fields.Date.context_today(self)
        for lot in self:
            lot.warranty_state, _in, lot.warranty_reason = lot._warranty_status_at(today)

    @api.model
    def _search_warranty_state(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(self.env._("Search the warranty state with =, !=, in or not in."))
        values = [value] if isinstance(value, str) or not value else list(value)
        today = fields.Date.context_today(self)
        by_state = {
            "active": [("warranty_start_date", "<=", today), ("warranty_end_date", ">=", today)],
            "expired": [("warranty_end_date", "<", today)],
            "none": ["|", ("warranty_end_date", "=", False), ("warranty_start_date", ">", today)],
        }
        unknown = [v for v in values if v not in by_state]
        if unknown:
            raise UserError(self.env._("Unknown warranty state: %(states)s.", states=", ".join(map(str, unknown))))
        domain = domain_or([by_state[v] for v in values])
        return ["!", *domain] if operator in ("!=", "not in") else domain

    def _compute_service_event_count(self):
        Event = self.env["trace.service.event"]
        counts = {}
        if self.ids and Event.has_access("read"):
            counts = dict(Event._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"]))
        for lot in self:
            lot.service_event_count = counts.get(lot, 0)

    def _compute_installed_component_lot_ids(self):
        Link = self.env["trace.lot.link"]
        Event = self.env["trace.service.event"]
        for lot in self:
            if not lot.id or not Link.has_access("read") or not Event.has_access("read"):
                lot.installed_component_lot_ids = False
                continue
            # What it was built with, then each done service event in turn.
            installed = Link.search([("child_lot_id", "=", lot.id), ("link_type", "=", "production")]).parent_lot_id
            for event in Event.search([("lot_id", "=", lot.id), ("state", "=", "done")], order="date, id"):
                installed = (installed | event.installed_lot_ids) - event.removed_lot_ids
            lot.installed_component_lot_ids = installed

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("service events")] = (
            self.env["trace.service.event"]
            .sudo()
            .search_count(
                [
                    "|",
                    "|",
                    ("lot_id", "in", self.ids),
                    ("installed_lot_ids", "in", self.ids),
                    ("removed_lot_ids", "in", self.ids),
                ]
            )
        )
        return references

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_view_service_events(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_warranty.trace_service_event_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action

    def action_open_warranty_check(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Warranty Check"),
            "res_model": "trace.warranty.check",
            "view_mode": "form",
            "target": "new",
            "context": {"default_serial_name": self.name, "default_product_id": self.product_id.id},
        }

    # ------------------------------------------------------------------
    # warranty
    # ------------------------------------------------------------------
    def _warranty_status_at(self, date):
        """(state, in warranty, why) of this serial on ``date`` (a date)."""
        self.ensure_one()
        # The warranty terms are the product's; whoever may see the serial may know them.
        product = self.sudo().product_id
        template = product.product_tmpl_id
        start, end = self.warranty_start_date, self.warranty_end_date
        if not template.warranty_months:
            return "none", False, self.env._("%(product)s has no warranty.", product=product.display_name)
        if not start:
            if template.warranty_start == "installation" and self.delivery_date:
                return "none", False, self.env._("Delivered, not installed yet: the warranty starts on installation.")
            return "none", False, self.env._("Not delivered to a customer yet: the warranty has not started.")
        if date < start:
            return "none", False, self.env._("Before the warranty started on %(start)s.", start=start)
        if date > end:
            return "expired", False, self.env._("Out of warranty: it ended on %(end)s.", end=end)
        return (
            "active",
            True,
            self.env._(
                "In warranty: %(months)s months from %(start)s to %(end)s.",
                months=template.warranty_months,
                start=start,
                end=end,
            ),
        )

    @api.readonly
    @api.model
    def warranty_lookup(self, serial_name, product_id=None):
        """The registry entry of one serial number, for integrations (customer service, field service).

        :param serial_name: the serial number, exactly as printed
        :param product_id: the product's id, needed only when two products use that serial number
        :return: dict with serial, product, customer, delivery date, warranty dates and state, and the
            service events (newest first)
        """
        lot = self._warranty_find_serial(serial_name, product_id)
        events = self.env["trace.service.event"].search([("lot_id", "=", lot.id)], order="date desc, id desc")
        # Found with the caller's rights (record rules included): read the rest for display.
        lot, events = lot.sudo(), events.sudo()
        today = fields.Date.context_today(self)
        state, in_warranty, reason = lot._warranty_status_at(today)
        return {
            "id": lot.id,
            "serial": lot.name,
            "product": {"id": lot.product_id.id, "name": lot.product_id.display_name},
            "customer": {"id": lot.customer_id.id, "name": lot.customer_id.display_name} if lot.customer_id else False,
            "delivery_date": fields.Datetime.to_string(lot.delivery_date) if lot.delivery_date else False,
            "sale_order": lot.sale_order_id.name if lot.sale_order_id else False,
            "return_date": fields.Datetime.to_string(lot.return_date) if lot.return_date else False,
            "warranty_start_date": fields.Date.to_string(lot.warranty_start_date) if lot.warranty_start_date else False,
            "warranty_end_date": fields.Date.to_string(lot.warranty_end_date) if lot.warranty_end_date else False,
            "warranty_state": state,
            "in_warranty": in_warranty,
            "warranty_reason": reason,
            "events": [
                {
                    "id": event.id,
                    "name": event.name,
                    "date": fields.Datetime.to_string(event.date),
                    "event_type": event.event_type,
                    "state": event.state,
                    "in_warranty": event.in_warranty,
                    "partner": event.partner_id.display_name or False,
                    "description": event.description or False,
                    "result": event.result or False,
                }
                for event in events
            ],
        }

    @api.model
    def _warranty_find_serial(self, serial_name, product_id=None):
        if not isinstance(serial_name, str) or not serial_name.strip():
            raise UserError(self.env._("Give the serial number to look up (a non-empty text)."))
        if (
            product_id is not None
            and product_id is not False
            and (not isinstance(product_id, int) or isinstance(product_id, bool))
        ):
            raise UserError(self.env._("The product must be given by its id (an integer)."))
        domain = [("name", "=", serial_name.strip())]
        if product_id:
            domain.append(("product_id", "=", product_id))
        # The caller's rights decide which lots exist for them; the product is read as the system
        # (a portal customer may not read products).
        lots = self.search(domain).filtered(lambda lot: lot.sudo().product_id.tracking == "serial")
        if not lots:
            if product_id:
                raise UserError(
                    self.env._(
                        "No serial number %(serial)s of product %(product)s.",
                        serial=serial_name,
                        product=self.env["product.product"].sudo().browse(product_id).exists().display_name
                        or product_id,
                    )
                )
            raise UserError(self.env._("Unknown serial number: %(serial)s.", serial=serial_name))
        if len(lots) > 1:
            raise UserError(
                self.env._(
                    "Serial number %(serial)s is used by several products: %(products)s. Give the product too "
                    "(product_id).",
                    serial=serial_name,
                    products=", ".join(f"{p.display_name} (id {p.id})" for p in lots.sudo().product_id),
                )
            )
        return lots

    # ------------------------------------------------------------------
    # registry
    # ------------------------------------------------------------------
    @api.model
    def _warranty_update_registry(self, lot_ids=None):
        """Recompute customer, delivery, order, return and warranty start of serials from their
        deliveries and customer returns (the trace engine's), in one statement. ``lot_ids``
        None means every serial.

        The customer is the partner of the last done delivery, unless a return came after it. The
        warranty starts on the first delivery to that customer (its commercial entity) since the
        serial was last delivered to someone else, or on the first done installation event after
        it when the product's warranty starts on installation.
        """
        self.env.flush_all()
        if lot_ids is not None:
            # Two transfers of one serial done at once (a return and a delivery) each see only
            # their own move. Writing the rows first (even unchanged) makes the later one wait
            # and then fail with a serialization error, which Odoo retries with both moves
            # visible: the registry never keeps a stale answer.
            self.env.cr.execute(
                SQL("UPDATE stock_lot SET customer_id = customer_id WHERE id = ANY(%s)", sorted(lot_ids))
            )
        engine = self.env["trace.engine"]
        where = SQL("TRUE") if lot_ids is None else SQL("ml.lot_id = ANY(%s)", list(lot_ids))

        def lines(kind, columns=()):
            """The trace engine's lines of ``kind`` of these serials (of every serial)."""
            if lot_ids is None:
                return engine._lines_query(kind, SQL("TRUE"), columns)
            return engine._lot_lines_query(kind, lot_ids, columns)

        self.env.cr.execute(
            SQL(
                """
            WITH customer_line AS (
                SELECT line.lot_id, line.line_id, line.date, TRUE AS outgoing, line.partner_id, line.sale_line_id
                  FROM (%(deliveries)s) line
                 UNION ALL
                SELECT line.lot_id, line.line_id, line.date, FALSE, line.partner_id, NULL
                  FROM (%(returns)s) line
            ),
            customer_moves AS (
                SELECT cl.lot_id, cl.line_id, cl.date, cl.outgoing, cl.partner_id,
                       COALESCE(rp.commercial_partner_id, rp.id) AS commercial_id,
                       sol.order_id AS sale_order_id
                  FROM customer_line cl
                  JOIN stock_lot lot ON lot.id = cl.lot_id
                  JOIN product_product pp ON pp.id = lot.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id AND pt.tracking = 'serial'
             LEFT JOIN res_partner rp ON rp.id = cl.partner_id
             LEFT JOIN sale_order_line sol ON sol.id = cl.sale_line_id
            ),
            last_out AS (
                SELECT DISTINCT ON (lot_id) lot_id, line_id, date, partner_id, commercial_id, sale_order_id
                  FROM customer_moves
                 WHERE outgoing
              ORDER BY lot_id, date DESC, line_id DESC
            ),
            registry AS (
                SELECT lo.lot_id, lo.date AS delivery_date, lo.sale_order_id,
                       ret.date AS return_date,
                       CASE WHEN ret.date IS NULL THEN lo.partner_id END AS customer_id,
                       (SELECT MIN(cm.date) FROM customer_moves cm
                         WHERE cm.lot_id = lo.lot_id AND cm.outgoing
                           AND cm.commercial_id IS NOT DISTINCT FROM lo.commercial_id
                           AND cm.date > COALESCE(
                                (SELECT MAX(other.date) FROM customer_moves other
                                  WHERE other.lot_id = lo.lot_id AND other.outgoing
                                    AND other.commercial_id IS DISTINCT FROM lo.commercial_id),
                                '-infinity'::timestamp)
                       ) AS first_delivery
                  FROM last_out lo
             LEFT JOIN LATERAL (
                        SELECT MAX(cm.date) AS date FROM customer_moves cm
                         WHERE cm.lot_id = lo.lot_id AND NOT cm.outgoing
                           AND (cm.date, cm.line_id) > (lo.date, lo.line_id)
                       ) ret ON ret.date IS NOT NULL
            ),
            targets AS (
                SELECT DISTINCT ml.lot_id FROM stock_move_line ml WHERE %(where)s AND ml.lot_id IS NOT NULL
            ),
            new AS (
                SELECT t.lot_id, r.customer_id, r.delivery_date, r.sale_order_id, r.return_date,
                       CASE WHEN r.lot_id IS NULL THEN NULL
                            WHEN pt.warranty_start = 'installation' THEN (
                                SELECT MIN(e.date)::date FROM trace_service_event e
                                 WHERE e.lot_id = t.lot_id AND e.event_type = 'installation' AND e.state = 'done'
                                   AND e.date >= r.first_delivery)
                            ELSE r.first_delivery::date
                       END AS warranty_start_date
                  FROM targets t
                  JOIN stock_lot l ON l.id = t.lot_id
                  JOIN product_product pp ON pp.id = l.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id AND pt.tracking = 'serial'
             LEFT JOIN registry r ON r.lot_id = t.lot_id
            )
            UPDATE stock_lot lot
               SET customer_id = n.customer_id,
                   delivery_date = n.delivery_date,
                   sale_order_id = n.sale_order_id,
                   return_date = n.return_date,
                   warranty_start_date = n.warranty_start_date
              FROM new n
             WHERE lot.id = n.lot_id
               AND (lot.customer_id, lot.delivery_date, lot.sale_order_id, lot.return_date, lot.warranty_start_date)
                   IS DISTINCT FROM
                   (n.customer_id, n.delivery_date, n.sale_order_id, n.return_date, n.warranty_start_date)
         RETURNING lot.id
                """,
                where=where,
                deliveries=lines("delivery", [SQL("trace_move.sale_line_id")]),
                returns=lines("customer_return"),
            )
        )
        changed = self.browse(row[0] for row in self.env.cr.fetchall())
        if changed:
            self.invalidate_model(
                ["customer_id", "delivery_date", "sale_order_id", "return_date", "warranty_start_date"]
            )
            changed.modified(["warranty_start_date"])
            changed.flush_recordset(["warranty_end_date"])
        return changed
