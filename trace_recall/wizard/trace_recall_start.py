from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.sql import escape_psql

from odoo.addons.trace_compliance.compat import domain_or
from odoo.addons.trace_compliance.external_api import public


class TraceRecallStart(models.TransientModel):
    """Start a recall (or a mock-recall drill) from suspect lots chosen directly, by product
    and date range, by vendor lot number, by vendor, or by a code a partner reported in its
    EPCIS events (a vendor's input lot we never held: the lots we received made from it)."""

    _name = "trace.recall.start"
    _description = "Start a Recall"

    selection_mode = fields.Selection(
        [
            ("lots", "Lots / serial numbers"),
            ("product", "Product and date range"),
            ("vendor_lot", "Vendor lot number"),
            ("vendor", "Vendor"),
            ("reported", "Code reported by a partner (EPCIS)"),
        ],
        "Suspect Lots By",
        default="lots",
        required=True,
    )
    lot_ids = fields.Many2many("stock.lot", string="Lots/Serial Numbers")
    product_id = fields.Many2one("product.product", domain="[('tracking', '!=', 'none')]")
    date_from = fields.Date()
    date_to = fields.Date()
    vendor_lot_number = fields.Char()
    vendor_id = fields.Many2one("res.partner")
    reported_code = fields.Char(
        help="A lot or serial a partner's EPCIS events name, that we may never have held: a GS1 Digital Link "
        "(https://id.gs1.org/01/<GTIN>/10/<lot>), an EPC URN, (01)<GTIN>(10)<lot>, or the GTIN and the lot "
        "separated by a space.",
    )
    reason = fields.Text(required=True)
    classification_id = fields.Many2one("trace.recall.class")
    is_drill = fields.Boolean("Mock Recall (Drill)")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "stock.lot" and self.env.context.get("active_ids"):
            values["lot_ids"] = [fields.Command.set(self.env.context["active_ids"])]
            values["selection_mode"] = "lots"
        return values

    def _suspect_lots(self):
        self.ensure_one()
        Lot = self.env["stock.lot"]
        if self.selection_mode == "lots":
            return self.lot_ids
        if self.selection_mode == "reported":
            return self._reported_lots()
        if self.selection_mode == "vendor_lot":
            if not (self.vendor_lot_number or "").strip():
                raise UserError(self.env._("Type the vendor lot number."))
            # Case-insensitive but exact: % and _ are characters, not wildcards.
            return Lot.search([("vendor_lot_number", "=ilike", escape_psql(self.vendor_lot_number.strip()))])
        # Lots received (vendor), or received or produced (product), in the date range: the
        # trace engine's receipts and productions.
        engine = self.env["trace.engine"]
        domain = [("state", "=", "done"), ("lot_id", "!=", False)]
        if self.selection_mode == "product":
            if not self.product_id:
                raise UserError(self.env._("Choose the product."))
            domain += [
                ("product_id", "=", self.product_id.id),
                *domain_or([engine._get_receipt_domain(), engine._get_production_domain()]),
            ]
        else:
            if not self.vendor_id:
                raise UserError(self.env._("Choose the vendor."))
            domain += [
                *engine._get_receipt_domain(),
                ("picking_id.partner_id", "child_of", self.vendor_id.commercial_partner_id.id),
            ]
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The date range ends before it starts."))
        if self.date_from:
            domain.append(("date", ">=", fields.Datetime.to_datetime(self.date_from)))
        if self.date_to:
            domain.append(("date", "<", fields.Datetime.to_datetime(self.date_to) + timedelta(days=1)))
        return self.env["stock.move.line"].search(domain).lot_id

    def _reported_lots(self):
        """Our lots made from the reported code, by what partners' events say (the trace
        engine's :meth:`_reported_forward`); refused, naming the code, when none is."""
        code = (self.reported_code or "").strip()
        if not code:
            raise UserError(self.env._("Type the code the partner reported (a GS1 Digital Link, or GTIN and lot)."))
        lot_ids = self.env["trace.engine"]._reported_forward([code])
        if not lot_ids:
            raise UserError(
                self.env._("No lot of ours is made from %(code)s by what our partners' EPCIS events report.", code=code)
            )
        return self.env["stock.lot"].browse(sorted(lot_ids))

    def _prepare_recall_vals(self, lots):
        """Hook: the recall of the suspect ``lots`` this wizard starts."""
        self.ensure_one()
        reason = self.reason
        if self.selection_mode == "reported":
            reason = self.env._(
                "%(reason)s\nStarted from the code a partner reported: %(code)s",
                reason=reason,
                code=self.reported_code.strip(),
            )
        return {
            "lot_ids": [fields.Command.set(lots.ids)],
            "reason": reason,
            "classification_id": self.classification_id.id,
            "is_drill": self.is_drill,
            "company_id": (lots.company_id[:1] or self.company_id).id,
        }

    @public(single=True)
    def action_start(self):
        self.ensure_one()
        lots = self._suspect_lots()
        if not lots:
            raise UserError(self.env._("No lot matches: there is nothing to recall."))
        recall = self.env["trace.recall"].create(self._prepare_recall_vals(lots))
        recall.action_compute()
        return {
            "type": "ir.actions.act_window",
            "res_model": "trace.recall",
            "res_id": recall.id,
            "view_mode": "form",
            "target": "current",
        }
