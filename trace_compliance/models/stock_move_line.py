from odoo import api, fields, models
from odoo.tools import create_index
from odoo.tools.sql import column_exists, create_column

from .trace_engine import LINE_KINDS

KIND_HELP = {
    "delivery": "Delivers goods to a customer (the trace engine's definition).",
    "receipt": "Brings goods in from a vendor or from another company (the trace engine's definition).",
    "customer_return": "Brings goods back from a customer (the trace engine's definition).",
    "production": "Produces a lot, in a manufacturing order or a lot transformation (the trace engine's definition).",
}


class StockMoveLine(models.Model):
    _name = "stock.move.line"
    # Receipt lines read a supplier's GS1 barcode (trace_gs1_scan, trace_apply_gs1_scan).
    _inherit = ["stock.move.line", "trace.gs1.scan.mixin"]

    vendor_lot_number = fields.Char(
        help="The vendor's lot number, as printed on the goods received; stored on the lot when the receipt is done."
    )
    # What the line is for every trace, recall, export and the serial registry: stored from
    # the trace engine's hooks, so a trace reads it with the line (see trace.engine).
    trace_is_delivery = fields.Boolean(
        "Trace: Delivery", compute="_compute_trace_kinds", store=True, copy=False, help=KIND_HELP["delivery"]
    )
    trace_is_receipt = fields.Boolean(
        "Trace: Receipt", compute="_compute_trace_kinds", store=True, copy=False, help=KIND_HELP["receipt"]
    )
    trace_is_customer_return = fields.Boolean(
        "Trace: Customer Return",
        compute="_compute_trace_kinds",
        store=True,
        copy=False,
        help=KIND_HELP["customer_return"],
    )
    trace_is_production = fields.Boolean(
        "Trace: Production", compute="_compute_trace_kinds", store=True, copy=False, help=KIND_HELP["production"]
    )
    trace_customer_id = fields.Many2one(
        "res.partner",
        "Trace: Customer",
        compute="_compute_trace_kinds",
        store=True,
        copy=False,
        help="The customer of a delivery or of a return from a customer (the trace engine's definition).",
    )
    trace_vendor_id = fields.Many2one(
        "res.partner",
        "Trace: Vendor",
        compute="_compute_trace_kinds",
        store=True,
        copy=False,
        help="The vendor of a receipt (the trace engine's definition).",
    )

    def _auto_init(self):
        # On a database that already has move lines, the columns are created here and filled
        # in one statement once every model is ready, instead of the ORM computing each line.
        cr = self.env.cr
        if not column_exists(cr, self._table, "trace_is_delivery"):
            for kind in LINE_KINDS:
                create_column(cr, self._table, f"trace_is_{kind}", "boolean")
            for column in ("trace_customer_id", "trace_vendor_id"):
                create_column(cr, self._table, column, "int4")
            self.pool.post_init(self.env["trace.engine"]._store_line_kinds)
        return super()._auto_init()

    @api.depends(lambda self: self.env["trace.engine"]._get_line_kind_depends())
    def _compute_trace_kinds(self):
        self.env["trace.engine"]._compute_line_kinds(self)

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
