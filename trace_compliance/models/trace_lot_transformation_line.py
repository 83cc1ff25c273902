from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class TraceLotTransformationLine(models.Model):
    _name = "trace.lot.transformation.line"
    _description = "Lot Transformation Line"
    _order = "direction, id"
    _check_company_auto = True

    transformation_id = fields.Many2one("trace.lot.transformation", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="transformation_id.company_id", store=True)
    direction = fields.Selection([("input", "Input"), ("output", "Output")], required=True, default="input")
    product_id = fields.Many2one(
        "product.product", required=True, check_company=True, domain="[('tracking', '!=', 'none')]"
    )
    lot_id = fields.Many2one(
        "stock.lot",
        "Lot/Serial Number",
        check_company=True,
        domain="[('product_id', '=', product_id)]",
    )
    lot_name = fields.Char("New Lot/Serial Number", help="For an output: the name of the lot to create.")
    quantity = fields.Float(required=True, default=1.0, digits="Product Unit of Measure")
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")

    @api.constrains("lot_id", "product_id")
    def _check_lot_product(self):
        for line in self:
            if line.lot_id and line.lot_id.product_id != line.product_id:
                raise ValidationError(
                    self.env._(
                        "Lot %(lot)s is a lot of %(lot_product)s, not of %(product)s.",
                        lot=line.lot_id.name,
                        lot_product=line.lot_id.product_id.display_name,
                        product=line.product_id.display_name,
                    )
                )

    def write(self, vals):
        if any(line.transformation_id.state != "draft" for line in self):
            raise UserError(self.env._("The lines of a validated or cancelled transformation cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft(self):
        if any(line.transformation_id.state != "draft" for line in self):
            raise UserError(self.env._("The lines of a validated or cancelled transformation cannot be deleted."))

    def _find_or_create_lot(self):
        self.ensure_one()
        Lot = self.env["stock.lot"]
        lot = Lot.search(
            [
                ("product_id", "=", self.product_id.id),
                ("name", "=", self.lot_name),
                ("company_id", "in", [self.company_id.id, False]),
            ],
            limit=1,
        )
        return lot or Lot.create(self._prepare_lot_vals())

    def _prepare_lot_vals(self):
        """Hook: the new lot of an output line whose lot name matches no lot yet."""
        self.ensure_one()
        return {"name": self.lot_name, "product_id": self.product_id.id, "company_id": self.company_id.id}
