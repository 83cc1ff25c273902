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
    trace_upstream_count = fields.Integer("Made From", compute="_compute_trace_counts")
    trace_downstream_count = fields.Integer("Used In", compute="_compute_trace_counts")
    trace_customer_count = fields.Integer("Customers", compute="_compute_trace_counts")
    trace_awaiting_certificate = fields.Boolean(
        "Awaiting Certificates",
        readonly=True,
        copy=False,
        help="Received without a certificate required at receipt and put in quarantine: approving its certificates "
        "can release it (company setting). Cleared by any other status change.",
    )
    trace_certificate_count = fields.Integer("Certificates", compute="_compute_trace_certificate_count")

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
        max_depth = self._check_trace_arguments(max_depth)
        # Documents come from the lots the caller may read only, and partners from the
        # transfers they may read only: nothing of another company leaks through.
        lot_ids = self._trace_readable("stock.lot", self._trace_lot_ids(direction, max_depth))
        documents = self._trace_documents(direction, set(self.ids) | set(lot_ids))
        picking_ids = self._trace_readable("stock.picking", documents["partner_by_picking"])
        partner_ids = {documents["partner_by_picking"][picking] for picking in picking_ids} - {None}
        return {
            "lot_ids": lot_ids,
            "production_ids": self._trace_readable("mrp.production", documents["production_ids"]),
            "picking_ids": picking_ids,
            "partner_ids": self._trace_readable("res.partner", partner_ids),
        }

    def _check_trace_arguments(self, max_depth):
        if not self:
            raise UserError(self.env._("Choose at least one lot or serial number to trace."))
        if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1):
            raise UserError(
                self.env._("A trace depth is a whole number of levels, 1 or more (got %(depth)r).", depth=max_depth)
            )
        self._check_lots_exist()
        self.check_access("read")
        return max_depth

    def _check_lots_exist(self):
        check_records(self, "stock.lot", required=False, exist=False)
        missing = self - self.exists()
        if missing:
            raise UserError(
                self.env._("These lots/serial numbers do not exist: %(ids)s", ids=", ".join(map(str, missing.ids)))
            )

    @api.model
    def _trace_link_columns(self, direction):
        """(column followed from, column reached) of trace_lot_link for ``direction``."""
        if direction == "forward":
            return SQL.identifier("parent_lot_id"), SQL.identifier("child_lot_id")
        return SQL.identifier("child_lot_id"), SQL.identifier("parent_lot_id")

    def _trace_lot_ids(self, direction, max_depth=None):
        """Ids of the lots reached from these lots in ``direction`` (starting lots excluded).

        One recursive query over the genealogy links. ``UNION`` keeps each lot once, so
        cycles (rework) end; with ``max_depth`` each (lot, level) is kept once.
        """
        source, target = self._trace_link_columns(direction)
        self.env["trace.lot.link"].flush_model()
        if max_depth is None:
            query = SQL(
                """
                WITH RECURSIVE reached(lot_id) AS (
                        SELECT unnest(%(start)s::int[])
                    UNION
                        SELECT link.%(target)s FROM reached JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                )
                SELECT lot_id FROM reached WHERE lot_id <> ALL(%(start)s::int[])
                """,
                start=self.ids,
                source=source,
                target=target,
            )
        else:
            query = SQL(
                """
                WITH RECURSIVE reached(lot_id, depth) AS (
                        SELECT unnest(%(start)s::int[]), 0
                    UNION
                        SELECT link.%(target)s, reached.depth + 1
                          FROM reached JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                         WHERE reached.depth < %(depth)s
                )
                SELECT DISTINCT lot_id FROM reached WHERE lot_id <> ALL(%(start)s::int[])
                """,
                start=self.ids,
                source=source,
                target=target,
                depth=max_depth,
            )
        self.env.cr.execute(query)
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _trace_documents(self, direction, lot_ids):
        """Manufacturing orders of ``lot_ids`` in ``direction``, and their transfers
        (``{picking id: partner id}``), read with SQL, before access filtering.

        One statement, every step an index lookup by key: the done move lines of the lots,
        then their moves and transfers by id. The lots are passed as an array the planner
        cannot size (``ARRAY(SELECT unnest(...))``): sized, thousands of lots tip it into
        hash joins that scan every move or transfer of the database, so the cost would
        follow the size of the database instead of the size of the trace.
        """
        self.env.flush_all()
        if direction == "forward":
            production_column = SQL("move.raw_material_production_id")
            # A delivery to a customer, or any transfer of an outgoing type (what Odoo's
            # own delivery_ids follows).
            picking_filter = SQL(
                """(ptype.code = 'outgoing' OR picking.id = ANY(ARRAY(
                        SELECT line.picking_id FROM line JOIN stock_location dest ON dest.id = line.location_dest_id
                         WHERE dest.usage = 'customer')))"""
            )
        else:
            production_column = SQL("move.production_id")
            picking_filter = SQL(
                """picking.id = ANY(ARRAY(
                        SELECT line.picking_id FROM line JOIN stock_location src ON src.id = line.location_id
                         WHERE src.usage = 'supplier'))"""
            )
        self.env.cr.execute(
            SQL(
                """
                WITH line AS MATERIALIZED (
                    SELECT line.move_id, line.picking_id, line.location_id, line.location_dest_id
                      FROM stock_move_line line
                     WHERE line.lot_id = ANY(ARRAY(SELECT unnest(%(lots)s::int[]))) AND line.state = 'done'
                )
                SELECT DISTINCT %(column)s, NULL::int, NULL::int
                  FROM stock_move move
                 WHERE move.id = ANY(ARRAY(SELECT line.move_id FROM line)) AND %(column)s IS NOT NULL
                 UNION ALL
                SELECT NULL, picking.id, picking.partner_id
                  FROM stock_picking picking
                  JOIN stock_picking_type ptype ON ptype.id = picking.picking_type_id
                 WHERE picking.id = ANY(ARRAY(SELECT line.picking_id FROM line)) AND %(filter)s
                """,
                column=production_column,
                lots=list(lot_ids),
                filter=picking_filter,
            )
        )
        production_ids, partner_by_picking = [], {}
        for production_id, picking_id, partner_id in self.env.cr.fetchall():
            if production_id:
                production_ids.append(production_id)
            else:
                partner_by_picking[picking_id] = partner_id
        return {"production_ids": sorted(production_ids), "partner_by_picking": partner_by_picking}

    def _trace_readable(self, model_name, ids):
        """The sorted subset of ``ids`` the current user may read (access rights and record rules)."""
        Model = self.env[model_name]
        if not ids or not Model.has_access("read"):
            return []
        return Model.with_context(active_test=False).search([("id", "in", list(ids))], order="id").ids
