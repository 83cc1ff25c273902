from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TraceBatchRecordCheck(models.Model):
    """An in-process check step: the instruction, its specification, what was measured,
    by whom and when, and whether it passed."""

    _name = "trace.batch.record.check"
    _inherit = ["trace.batch.record.line.mixin"]
    _description = "Batch Record In-Process Check"
    _order = "sequence, id"

    batch_record_id = fields.Many2one("trace.batch.record", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_record_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    instruction = fields.Char(required=True)
    specification = fields.Char()
    has_limits = fields.Boolean("Numeric Limits")
    lower_limit = fields.Float()
    upper_limit = fields.Float()
    measured_value = fields.Float()
    measured_text = fields.Char("Observation")
    result = fields.Selection([("pass", "Pass"), ("fail", "Fail")])
    checked_by_id = fields.Many2one("res.users", readonly=True)
    checked_at = fields.Datetime(readonly=True)

    @api.constrains("has_limits", "lower_limit", "upper_limit")
    def _check_limits(self):
        for check in self:
            if check.has_limits and check.lower_limit > check.upper_limit:
                raise ValidationError(
                    self.env._("%(check)s: the lower limit is above the upper limit.", check=check.instruction)
                )

    def write(self, vals):
        if {"measured_value", "measured_text", "result"} & set(vals) and "checked_by_id" not in vals:
            vals = dict(vals, checked_by_id=self.env.uid, checked_at=fields.Datetime.now())
        res = super().write(vals)
        if "measured_value" in vals and "result" not in vals:
            for check in self.filtered("has_limits"):
                passed = check.lower_limit <= check.measured_value <= check.upper_limit
                super(TraceBatchRecordCheck, check).write({"result": "pass" if passed else "fail"})
        return res
