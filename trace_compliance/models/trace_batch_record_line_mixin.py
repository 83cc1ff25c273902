from odoo import api, models


class TraceBatchRecordLineMixin(models.AbstractModel):
    """A line of a batch record follows its record: immutable once released or rejected,
    changed with a reason once approved."""

    _name = "trace.batch.record.line.mixin"
    _inherit = ["trace.audit.mixin"]
    _description = "Batch Record Line"

    @api.model_create_multi
    def create(self, vals_list):
        records = self.env["trace.batch.record"].browse([vals.get("batch_record_id") for vals in vals_list])
        self._check_record_editable(records.exists())
        return super().create(vals_list)

    def write(self, vals):
        self._check_record_editable(self.batch_record_id)
        return super().write(vals)

    def unlink(self):
        self._check_record_editable(self.batch_record_id)
        return super().unlink()

    def _check_record_editable(self, records):
        if self.env.context.get("trace_batch_signing"):
            return
        records._check_editable(self.env.context.get("trace_audit_reason"))
