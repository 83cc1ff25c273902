from odoo import api, fields, models


class TraceWarrantyCheck(models.TransientModel):
    """Is this serial in warranty on this date, and why (not)?"""

    _name = "trace.warranty.check"
    _description = "Warranty Check"

    serial_name = fields.Char("Serial Number", required=True)
    product_id = fields.Many2one(
        "product.product", domain="[('tracking', '=', 'serial')]", help="Needed when two products use the serial."
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    lot_id = fields.Many2one("stock.lot", "Serial", compute="_compute_result")
    customer_id = fields.Many2one(related="lot_id.customer_id")
    warranty_start_date = fields.Date(related="lot_id.warranty_start_date")
    warranty_end_date = fields.Date(related="lot_id.warranty_end_date")
    in_warranty = fields.Boolean(compute="_compute_result")
    warranty_state = fields.Selection(
        [("none", "No Warranty"), ("active", "In Warranty"), ("expired", "Expired")], compute="_compute_result"
    )
    reason = fields.Char("Why", compute="_compute_result")

    @api.depends("serial_name", "product_id", "date")
    def _compute_result(self):
        for check in self:
            check.lot_id = check.in_warranty = check.warranty_state = check.reason = False
            if not check.serial_name or not check.date:
                continue
            lot = check.env["stock.lot"]._warranty_find_serial(check.serial_name, check.product_id.id or None)
            check.lot_id = lot
            check.warranty_state, check.in_warranty, check.reason = lot._warranty_status_at(check.date)
