from odoo import api, fields, models
from odoo.exceptions import ValidationError

TEST_TYPES = [("measure", "Measurement"), ("pass_fail", "Pass / Fail"), ("file", "Photo or File")]


class TraceInspectionPlanTest(models.Model):
    """One test of an inspection plan: a measurement with its unit and limits, a pass/fail
    question, or a photo or file to attach."""

    _name = "trace.inspection.plan.test"
    _inherit = ["trace.certificate.limit.mixin", "trace.audit.mixin"]
    _description = "Inspection Plan Test"
    _order = "plan_id, sequence, id"

    plan_id = fields.Many2one("trace.inspection.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char("Test", required=True, translate=True)
    test_type = fields.Selection(TEST_TYPES, "Type", required=True, default="measure")
    uom = fields.Char("Unit", help="The unit the value is measured in, e.g. %, ppb, mg/kg, cfu/g.")
    limit_type = fields.Selection(default="none")
    required = fields.Boolean(default=True, help="The inspection cannot be completed without this result.")
    instructions = fields.Text(help="How to take the sample and run the test.")

    @api.constrains("plan_id", "name")
    def _check_unique_name(self):
        for test in self:
            duplicates = test.plan_id.test_ids.filtered(
                lambda other, test=test: other != test and other.name.strip().lower() == test.name.strip().lower()
            )
            if duplicates:
                raise ValidationError(
                    self.env._(
                        "Inspection plan %(plan)s already has a test named %(name)s.",
                        plan=test.plan_id.name,
                        name=test.name,
                    )
                )
