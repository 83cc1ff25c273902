from odoo import models


class StockMoveLine(models.Model):
    """Receipt lines read a supplier's GS1 barcode (``trace_gs1_scan``,
    ``trace_apply_gs1_scan``): see ``trace.gs1.scan.mixin``.

    To be merged into ``stock_move_line.py`` (one class per model) when that file is free.
    """

    _name = "stock.move.line"
    _inherit = ["stock.move.line", "trace.gs1.scan.mixin"]
