from odoo import fields, models
from odoo.tools import create_index


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    vendor_lot_number = fields.Char(
        help="The vendor's lot number, as printed on the goods received; stored on the lot when the receipt is done."
    )

    def init(self):
        res = super().init()
        # Traces look move lines up by lot: Odoo has no index for it.
        create_index(
            self.env.cr,
            "stock_move_line_trace_lot_idx",
            self._table,
            ["lot_id", "state"],
            where="lot_id IS NOT NULL",
        )
        return res

    def _action_done(self):
        res = super()._action_done()
        # Capture the vendor's lot number on the lot (the first one received wins).
        for line in self.exists().filtered(lambda ml: ml.vendor_lot_number and ml.lot_id):
            if not line.lot_id.vendor_lot_number:
                line.lot_id.sudo().vendor_lot_number = line.vendor_lot_number
        return res
