import datetime

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import gs1
from ..external_api import public


class TraceGs1ScanMixin(models.AbstractModel):
    """A supplier's GS1 barcode scanned (or pasted) into a move line fills its lot or
    serial, expiry and vendor lot number, read by Odoo's GS1 nomenclature.

    For ``stock.move.line`` (and models with its fields: ``product_id``, ``lot_id``,
    ``lot_name``, ``expiration_date``, ``vendor_lot_number``, ``picking_type_use_create_lots``).
    """

    _name = "trace.gs1.scan.mixin"
    _description = "GS1 Barcode Scan"

    trace_gs1_scan = fields.Char(
        "GS1 Scan",
        copy=False,
        help="Scan or paste the supplier's GS1-128 or GS1 DataMatrix: its lot (10) or serial (21), expiry (17) "
        "and lot fill the line. The product's GTIN (01), when given, must be the product's barcode.",
    )

    @api.onchange("trace_gs1_scan")
    def _onchange_trace_gs1_scan_fill(self):
        if not self.trace_gs1_scan:
            return None
        try:
            self.update(self._trace_gs1_scan_values(self.trace_gs1_scan))
        except UserError as error:
            return {"warning": {"title": self.env._("GS1 barcode"), "message": error.args[0]}}
        return None

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @public(single=True, access="write")
    def trace_apply_gs1_scan(self, content):
        """Fill this move line from a GS1 barcode's content (public, XML-RPC).

        ``content``: what a scanner sends for a GS1-128 or GS1 DataMatrix (FNC1 as ASCII 29,
        a ``]d2``/``]C1`` symbology prefix allowed) or the human-readable
        ``(01)...(17)...(10)...`` text. Sets ``lot_id`` (an existing lot of the product) or
        ``lot_name`` (a new one, where the operation type creates lots) from AI (10) for a
        lot-tracked product, AI (21) for a serial-tracked one; ``expiration_date`` from
        (17); ``vendor_lot_number`` from (10) (else the serial). A ``UserError`` when the
        content is not GS1, has no lot or serial, or its GTIN (01) is not the product's
        barcode; nothing is written then. Returns the values written.
        """
        if not isinstance(content, str) or not content.strip():
            raise UserError(self.env._("Give the content of a GS1 barcode to apply."))
        values = self._trace_gs1_scan_values(content)
        self.write({**values, "trace_gs1_scan": content})
        return {
            "lot_id": self.lot_id.id,
            "lot_name": self.lot_name or self.lot_id.name,
            "expiration_date": fields.Datetime.to_string(self.expiration_date) if self.expiration_date else False,
            "vendor_lot_number": self.vendor_lot_number,
        }

    def _trace_gs1_nomenclature(self):
        """The GS1 nomenclature that reads scans: the company's when it is a GS1 one, else
        Odoo's default GS1 nomenclature (``barcodes_gs1_nomenclature``)."""
        nomenclature = (self.company_id or self.env.company).nomenclature_id
        if not nomenclature.is_gs1_nomenclature:
            nomenclature = self.env.ref("barcodes_gs1_nomenclature.default_gs1_nomenclature")
        return nomenclature.sudo()

    def _trace_gs1_parse(self, content):
        """``content`` read by the GS1 nomenclature: {AI: parsed element} (``UserError``
        when it is not a GS1 barcode)."""
        barcode = gs1.human_to_barcode(content)
        try:
            parsed = self._trace_gs1_nomenclature().parse_barcode(barcode)
        except (ValidationError, ValueError):
            parsed = None
        if not parsed or not isinstance(parsed, list):
            raise UserError(
                self.env._(
                    "%(content)s is not a GS1 barcode that can be read (a GTIN with a wrong check digit, "
                    "a value too long or an unknown application identifier).",
                    content=content.replace(gs1.GS, "<GS>"),
                )
            )
        return {element["ai"]: element for element in parsed}

    def _trace_gs1_scan_values(self, content):
        """The values a GS1 barcode's ``content`` gives this line (see
        :meth:`trace_apply_gs1_scan`); raises a ``UserError`` and changes nothing when it
        does not fit the line."""
        self.ensure_one()
        elements = self._trace_gs1_parse(content)
        product = self.product_id
        if not product:
            raise UserError(self.env._("Choose the product of the line before scanning its GS1 barcode."))
        if product.tracking not in ("lot", "serial"):
            raise UserError(
                self.env._("%(product)s is not tracked by lots or serial numbers.", product=product.display_name)
            )
        gtin = elements.get(gs1.AI_GTIN)
        if gtin and gtin["value"] != gs1.gtin14(product.barcode):
            raise UserError(
                self.env._(
                    "The scanned GTIN %(gtin)s is not the barcode of %(product)s (%(barcode)s).",
                    gtin=gtin["value"],
                    product=product.display_name,
                    barcode=product.barcode or self.env._("none"),
                )
            )
        if product.tracking == "serial":
            number = elements.get(gs1.AI_SERIAL)
        else:
            number = elements.get(gs1.AI_LOT) or elements.get(gs1.AI_SERIAL)
        if not number or not number["value"]:
            raise UserError(
                self.env._(
                    "The scanned barcode has no %(kind)s for %(product)s.",
                    kind=self.env._("serial number (21)")
                    if product.tracking == "serial"
                    else self.env._("lot number (10)"),
                    product=product.display_name,
                )
            )
        name = number["value"]
        values = {"vendor_lot_number": (elements.get(gs1.AI_LOT) or number)["value"]}
        company = self.company_id or self.move_id.company_id or self.env.company
        lot = self.env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", "=", name), ("company_id", "in", [company.id, False])], limit=1
        )
        if lot:
            values.update(lot_id=lot.id, lot_name=False)
        elif self.picking_type_use_create_lots or not self.picking_id:
            values.update(lot_id=False, lot_name=name)
        else:
            raise UserError(
                self.env._(
                    "There is no lot or serial %(name)s of %(product)s, and this operation does not create them.",
                    name=name,
                    product=product.display_name,
                )
            )
        expiry = elements.get(gs1.AI_EXPIRY)
        if expiry:
            values["expiration_date"] = datetime.datetime.combine(expiry["value"], datetime.time.min)
        return values
