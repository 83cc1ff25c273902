from odoo import fields, models

from odoo.addons.trace_compliance.groups import TRACE_READERS


class ResPartner(models.Model):
    _inherit = "res.partner"

    trace_serial_count = fields.Integer("Serials", compute="_compute_trace_serial_count", groups=TRACE_READERS)

    def _compute_trace_serial_count(self):
        Lot = self.env["stock.lot"]
        if not self.ids or not Lot.has_access("read"):
            self.trace_serial_count = 0
            return
        for partner in self:
            partner.trace_serial_count = Lot.search_count(
                [("customer_id", "child_of", partner.commercial_partner_id.id)]
            )

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("serials delivered to them")] = (
            self.env["stock.lot"].sudo().search_count([("customer_id", "in", self.ids)])
        )
        references[self.env._("service events")] = (
            self.env["trace.service.event"].sudo().search_count([("partner_id", "in", self.ids)])
        )
        return references

    def action_view_trace_serials(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_warranty.stock_lot_action_serials")
        action["domain"] = [("customer_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"search_default_group_by_customer": 0}
        return action
