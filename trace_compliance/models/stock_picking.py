from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..groups import TRACE_READERS


class StockPicking(models.Model):
    _name = "stock.picking"
    _inherit = ["stock.picking", "trace.reference.mixin", "trace.certificate.button.mixin"]

    trace_inspection_count = fields.Integer(
        "Inspections", compute="_compute_trace_inspection_count", groups=TRACE_READERS
    )

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_inspection_count(self):
        counts = self._trace_readable_counts("trace.inspection", "picking_id")
        for picking in self:
            picking.trace_inspection_count = counts.get(picking, 0)

    def unlink(self):
        # Odoo cancels the transfer's moves before deleting it: refuse first, so a refusal
        # leaves everything as it was.
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._trace_refuse_if_referenced("delete")
        return super().unlink()

    def _action_done(self):
        self._trace_check_released()
        gaps = self._trace_certificate_gaps()
        self._trace_check_blocking_gaps(gaps)
        res = super()._action_done()
        self._trace_apply_receipt_status()
        if gaps:
            # Lots named on the receipt are created by the validation: look again, with them.
            self.union(*(gap["picking"] for gap in gaps))._trace_warn_certificate_gaps()
        self._trace_create_inspections()
        return res

    def _trace_create_inspections(self):
        """The inspections of the lots these done receipts brought from a vendor (plans at
        receipt): one per lot and receipt, the lot kept in quarantine until it is done."""
        Inspection = self.env["trace.inspection"]
        entries = []
        for picking in self.filtered(lambda p: p.state == "done"):
            lines = (
                self.env["trace.engine"]
                ._filter_lines(picking.move_line_ids, "receipt")
                .filtered(lambda ml: ml.lot_id and ml.quantity)
            )
            if not lines:
                continue
            done = Inspection._inspected_lot_ids(lines.lot_id, "receipt", picking)
            for line in lines:
                if line.lot_id.id in done:
                    continue
                done.add(line.lot_id.id)
                entries.append(
                    {
                        "lot": line.lot_id,
                        "trigger": "receipt",
                        "picking": picking,
                        "partner": line.sudo().trace_vendor_id or picking.partner_id,
                    }
                )
        return Inspection._create_for_lots(entries) if entries else Inspection

    def _trace_check_released(self):
        """Deliveries of lots that are not released are refused."""
        for picking in self:
            if picking._trace_is_delivery():
                lines = picking.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity)
                lines.lot_id._check_released(picking.display_name)

    def _trace_apply_receipt_status(self):
        """Lots received from a vendor for the first time start in their product's status."""
        for picking in self.filtered(lambda p: p._trace_is_receipt() and p.state == "done"):
            for line in picking.move_line_ids.filtered("lot_id"):
                lot = line.lot_id
                status = lot.product_id.trace_receipt_status
                if status == "released" or lot.quality_status != "released":
                    continue
                earlier = self.env["stock.move.line"].search_count(
                    [("lot_id", "=", lot.id), ("state", "=", "done"), ("id", "not in", picking.move_line_ids.ids)],
                    limit=1,
                )
                if not earlier:
                    lot.sudo().set_quality_status(
                        status,
                        self.env._("Received on %(picking)s: status on receipt of the product", picking=picking.name),
                    )

    def _trace_is_receipt(self):
        """A receipt (``trace.engine``'s definition): certificates required at receipt are checked."""
        return self._trace_is_kind("receipt")

    def _trace_is_delivery(self):
        """A delivery (``trace.engine``'s definition): certificates required before shipment are checked."""
        return self._trace_is_kind("delivery")

    def _trace_is_kind(self, kind):
        """Whether a move line of this transfer (a move, before it has lines) is of ``kind``."""
        self.ensure_one()
        return bool(self.env["trace.engine"]._filter_lines(self.move_line_ids or self.move_ids, kind))

    # ------------------------------------------------------------------
    # certificates
    # ------------------------------------------------------------------
    def _trace_certificate_gaps(self):
        """The certificates these transfers need and lack, as a list of dicts
        ``{picking, stage, product, lot, lot_name, types: {certificate type: enforcement}}``.

        Receipts need the types required at receipt, deliveries those required before
        shipment, for each lot moved (a lot named on a receipt and not created yet has no
        certificate). A few queries per company and stage, whatever the number of lines.
        """
        gaps = []
        Lot = self.env["stock.lot"]
        for company in self.company_id:
            pickings = self.filtered(lambda picking, company=company: picking.company_id == company)
            for stage, applies in (("receipt", "_trace_is_receipt"), ("shipment", "_trace_is_delivery")):
                staged = pickings.filtered(lambda picking, applies=applies: getattr(picking, applies)())
                lines = staged.move_line_ids.filtered(
                    lambda ml: ml.quantity and ml.product_id.tracking != "none" and (ml.lot_id or ml.lot_name)
                )
                if not lines:
                    continue
                requirements = self.env["trace.certificate.requirement"]._get_product_requirements(
                    lines.product_id, stage, company
                )
                lines = lines.filtered(lambda ml, requirements=requirements: ml.product_id in requirements)
                if not lines:
                    continue
                existing = self._trace_existing_lots(lines.filtered(lambda ml: not ml.lot_id), company)
                lots = lines.lot_id | Lot.union(*existing.values())
                missing = lots._trace_missing_certificates(stage, company)
                seen = set()
                for line in lines:
                    lot = line.lot_id or existing.get((line.product_id.id, line.lot_name), Lot)
                    key = (line.picking_id.id, line.product_id.id, lot.id or line.lot_name)
                    if key in seen:
                        continue
                    seen.add(key)
                    types = missing.get(lot) if lot else requirements[line.product_id]
                    if types:
                        gaps.append(
                            {
                                "picking": line.picking_id,
                                "stage": stage,
                                "product": line.product_id,
                                "lot": lot,
                                "lot_name": lot.name or line.lot_name,
                                "types": types,
                            }
                        )
        return gaps

    def _trace_existing_lots(self, lines, company):
        """``{(product id, lot name): lot}`` for the lots named (not chosen) on ``lines``
        that already exist."""
        if not lines:
            return {}
        lots = (
            self.env["stock.lot"]
            .sudo()
            .search(
                [
                    ("product_id", "in", lines.product_id.ids),
                    ("name", "in", list(set(lines.mapped("lot_name")))),
                    ("company_id", "in", [False, company.id]),
                ]
            )
        )
        return {(lot.product_id.id, lot.name): lot for lot in lots}

    def _trace_check_blocking_gaps(self, gaps):
        """Refuse the validation when a missing certificate is required with Block."""
        blocking = [
            dict(gap, types={t: e for t, e in gap["types"].items() if e == "block"})
            for gap in gaps
            if "block" in gap["types"].values()
        ]
        if not blocking:
            return
        raise UserError(
            self.env._(
                "%(pickings)s cannot be validated: these lots lack a valid certificate they require:\n%(lines)s",
                pickings=", ".join(sorted({gap["picking"].name for gap in blocking})),
                lines="\n".join(self._trace_format_gap(gap) for gap in blocking),
            )
        )

    def _trace_warn_certificate_gaps(self):
        """After validation: note on each transfer the lots that went through without a
        required certificate (Warn), and keep the lots received without theirs in quarantine."""
        gaps_by_picking = defaultdict(list)
        for gap in self._trace_certificate_gaps():
            gaps_by_picking[gap["picking"]].append(gap)
        for picking, gaps in gaps_by_picking.items():
            items = Markup("").join(Markup("<li>%s</li>") % self._trace_format_gap(gap) for gap in gaps)
            picking.message_post(
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (self.env._("Validated without the certificates these lots require (warning):"), items),
                subtype_xmlid="mail.mt_note",
            )
            received = self.env["stock.lot"].union(*(gap["lot"] for gap in gaps if gap["stage"] == "receipt"))
            if received:
                received._trace_quarantine_awaiting_certificates(
                    self.env._(
                        "Received on %(picking)s without its certificates (%(types)s)",
                        picking=picking.name,
                        types=", ".join(
                            sorted({t.name for gap in gaps if gap["stage"] == "receipt" for t in gap["types"]})
                        ),
                    )
                )

    def _trace_format_gap(self, gap):
        stages = {
            "receipt": self.env._("required at receipt"),
            "shipment": self.env._("required before shipment"),
        }
        return self.env._(
            "%(picking)s: %(product)s, lot %(lot)s: %(types)s (%(stage)s)",
            picking=gap["picking"].name,
            product=gap["product"].display_name,
            lot=gap["lot_name"],
            types=", ".join(sorted(certificate_type.name for certificate_type in gap["types"])),
            stage=stages[gap["stage"]],
        )

    def _trace_coa_lots(self):
        """What the Certificate of Analysis prints, per delivered lot: ``[{lot, product,
        quantity, uom, certificates}]``, the certificates being the valid or expired ones of
        the lot in the transfer's company (read as a system action: whoever may print the
        delivery may print its certificate of analysis)."""
        self.ensure_one()
        lines = self.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity)
        quantities = defaultdict(float)
        for line in lines:
            quantities[line.lot_id] += line.product_uom_id._compute_quantity(line.quantity, line.product_id.uom_id)
        certificates = (
            self.env["trace.certificate"]
            .sudo()
            .search(
                [
                    ("lot_ids", "in", lines.lot_id.ids),
                    ("state", "in", ("valid", "expired")),
                    ("company_id", "=", self.company_id.id),
                ],
                order="issue_date, id",
            )
        )
        return [
            {
                "lot": lot,
                "product": lot.product_id,
                "quantity": quantity,
                "uom": lot.product_id.uom_id,
                "certificates": certificates.filtered(lambda certificate, lot=lot: lot in certificate.lot_ids),
            }
            for lot, quantity in quantities.items()
        ]

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_trace_lots(self):
        """Open the genealogy of the lots this transfer moved."""
        self.ensure_one()
        lots = self.move_line_ids.lot_id
        if not lots:
            return False
        return self.env["trace.genealogy.explore"].create({"lot_ids": lots.ids})._action_open()

    def action_open_trace_map(self):
        """The Trace Map of the lots this transfer moved."""
        self.ensure_one()
        return self.move_line_ids.lot_id._action_trace_map()

    def _trace_certificate_domain(self):
        """The certificates of the lots of these transfers."""
        return [("lot_ids", "in", self.move_line_ids.lot_id.ids)]

    def _trace_certificate_context(self):
        """A new certificate covers the lots of this transfer (and, on a receipt, comes from its vendor)."""
        context = self.move_line_ids.lot_id._trace_certificate_defaults()
        if self._trace_is_receipt():
            context["default_partner_id"] = self.partner_id.id
        return context

    def action_open_trace_inspections(self):
        """The inspections of the lots this receipt brought."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_inspection_action")
        action["domain"] = [("picking_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_print_udi_labels(self):
        """Print a UDI label for each line of this transfer with a lot or serial number."""
        return self.env["stock.lot"]._trace_udi_label_action(self)

    def action_trace_send_coa(self):
        """Open the mail composer with the Certificate of Analysis of this delivery attached."""
        self.ensure_one()
        template = self.env.ref("trace_compliance.mail_template_certificate_of_analysis", raise_if_not_found=False)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the Certificate of Analysis"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }

    def _trace_udi_lines(self):
        """The move lines a UDI label is printed for: one label per line with a lot or serial."""
        return self.move_line_ids.filtered("lot_id")

    def _trace_udi_lots(self):
        return self._trace_udi_lines().lot_id
