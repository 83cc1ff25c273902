import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# UN/CEFACT Recommendation 20 codes of Odoo's standard units (the mapping Odoo's own
# account_edi_ubl_cii uses for UBL invoices, UOM_TO_UNECE_CODE).
STANDARD_CODES = {
    "uom.product_uom_unit": "C62",
    "uom.product_uom_dozen": "DZN",
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_day": "DAY",
    "uom.product_uom_hour": "HUR",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_km": "KMT",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_cubic_meter": "MTQ",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_inch": "INH",
    "uom.product_uom_foot": "FOT",
    "uom.product_uom_mile": "SMI",
    "uom.product_uom_floz": "OZA",
    "uom.product_uom_qt": "QT",
    "uom.product_uom_gal": "GLL",
    "uom.product_uom_cubic_inch": "INQ",
    "uom.product_uom_cubic_foot": "FTQ",
    "uom.uom_square_meter": "MTK",
    "uom.uom_square_foot": "FTK",
    "uom.product_uom_yard": "YRD",
    "uom.product_uom_millimeter": "MMT",
}
CODE_PATTERN = re.compile(r"[A-Z0-9]{2,3}")


class UomUom(models.Model):
    _inherit = "uom.uom"

    trace_unece_code = fields.Char(
        "UN/CEFACT Code",
        size=3,
        help="The unit's UN/CEFACT Recommendation 20 code (C62 for units, KGM for kilograms...), "
        "as EPCIS documents and other standard exports state quantities.",
    )

    @api.constrains("trace_unece_code")
    def _check_trace_unece_code(self):
        for uom in self:
            if uom.trace_unece_code and not CODE_PATTERN.fullmatch(uom.trace_unece_code):
                raise ValidationError(
                    self.env._(
                        "%(code)r is not a UN/CEFACT Recommendation 20 code (2 or 3 capital letters or digits) "
                        "for the unit %(unit)s.",
                        code=uom.trace_unece_code,
                        unit=uom.name,
                    )
                )

    @api.model
    def _trace_fill_unece_codes(self):
        """Give Odoo's standard units their code, where none is set (on install)."""
        for xmlid, code in STANDARD_CODES.items():
            uom = self.env.ref(xmlid, raise_if_not_found=False)
            if uom and not uom.trace_unece_code:
                uom.trace_unece_code = code

    def _trace_get_unece_code(self):
        """The unit's UN/CEFACT code; a ``UserError`` naming the unit when it has none."""
        self.ensure_one()
        if not self.trace_unece_code:
            raise ValidationError(
                self.env._(
                    "The unit of measure %(unit)s has no UN/CEFACT code: set one on the unit "
                    "(Inventory > Configuration > UoM Categories) before exporting.",
                    unit=self.name,
                )
            )
        return self.trace_unece_code
