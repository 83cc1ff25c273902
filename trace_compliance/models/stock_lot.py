import base64

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date

from .. import gs1, trace_map
from ..groups import TRACE_READERS

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
    _inherit = ["stock.lot", "trace.audit.mixin", "trace.reference.mixin", "trace.certificate.button.mixin"]

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
    trace_awaiting_inspection = fields.Boolean(
        "Awaiting Inspection",
        readonly=True,
        copy=False,
        help="In quarantine while an inspection of its plan is open: passing the last one releases it when nothing "
        "else holds it. Cleared by any other status change.",
    )
    trace_inspection_count = fields.Integer(
        "Inspections", compute="_compute_trace_inspection_count", groups=TRACE_READERS
    )

    def _compute_trace_counts(self):
        for lot in self:
            if not lot.id:
                lot.trace_upstream_count = lot.trace_downstream_count = lot.trace_customer_count = 0
                continue
            forward = lot.trace_forward()
            lot.trace_downstream_count = len(forward["lot_ids"])
            lot.trace_customer_count = len(forward["partner_ids"])
            lot.trace_upstream_count = len(self.env["trace.engine"]._lot_ids(lot.ids, "backward"))

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_inspection_count(self):
        counts = self._trace_readable_counts("trace.inspection", "lot_id")
        for lot in self:
            lot.trace_inspection_count = counts.get(lot, 0)

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
                self.env._("inspections"): self.env["trace.inspection"]
                .sudo()
                .search_count([("lot_id", "in", self.ids)]),
            }
        )
        return references

    def write(self, vals):
        status_fields = {"quality_status", "trace_awaiting_certificate", "trace_awaiting_inspection"}
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

    def action_open_trace_map(self):
        return self._action_trace_map()

    def _trace_map_image(self, direction="both"):
        """The Trace Map of these lots as an SVG image (a ``data:`` URI) for a PDF to print,
        grouped as on screen and limited to what the printing user may read; False without
        lots."""
        if not self:
            return False
        svg = trace_map.render_svg(self.trace_graph(direction), title=self._trace_map_name())
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()

    def _trace_map_name(self):
        """The title of the Trace Map of these lots (on screen and printed)."""
        names = ", ".join(self[:3].mapped("name")) + (", …" if len(self) > 3 else "")
        return self.env._("Trace Map: %(lots)s", lots=names)

    def _action_trace_map(self, direction="both"):
        """The Trace Map of these lots (client action ``trace_compliance.trace_map``, drawn
        from :meth:`trace_graph`), in ``direction`` to begin with."""
        if not self:
            raise UserError(self.env._("There is no lot or serial number to draw a trace map of."))
        self.env["trace.engine"]._check_arguments(self, direction)
        return {
            "type": "ir.actions.client",
            "tag": "trace_compliance.trace_map",
            "name": self._trace_map_name(),
            "context": {
                "active_model": "stock.lot",
                "active_id": self[0].id,
                "active_ids": self.ids,
                "trace_map_direction": direction,
            },
        }

    def action_open_upstream(self):
        self.ensure_one()
        return self._action_lot_list(self.trace_backward()["lot_ids"], self.env._("%(lot)s: made from", lot=self.name))

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

    def action_open_inspections(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_inspection_action")
        action["domain"] = [("lot_id", "in", self.ids)]
        action["context"] = {}
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

    def action_print_udi_label(self):
        """Print the UDI label (GS1 DataMatrix and its text) of these lots and serials."""
        return self._trace_udi_label_action(self)

    def _trace_certificate_domain(self):
        return [("lot_ids", "in", self.ids)]

    def _trace_certificate_context(self):
        return self._trace_certificate_defaults()

    def _trace_certificate_counts(self):
        """All in one grouped read."""
        if not self.ids:
            return {}
        return dict(
            self.env["trace.certificate"]._read_group(self._trace_certificate_domain(), ["lot_ids"], ["__count"])
        )

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
    # GS1 identifiers and UDI labels
    # ------------------------------------------------------------------
    def _trace_gs1_ai(self):
        """The AI that carries this lot's name: (21) for a serial, (10) for a lot."""
        self.ensure_one()
        return gs1.AI_SERIAL if self.product_id.tracking == "serial" else gs1.AI_LOT

    def _trace_gs1_expiry(self):
        """The expiry date printed on the lot (AI 17): its expiration date, in the user's
        time zone, or False."""
        self.ensure_one()
        expiry = self.expiration_date
        return expiry and fields.Datetime.context_timestamp(self, expiry).date()

    def _trace_gs1_identifiers(self, gtin=None, ai=None, expiry=None):
        """The GS1 identifiers of this lot, the one place they are built: ``{'ai', 'expiry',
        'problem'}`` and, when a code can be made, ``'gtin'`` (14 digits), ``'element_string'``
        (human-readable), ``'barcode_string'`` (as a DataMatrix carries it) and
        ``'digital_link'``. ``problem`` says why no code can be made (the product's barcode
        is not a GTIN, the lot's name cannot be carried by AI 10/21), else False.

        By default from the lot: its product's barcode, :meth:`_trace_gs1_ai` and
        :meth:`_trace_gs1_expiry`; a document that recorded them (a batch record) passes its
        own ``gtin`` (False: none recorded, the product's barcode says why), ``ai`` and
        ``expiry``."""
        self.ensure_one()
        barcode = self.product_id.barcode
        gtin = gs1.gtin14(barcode) if gtin is None else gtin
        ai = ai or self._trace_gs1_ai()
        expiry = self._trace_gs1_expiry() if expiry is None else expiry
        values = {"ai": ai, "expiry": expiry}
        problem = (not gtin and gs1.gtin_problem(barcode, self.env._)) or gs1.lot_problem(self.name, ai, self.env._)
        if problem:
            return dict(values, problem=problem)
        identifiers = {"lot" if ai == gs1.AI_LOT else "serial": self.name, "expiry": expiry}
        return dict(
            values,
            problem=False,
            gtin=gtin,
            element_string=gs1.element_string(gtin, **identifiers),
            barcode_string=gs1.barcode_string(gtin, **identifiers),
            digital_link=gs1.digital_link(gtin, **identifiers),
        )

    def _trace_gs1_problem(self):
        """Why no GS1 code can be printed for this lot (:meth:`_trace_gs1_identifiers`), or False."""
        return self._trace_gs1_identifiers()["problem"]

    def _trace_udi_label(self):
        """What a UDI label shows for this lot: :meth:`_trace_gs1_identifiers` (GTIN, expiry,
        AI, element string, barcode string, Digital Link) with the lot and the DataMatrix as a
        base64 PNG; without a code, only ``lot``, ``ai``, ``expiry`` and ``problem``."""
        self.ensure_one()
        label = dict(self._trace_gs1_identifiers(), lot=self)
        if not label["problem"]:
            label["datamatrix"] = base64.b64encode(gs1.datamatrix_png(label["barcode_string"])).decode()
        return label

    @api.model
    def _trace_udi_label_action(self, records):
        """The report action printing the UDI labels of ``records`` (lots, transfers or
        batch records): a ``UserError`` listing the lots for which no code can be made."""
        lots = records if records._name == "stock.lot" else records._trace_udi_lots()
        if not lots:
            raise UserError(self.env._("There is no lot or serial number to print a UDI label for."))
        problems = [f"{lot.display_name}: {problem}" for lot in lots if (problem := lot._trace_gs1_problem())]
        if problems:
            raise UserError(self.env._("No UDI label can be printed for:\n%(problems)s", problems="\n".join(problems)))
        report = {
            "stock.lot": "trace_compliance.action_report_udi_label",
            "stock.picking": "trace_compliance.action_report_udi_label_picking",
            "trace.batch.record": "trace_compliance.action_report_udi_label_batch_record",
        }[records._name]
        return self.env.ref(report).report_action(records)

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
        # Lots that leave "released": their reservations go (see _trace_release_reservations).
        leaving = changed.filtered(lambda lot: lot.quality_status == "released" and status != "released")
        reason = str(reason).strip()
        changed.with_context(trace_status_checked=True, trace_audit_reason=reason).sudo().write(
            {
                "quality_status": status,
                "quality_status_reason": reason,
                "quality_status_date": fields.Datetime.now(),
                "quality_status_user_id": self.env.user.id,
                # Only the quarantine for missing certificates keeps a lot awaiting them.
                "trace_awaiting_certificate": bool(self.env.context.get("trace_awaiting_certificate")),
                # Only the quarantine for an open inspection keeps a lot awaiting it.
                "trace_awaiting_inspection": bool(self.env.context.get("trace_awaiting_inspection")),
            }
        )
        label = dict(QUALITY_STATUSES)[status]
        for lot in changed:
            lot.message_post(
                body=self.env._("Quality status set to %(status)s: %(reason)s", status=label, reason=reason),
                subtype_xmlid="mail.mt_note",
            )
        leaving._trace_release_reservations(label, reason)
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

    def _trace_release_reservations(self, status, reason):
        """These lots are no longer released: free their reservations on open documents that
        must take released lots only (see ``stock.move._trace_is_quality_move``), reserve those
        moves again with other released stock where there is some, and say so on each
        transfer and manufacturing order. Returns the moves concerned."""
        lines = self._trace_get_reserved_lines()
        if not lines:
            return self.env["stock.move"]
        moves = lines.move_id
        # What each move held, read before the lines go.
        freed = {
            move: [(line.lot_id, line.quantity, line.product_uom_id) for line in move.move_line_ids & lines]
            for move in moves
        }
        lines.unlink()
        # A move picked by hand with these lots only is no longer picked: Odoo reserves it again.
        moves.filtered(lambda move: move.picked and not move.move_line_ids.filtered("picked")).picked = False
        moves.filtered(lambda move: move.state in ("confirmed", "partially_available"))._action_assign()
        for document, document_moves in self._trace_group_by_document(moves).items():
            document.message_post(
                body=self._trace_reservation_message(document_moves, freed, status, reason),
                subtype_xmlid="mail.mt_note",
            )
        return moves

    @api.model
    def _cron_hold_expired_lots(self):
        """Daily: lots still in stock past their removal date (Odoo's product_expiry) are put
        on hold, with the date as the reason; their reservations go with the hold. Lots not
        released stay as they are. Returns the lots held."""
        now = fields.Datetime.now()
        groups = (
            self.env["stock.quant"]
            .sudo()
            ._read_group(
                [
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                    ("lot_id", "!=", False),
                    ("removal_date", "<", now),
                    ("lot_id.quality_status", "=", "released"),
                ],
                ["lot_id"],
            )
        )
        lots = self.sudo().union(*(lot for [lot] in groups))
        for removal_date, expired in lots.grouped(lambda lot: lot.removal_date.date()).items():
            expired.set_quality_status(
                "on_hold",
                self.env._(
                    "Past its removal date (%(date)s): held by the daily expiry check",
                    date=format_date(self.env, removal_date),
                ),
            )
        return lots

    def _trace_get_reserved_lines(self):
        """The reservations of these lots on open moves that may only take released lots."""
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search([("lot_id", "in", self.ids), ("state", "not in", ("done", "cancel")), ("move_id", "!=", False)])
        )
        return lines.filtered(
            lambda line: (
                not line.move_id._trace_is_quality_move()
                and not line.move_id._should_bypass_reservation(line.location_id)
            )
        )

    @api.model
    def _trace_group_by_document(self, moves):
        """``{transfer or manufacturing order: moves}``."""
        documents = {}
        for move in moves:
            document = move.picking_id or move.raw_material_production_id or move.production_id
            if document:
                documents.setdefault(document, self.env["stock.move"])
                documents[document] |= move
        return documents

    def _trace_reservation_message(self, moves, freed, status, reason):
        items = Markup()
        for move in moves:
            released = ", ".join(f"{lot.name} ({quantity:g} {uom.name})" for lot, quantity, uom in freed[move])
            again = ", ".join(
                f"{line.lot_id.name} ({line.quantity:g} {line.product_uom_id.name})"
                for line in move.move_line_ids
                if line.lot_id
            )
            items += Markup("<li>%s</li>") % self.env._(
                "%(product)s: released %(released)s; %(again)s",
                product=move.product_id.display_name,
                released=released,
                again=self.env._("reserved again: %(lots)s", lots=again)
                if again
                else self.env._("no other released stock to reserve"),
            )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            self.env._(
                "Lots set to %(status)s (%(reason)s): their reservations were released.",
                status=status,
                reason=reason,
            ),
            items,
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

    def _trace_report_certificates(self, company):
        """The valid or expired certificates of these lots in ``company`` (our internal test
        reports among them), as the batch record and the recall report print them: read as
        a system action, whoever may print the document may read them there."""
        if not self:
            return self.env["trace.certificate"]
        return (
            self.env["trace.certificate"]
            .sudo()
            .search(
                [("lot_ids", "in", self.ids), ("state", "in", ("valid", "expired")), ("company_id", "=", company.id)],
                order="issue_date, id",
            )
        )

    def _trace_quarantine_awaiting_certificates(self, reason):
        """System action: these lots, received without their certificates, are kept in
        quarantine until the certificates are approved (:meth:`_trace_quarantine_awaiting`)."""
        return self._trace_quarantine_awaiting("trace_awaiting_certificate", reason)

    def _trace_quarantine_awaiting(self, flag, reason):
        """System action: these lots wait in quarantine for what ``flag`` (a boolean field
        of the lot, also the context key ``set_quality_status`` reads) says. Released lots
        are quarantined with it; lots already in quarantine only get the flag (the other
        flags they have are kept); lots on hold, rejected or recalled keep their status.
        Returns the lots now waiting."""
        lots = self.sudo()
        released = lots.filtered(lambda lot: lot.quality_status == "released")
        released.with_context(**{flag: True}).set_quality_status("quarantine", reason)
        quarantined = (lots - released).filtered(lambda lot: lot.quality_status == "quarantine" and not lot[flag])
        if quarantined:
            quarantined.with_context(trace_status_checked=True).write({flag: True})
            for lot in quarantined:
                lot.message_post(
                    body=self.env._("Kept in quarantine: %(reason)s", reason=reason), subtype_xmlid="mail.mt_note"
                )
        return released | quarantined

    # ------------------------------------------------------------------
    # inspections
    # ------------------------------------------------------------------
    def _trace_quarantine_awaiting_inspection(self, reason):
        """System action: these lots wait for an open inspection in quarantine
        (:meth:`_trace_quarantine_awaiting`)."""
        return self._trace_quarantine_awaiting("trace_awaiting_inspection", reason)

    def _trace_stop_awaiting_inspection(self, inspections, reason=None):
        """System action: ``inspections`` of these lots are over. A lot with no other open
        inspection no longer awaits one; with ``reason`` (they passed) it is released, unless
        it still awaits certificates."""
        lots = self.sudo().filtered("trace_awaiting_inspection")
        if not lots:
            return self.browse()
        still_open = (
            self.env["trace.inspection"]
            .sudo()
            .search([("lot_id", "in", lots.ids), ("state", "=", "open"), ("id", "not in", inspections.ids)])
        )
        lots -= still_open.lot_id
        release = lots.filtered(
            lambda lot: reason and lot.quality_status == "quarantine" and not lot.trace_awaiting_certificate
        )
        if release:
            release.set_quality_status("released", reason)
        kept = lots - release
        if kept:
            kept.with_context(trace_status_checked=True).write({"trace_awaiting_inspection": False})
        return release

    def _trace_hold_for(self, reason):
        """System action: put these lots on hold for ``reason`` (a failed inspection, a
        result out of specification). Rejected and recalled lots keep their status; every
        lot notes the reason."""
        lots = self.sudo()
        hold = lots.filtered(lambda lot: lot.quality_status in ("released", "quarantine"))
        hold.set_quality_status("on_hold", reason)
        for lot in lots - hold:
            lot.message_post(body=reason, subtype_xmlid="mail.mt_note")
        return hold

    # ------------------------------------------------------------------
    # trace (public API, stable): thin wrappers over the trace engine
    # ------------------------------------------------------------------
    @api.readonly
    def trace_forward(self, max_depth=None):
        """Who received anything made from these lots.

        Returns ``{'lot_ids', 'production_ids', 'picking_ids', 'partner_ids'}``: every
        lot/serial downstream (all levels, or ``max_depth`` levels; the starting lots
        excluded), the manufacturing orders that consumed a starting or downstream lot,
        the deliveries of those lots and their customers (``trace.engine`` defines both).
        Only what the calling user may read is returned.
        """
        return self.env["trace.engine"]._trace(self, "forward", max_depth)

    @api.readonly
    def trace_backward(self, max_depth=None):
        """Where these lots came from: upstream lots, the manufacturing orders that
        produced a starting or upstream lot, the receipts of those lots and their vendors.
        Same keys and access rules as :meth:`trace_forward`."""
        return self.env["trace.engine"]._trace(self, "backward", max_depth)

    @api.readonly
    def trace_graph(self, direction="forward", max_depth=None, group_threshold=None, expand=None):
        """The trace of these lots as a map to draw: ``direction`` ``"forward"``,
        ``"backward"`` or ``"both"``. Returns ``{'nodes', 'edges', 'start_lot_ids',
        'direction', 'grouped'}``: the lots, documents and partners of
        :meth:`trace_forward` / :meth:`trace_backward` as nodes in columns (vendors, receipts,
        lots by genealogy level, deliveries, customers) and the links, receipts and
        deliveries between them as edges, columns of more than ``group_threshold`` nodes
        grouped by product except the group ids in ``expand``, laid out for drawing
        (``trace.map._build`` describes every key). Same arguments checks and access rules
        as :meth:`trace_forward`."""
        return self.env["trace.map"]._build(self, direction, max_depth, group_threshold, expand)

    def _check_lots_exist(self):
        self.env["trace.engine"]._check_lots_exist(self)
