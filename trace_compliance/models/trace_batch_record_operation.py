from odoo import fields, models


class TraceBatchRecordOperation(models.Model):
    _name = "trace.batch.record.operation"
    _inherit = ["trace.batch.record.line.mixin"]
    _description = "Batch Record Operation"
    _order = "date_start, id"

    batch_record_id = fields.Many2one("trace.batch.record", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="batch_record_id.company_id", store=True)
    name = fields.Char("Operation", required=True)
    workcenter_id = fields.Many2one("mrp.workcenter", "Work Center")
    operator = fields.Char(help="Who worked on the operation (from the work order time log).")
    date_start = fields.Datetime("Started")
    date_finished = fields.Datetime("Finished")
    duration = fields.Float("Duration (min)")
