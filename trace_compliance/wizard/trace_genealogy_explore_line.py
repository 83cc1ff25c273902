from odoo import fields, models


class TraceGenealogyExploreLine(models.TransientModel):
    _name = "trace.genealogy.explore.line"
    _description = "Lot Genealogy Line"
    _order = "level, id"

    explore_id = fields.Many2one("trace.genealogy.explore", required=True, ondelete="cascade", index=True)
    direction = fields.Selection([("forward", "Downstream"), ("backward", "Upstream")], required=True)
    level = fields.Integer(required=True)
    lot_id = fields.Many2one("stock.lot", "Lot/Serial Number", required=True)
    product_id = fields.Many2one(related="lot_id.product_id")
    from_lot_id = fields.Many2one("stock.lot", "From Lot/Serial Number")
    link_id = fields.Many2one("trace.lot.link")
    quantity = fields.Float(related="link_id.quantity", digits="Product Unit of Measure")
    product_uom_id = fields.Many2one(related="link_id.product_uom_id")
    link_type = fields.Selection(related="link_id.link_type")
    production_id = fields.Many2one(related="link_id.production_id")
    unbuild_id = fields.Many2one(related="link_id.unbuild_id")
    transformation_id = fields.Many2one(related="link_id.transformation_id")
    date = fields.Datetime(related="link_id.date")
    document = fields.Char(compute="_compute_document")

    def _compute_document(self):
        for line in self:
            line.document = (line.production_id or line.unbuild_id or line.transformation_id).display_name or ""

    def action_open_lot(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.lot",
            "res_id": self.lot_id.id,
            "view_mode": "form",
        }

    def action_open_document(self):
        self.ensure_one()
        record = self.unbuild_id or self.transformation_id or self.production_id
        if not record:
            return False
        return {"type": "ir.actions.act_window", "res_model": record._name, "res_id": record.id, "view_mode": "form"}
