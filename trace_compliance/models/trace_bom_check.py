from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TraceBomCheck(models.Model):
    """An in-process check step of a bill of materials, copied into each batch record."""

    _name = "trace.bom.check"
    _description = "In-Process Check Step"
    _order = "sequence, id"

    bom_id = fields.Many2one("mrp.bom", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char("Instruction", required=True)
    specification = fields.Char()
    has_limits = fields.Boolean("Numeric Limits")
    lower_limit = fields.Float()
    upper_limit = fields.Float()

    @api.constrains("has_limits", "lower_limit", "upper_limit")
    def _check_limits(self):
        for step in self:
            if step.has_limits and step.lower_limit > step.upper_limit:
                raise ValidationError(self.env._("%(step)s: the lower limit is above the upper limit.", step=step.name))

    def _prepare_batch_record_check_vals(self):
        """Hook: the check of a new batch record copied from this step."""
        self.ensure_one()
        return {
            "sequence": self.sequence,
            "instruction": self.name,
            "specification": self.specification,
            "lower_limit": self.lower_limit,
            "upper_limit": self.upper_limit,
            "has_limits": self.has_limits,
        }
