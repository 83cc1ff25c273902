from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..external_api import check_records

QUALITY_STATUSES = [
    ("released", "Released"),
    ("quarantine", "Quarantine"),
    ("on_hold", "On Hold"),
    ("rejected", "Rejected"),
    ("recalled", "Recalled"),
]
# Statuses a Traceability User may set; the others need a Traceability Manager.
USER_STATUSES = ("quarantine", "on_hold")
# The groups that read traceability records: fields of Odoo's own models that show them (or
# compute a trace) are theirs only, so that nobody else meets them in a form or over RPC.
TRACE_READERS = "trace_compliance.group_trace_user,trace_compliance.group_trace_auditor"


class StockLot(models.Model):
    _name = "stock.lot"
    _inherit = ["stock.lot", "trace.audit.mixin", "trace.reference.mixin"]

    vendor_lot_number = fields.Char(
        index="trigram",
        tracking=True,
        help="The lot number printed by the vendor, captured on receipt. Searching a lot by it works everywhere.",
    )
    quality_status = fields.Selection(
        QUALITY_STATUSES,
        default="released",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        help="Only released lots can be delivered or consumed by a manufacturing order.",
    )
    quality_status_reason = fields.Char("Status Reason", readonly=True)
    quality_status_date = fields.Datetime("Status Changed On", readonly=True)
    quality_status_user_id = fields.Many2one("res.users", "Status Changed By", readonly=True)
    trace_upstream_count = fields.Integer("Made From", compute="_compute_trace_counts", groups=TRACE_READERS)
    trace_downstream_count = fields.Integer("Used In", compute="_compute_trace_counts", groups=TRACE_READERS)
    trace_customer_count = fields.Integer("Customers", compute="_compute_trace_counts", groups=TRACE_READERS)
    trace_awaiting_certificate = fields.Boolean(
        "Awaiting Certificates",
        readonly=True,
        copy=False,
        help="Received without a certificate required at receipt and put in quarantine: approving its certificates "
        "can release it (company setting). Cleared by any other status change.",
    )
    trace_certificate_count = fields.Integer(
        "Certificates", compute="_compute_trace_certificate_count", groups=TRACE_READERS
    )

    def _compute_trace_counts(self):
        for lot in self:
            if not lot.id:
                lot.trace_upstream_count = lot.trace_downstream_count = lot.trace_customer_count = 0
                continue
            forward = lot.trace_forward()
            lot.trace_downstream_count = len(forward["lot_ids"])
            lot.trace_customer_count = len(forward["partner_ids"])
            lot.trace_upstream_count = len(lot._trace_lot_ids("backward"))

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_certificate_count(self):
        Certificate = self.env["trace.certificate"]
        counts = {}
        if self.ids and Certificate.has_access("read"):
            counts = dict(Certificate._read_group([("lot_ids", "in", self.ids)], ["lot_ids"], ["__count"]))
        for lot in self:
            lot.trace_certificate_count = counts.get(lot, 0)

    @api.model
    def _search_display_name(self, operator, value):
        """A lot is found by its vendor lot number too, in every many2one and search."""
        domain = super()._search_display_name(operator, value)
        if value and operator in ("ilike", "=", "=ilike", "like"):
            domain = ["|", *domain, ("vendor_lot_number", operator, value)]
        return domain

    def _trace_references(self):
        references = super()._trace_references()
        references.update(
            {
                self.env._("genealogy links"): self.env["trace.lot.link"]
                .sudo()
                .search_count(["|", ("parent_lot_id", "in", self.ids), ("child_lot_id", "in", self.ids)]),
                self.env._("batch records"): self.env["trace.batch.record"]
                .sudo()
                .search_count(["|", ("lot_ids", "in", self.ids), ("component_ids.lot_id", "in", self.ids)]),
                self.env._("certificates"): self.env["trace.certificate"]
                .sudo()
                .search_count([("lot_ids", "in", self.ids)]),
            }
        )
        return references

    def write(self, vals):
        status_fields = {"quality_status", "trace_awaiting_certificate"}
        if status_fields & set(vals) and not self.env.context.get("trace_status_checked"):
            raise UserError(
                self.env._(
                    "Change the quality status with the Set Status action (or the set_quality_status method), "
                    "which records the reason."
                )
            )
        return super().write(vals)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_open_status_change(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set Quality Status"),
            "res_model": "trace.lot.status.change",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lot_ids": self.ids},
        }

    def action_open_genealogy(self):
        self.ensure_one()
        return self.env["trace.genealogy.explore"].create({"lot_ids": self.ids})._action_open()

    def action_open_upstream(self):
        self.ensure_one()
        return self._action_lot_list(self._trace_lot_ids("backward"), self.env._("%(lot)s: made from", lot=self.name))

    def action_open_downstream(self):
        self.ensure_one()
        return self._action_lot_list(self.trace_forward()["lot_ids"], self.env._("%(lot)s: used in", lot=self.name))

    def action_open_customers(self):
        self.ensure_one()
        forward = self.trace_forward()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(lot)s: customers", lot=self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", forward["partner_ids"])],
        }

    def action_open_certificates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_certificate_action")
        action["domain"] = [("lot_ids", "in", self.ids)]
        action["context"] = self._trace_certificate_defaults()
        return action

    def action_new_certificate(self):
        """Record a certificate for this lot: a new certificate form, lot and product set,
        to upload its file and enter its results."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Certificate"),
            "res_model": "trace.certificate",
            "view_mode": "form",
            "views": [(self.env.ref("trace_compliance.trace_certificate_view_form").id, "form")],
            "target": "current",
            "context": self._trace_certificate_defaults(),
        }

    def _trace_certificate_defaults(self):
        """The context of a new certificate for these lots."""
        context = {"default_lot_ids": self.ids}
        if len(self.product_id) == 1:
            context["default_product_id"] = self.product_id.id
        return context

    def _action_lot_list(self, lot_ids, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "stock.lot",
            "view_mode": "list,form",
            "domain": [("id", "in", list(lot_ids))],
        }

    # ------------------------------------------------------------------
    # quality status
    # ------------------------------------------------------------------
    def set_quality_status(self, status, reason=None):
        """Set the quality status of these lots, with the reason, as the current user.

        Public (XML-RPC). A Traceability User may put lots in quarantine or on hold;
        releasing, rejecting and recalling need a Traceability Manager.
        """
        if not isinstance(status, str) or status not in dict(QUALITY_STATUSES):
            raise UserError(self.env._("Unknown quality status %(status)r.", status=status))
        if not reason or not str(reason).strip():
            raise UserError(self.env._("A reason is required to change the quality status of a lot."))
        self._check_lots_exist()
        if not self.env.su:
            group = "trace_compliance.group_trace_%s" % ("user" if status in USER_STATUSES else "manager")
            if not self.env.user.has_group(group):
                raise AccessError(
                    self.env._(
                        "Only a %(group)s can set lots to %(status)s.",
                        group=self.env.ref(group).full_name,
                        status=dict(QUALITY_STATUSES)[status],
                    )
                )
        self.check_access("write")
        changed = self.filtered(lambda lot: lot.quality_status != status)
        reason = str(reason).strip()
        changed.with_context(trace_status_checked=True, trace_audit_reason=reason).sudo().write(
            {
                "quality_status": status,
                "quality_status_reason": reason,
                "quality_status_date": fields.Datetime.now(),
                "quality_status_user_id": self.env.user.id,
                # Only the quarantine for missing certificates keeps a lot awaiting them.
                "trace_awaiting_certificate": bool(self.env.context.get("trace_awaiting_certificate")),
            }
        )
        label = dict(QUALITY_STATUSES)[status]
        for lot in changed:
            lot.message_post(
                body=self.env._("Quality status set to %(status)s: %(reason)s", status=label, reason=reason),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _check_released(self, operation):
        """Refuse ``operation`` (a document name) when one of these lots is not released."""
        blocked = self.filtered(lambda lot: lot.quality_status != "released")
        if blocked:
            statuses = dict(QUALITY_STATUSES)
            raise UserError(
                self.env._(
                    "%(operation)s cannot be validated: these lots are not released:\n%(lots)s",
                    operation=operation,
                    lots="\n".join(
                        f"- {lot.product_id.display_name}: {lot.name} ({statuses[lot.quality_status]})"
                        for lot in blocked
                    ),
                )
            )

    # ------------------------------------------------------------------
    # certificates
    # ------------------------------------------------------------------
    def _trace_missing_certificates(self, stage, company):
        """``{lot: {certificate type: 'block' | 'warn'}}``: the certificate types these lots
        need at ``stage`` (``receipt`` or ``shipment``) in ``company`` and have no valid,
        unexpired, non-failing certificate for. Lots lacking nothing are left out."""
        requirements = self.env["trace.certificate.requirement"]._get_product_requirements(
            self.product_id, stage, company
        )
        if not requirements:
            return {}
        certificate_types = self.env["trace.certificate.type"].union(
            *(certificate_type for needed in requirements.values() for certificate_type in needed)
        )
        covered = self.env["trace.certificate"]._valid_lot_types(self, certificate_types, company)
        missing = {}
        for lot in self:
            gaps = {
                certificate_type: enforcement
                for certificate_type, enforcement in requirements.get(lot.product_id, {}).items()
                if (lot.id, certificate_type.id) not in covered
            }
            if gaps:
                missing[lot] = gaps
        return missing

    def _trace_quarantine_awaiting_certificates(self, reason):
        """System action: these lots, received without their certificates, are kept in
        quarantine until the certificates are approved. Lots on hold, rejected or recalled
        keep their status."""
        lots = self.sudo()
        released = lots.filtered(lambda lot: lot.quality_status == "released")
        released.with_context(trace_awaiting_certificate=True).set_quality_status("quarantine", reason)
        quarantined = (lots - released).filtered(
            lambda lot: lot.quality_status == "quarantine" and not lot.trace_awaiting_certificate
        )
        if quarantined:
            quarantined.with_context(trace_status_checked=True).write({"trace_awaiting_certificate": True})
            for lot in quarantined:
                lot.message_post(
                    body=self.env._("Kept in quarantine: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note"
                )
        return released | quarantined

    # ------------------------------------------------------------------
    # trace engine (public API, stable)
    # ------------------------------------------------------------------
    @api.readonly
    def trace_forward(self, max_depth=None):
        """Who received anything made from these lots.

        Returns ``{'lot_ids', 'production_ids', 'picking_ids', 'partner_ids'}``: every
        lot/serial downstream (all levels, or ``max_depth`` levels; the starting lots
        excluded), the manufacturing orders that consumed a starting or downstream lot,
        the done deliveries to customers of those lots, and their partners. Only what
        the calling user may read is returned.
        """
        return self._trace("forward", max_depth)

    @api.readonly
    def trace_backward(self, max_depth=None):
        """Where these lots came from: upstream lots, the manufacturing orders that
        produced a starting or upstream lot, the done receipts from vendors of those lots
        and the vendors. Same keys and access rules as :meth:`trace_forward`."""
        return self._trace("backward", max_depth)

    def _trace(self, direction, max_depth):
        """The trace in one SQL statement (see :meth:`_trace_query`), checked as it goes:
        the starting lots must exist and be readable, and every lot, document and partner
        returned is one the caller may read, so nothing of another company leaks through."""
        max_depth = self._check_trace_depth(max_depth)
        if not self.browse().has_access("read"):
            self.check_access("read")  # the model's access rights: raises
        if not all(isinstance(lot_id, int) for lot_id in self._ids):
            self._check_lots_exist()  # new records: raises
        self.env.flush_all()
        self.env.cr.execute(self._trace_query(direction, max_depth))
        found = {"lot": [], "production": [], "picking": [], "partner": [], "missing": [], "denied": []}
        for kind, record_id in self.env.cr.fetchall():
            found[kind].append(record_id)
        if found["missing"]:
            self._raise_missing_lots(self.browse(found["missing"]))
        if found["denied"]:
            self.check_access("read")  # the record rules: raises their AccessError
        return {
            "lot_ids": sorted(found["lot"]),
            "production_ids": sorted(found["production"]),
            "picking_ids": sorted(found["picking"]),
            "partner_ids": sorted(found["partner"]),
        }

    def _trace_query(self, direction, max_depth):
        """One statement, ``(kind, id)`` rows: the lots reached (``lot``), their
        manufacturing orders, transfers and partners, and the starting lots that do not
        exist (``missing``) or that the caller may not read (``denied``).

        Every step is an index lookup by key: the genealogy links, then the done move
        lines of the lots, then their moves and transfers by id, each filtered by the
        caller's record rules (:meth:`_trace_readable_query`). The ids of each step are
        passed on as an array the planner cannot size (``ARRAY(SELECT ...)``): sized,
        thousands of lots tip it into hash joins that scan every move or transfer of the
        database, so the cost would follow the size of the database instead of the size
        of the trace. One statement instead of one per step keeps the trace of a lot with
        nothing downstream within a round trip of the database.

        ``trace_lot`` holds the lots reached that the caller may read, the starting lots
        included: a starting lot missing from it is unknown or denied, and the trace is
        refused.
        """
        start = SQL("%s::int[]", list(self._ids))
        if direction == "forward":
            production_column = SQL("move.raw_material_production_id")
            # A delivery to a customer, or any transfer of an outgoing type (what Odoo's
            # own delivery_ids follows).
            picking_filter = SQL(
                """(ptype.code = 'outgoing' OR picking.id = ANY(ARRAY(
                        SELECT line.picking_id FROM trace_line line JOIN stock_location dest
                            ON dest.id = line.location_dest_id
                         WHERE dest.usage = 'customer')))"""
            )
        else:
            production_column = SQL("move.production_id")
            picking_filter = SQL(
                """picking.id = ANY(ARRAY(
                        SELECT line.picking_id FROM trace_line line JOIN stock_location src ON src.id = line.location_id
                         WHERE src.usage = 'supplier'))"""
            )
        readable = self._trace_readable_query
        return SQL(
            """
            WITH RECURSIVE %(reached)s,
            trace_lot AS MATERIALIZED (%(lots)s),
            trace_line AS MATERIALIZED (
                SELECT line.move_id, line.picking_id, line.location_id, line.location_dest_id
                  FROM stock_move_line line
                 WHERE line.lot_id = ANY(ARRAY(SELECT id FROM trace_lot))
                   AND line.state = 'done'
            ),
            trace_production AS MATERIALIZED (%(productions)s),
            trace_picking AS MATERIALIZED (%(pickings)s)
            SELECT 'lot', id FROM trace_lot WHERE id <> ALL(%(start)s)
             UNION ALL
            SELECT 'production', id FROM trace_production
             UNION ALL
            SELECT 'picking', id FROM trace_picking
             UNION ALL
            SELECT 'partner', id FROM (%(partners)s) partner
             UNION ALL
            SELECT 'missing', start.id FROM unnest(%(start)s) start(id)
             WHERE NOT EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)
             UNION ALL
            SELECT 'denied', start.id FROM unnest(%(start)s) start(id)
             WHERE EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)
               AND start.id NOT IN (SELECT id FROM trace_lot)
            """,
            reached=self._trace_reach_sql(direction, max_depth),
            start=start,
            lots=readable("stock.lot", SQL("SELECT lot_id FROM trace_reached")),
            productions=readable(
                "mrp.production",
                SQL(
                    """SELECT %(column)s FROM stock_move move
                        WHERE move.id = ANY(ARRAY(SELECT move_id FROM trace_line)) AND %(column)s IS NOT NULL""",
                    column=production_column,
                ),
            ),
            pickings=readable(
                "stock.picking",
                SQL(
                    """SELECT picking.id FROM stock_picking picking
                         JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
                        WHERE picking.id = ANY(ARRAY(SELECT picking_id FROM trace_line)) AND %s""",
                    picking_filter,
                ),
                "partner_id",
            ),
            partners=readable("res.partner", SQL("SELECT partner_id FROM trace_picking")),
        )

    @api.model
    def _trace_readable_query(self, model_name, ids_query, *columns):
        """``SELECT id, *columns`` of the records of ``model_name`` with an id given by
        ``ids_query`` that the current user may read (access rights and record rules),
        archived ones included."""
        Model = self.env[model_name].with_context(active_test=False)
        if not Model.has_access("read"):
            return SQL(
                "SELECT %s WHERE FALSE",
                SQL(", ").join(SQL("NULL::int AS %s", SQL.identifier(column)) for column in ("id", *columns)),
            )
        query = Model._search([])
        query.add_where(SQL("%s = ANY(ARRAY(%s))", SQL.identifier(query.table, "id"), ids_query))
        return query.select(*(SQL.identifier(query.table, column) for column in ("id", *columns)))

    def _check_trace_arguments(self, max_depth):
        max_depth = self._check_trace_depth(max_depth)
        self._check_lots_exist()
        self.check_access("read")
        return max_depth

    def _check_trace_depth(self, max_depth):
        """The checks of a trace's arguments that need no query: lots given, ids and depth."""
        if not self:
            raise UserError(self.env._("Choose at least one lot or serial number to trace."))
        if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1):
            raise UserError(
                self.env._("A trace depth is a whole number of levels, 1 or more (got %(depth)r).", depth=max_depth)
            )
        check_records(self, "stock.lot", required=False, exist=False)
        return max_depth

    def _check_lots_exist(self):
        check_records(self, "stock.lot", required=False, exist=False)
        self._raise_missing_lots(self - self.exists())

    def _raise_missing_lots(self, missing):
        if missing:
            raise UserError(
                self.env._("These lots/serial numbers do not exist: %(ids)s", ids=", ".join(map(str, missing._ids)))
            )

    @api.model
    def _trace_link_columns(self, direction):
        """(column followed from, column reached) of trace_lot_link for ``direction``."""
        if direction == "forward":
            return SQL.identifier("parent_lot_id"), SQL.identifier("child_lot_id")
        return SQL.identifier("child_lot_id"), SQL.identifier("parent_lot_id")

    def _trace_lot_ids(self, direction, max_depth=None):
        """Ids of the lots reached from these lots in ``direction`` (starting lots excluded)."""
        self.env["trace.lot.link"].flush_model()
        self.env.cr.execute(
            SQL(
                "WITH RECURSIVE %s SELECT DISTINCT lot_id FROM trace_reached WHERE lot_id <> ALL(%s::int[])",
                self._trace_reach_sql(direction, max_depth),
                list(self._ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _trace_reach_sql(self, direction, max_depth=None):
        """The recursive ``trace_reached(lot_id...)`` of a ``WITH RECURSIVE``: these lots and
        every lot reached from them over the genealogy links in ``direction``.

        ``UNION`` keeps each lot once, so cycles (rework) end; with ``max_depth`` each
        (lot, level) is kept once.
        """
        source, target = self._trace_link_columns(direction)
        if max_depth is None:
            return SQL(
                """trace_reached(lot_id) AS (
                        SELECT unnest(%(start)s::int[])
                    UNION
                        SELECT link.%(target)s FROM trace_reached reached
                          JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                )""",
                start=list(self._ids),
                source=source,
                target=target,
            )
        return SQL(
            """trace_reached(lot_id, depth) AS (
                    SELECT unnest(%(start)s::int[]), 0
                UNION
                    SELECT link.%(target)s, reached.depth + 1
                      FROM trace_reached reached JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                     WHERE reached.depth < %(depth)s
            )""",
            start=list(self._ids),
            source=source,
            target=target,
            depth=max_depth,
        )

    def _trace_readable(self, model_name, ids):
        """The sorted subset of ``ids`` the current user may read (access rights and record rules)."""
        if not ids:
            return []
        self.env.cr.execute(
            SQL(
                "%s ORDER BY 1",
                self._trace_readable_query(model_name, SQL("SELECT unnest(%s::int[])", list(ids))),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]
