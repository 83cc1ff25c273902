from odoo import fields, models


class TraceBatchRecordDeviation(models.Model):
    _name = "trace.batch.record.deviation"
    _inherit = ["trace.batch.record.line.mixin"]
    _description = "Batch Record Deviation"
    _order = "date, id"

    batch_record_id = fields.Many2one("trace.batch.record", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_record_id.company_id", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    description = fields.Text(required=True)
    impact = fields.Selection([("minor", "Minor"), ("major", "Major"), ("critical", "Critical")], required=True)
    corrective_action = fields.Text()
    reported_by_id = fields.Many2one("res.users", default=lambda self: self.env.user, required=True)
