from odoo import api, fields, models
from odoo.exceptions import UserError


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    trace_consumed_lot_ids = fields.Many2many(
        "stock.lot", string="Component Lots", compute="_compute_trace_consumed_lot_ids"
    )
    trace_consumed_lot_count = fields.Integer("Component Lot Count", compute="_compute_trace_consumed_lot_ids")

    @api.depends("move_raw_ids.move_line_ids.lot_id")
    def _compute_trace_consumed_lot_ids(self):
        for production in self:
            lots = production.move_raw_ids.move_line_ids.filtered(lambda ml: ml.quantity).lot_id
            production.trace_consumed_lot_ids = lots
            production.trace_consumed_lot_count = len(lots)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_traced(self):
        links = self.env["trace.lot.link"].sudo().search_count([("production_id", "in", self.ids)])
        if links:
            raise UserError(
                self.env._(
                    "%(orders)s cannot be deleted: %(count)s genealogy links refer to them.",
                    orders=", ".join(self.mapped("name")),
                    count=links,
                )
            )

    def _post_inventory(self, cancel_backorder=False):
        for production in self:
            consumed = production.move_raw_ids.filtered(lambda m: m.picked and m.state not in ("done", "cancel"))
            consumed.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity).lot_id._check_released(
                production.display_name
            )
        res = super()._post_inventory(cancel_backorder=cancel_backorder)
        self.env["trace.lot.link"]._sync_productions(self.ids)
        return res

    def action_view_trace_consumed_lots(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(order)s: component lots", order=self.name),
            "res_model": "stock.lot",
            "view_mode": "list,form",
            "domain": [("id", "in", self.trace_consumed_lot_ids.ids)],
        }
