from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _prepare_stock_lot_values(self):
        """Serials assigned at assembly come from the product's own sequence when it has one."""
        values = super()._prepare_stock_lot_values()
        sequence = self.product_id.product_tmpl_id.serial_sequence_id
        if sequence:
            Lot = self.env["stock.lot"]
            # Where the product's own lot sequence is this one (19.0: serial_sequence_id is
            # lot_sequence_id), Odoo's own code has already drawn the name from it.
            drawn = "lot_sequence_id" in self.product_id._fields and self.product_id.lot_sequence_id == sequence
            name = values["name"] if drawn and values.get("name") else sequence.next_by_id()
            # Skip numbers taken by hand, as Odoo does for its own sequence.
            while Lot.search_count(
                [
                    ("product_id", "=", self.product_id.id),
                    ("name", "=", name),
                    "|",
                    ("company_id", "=", False),
                    ("company_id", "=", self.company_id.id),
                ],
                limit=1,
            ):
                name = sequence.next_by_id()
            values["name"] = name
        return values
