from odoo import api, models


class TraceReferenceMixin(models.AbstractModel):
    """Records that traceability evidence refers to (lots, orders, transfers, certificates,
    partners) cannot be deleted, nor archived where the model can be: the refusal says what
    refers to them. Each add-on adds its own references by extending
    :meth:`_trace_references`."""

    _name = "trace.reference.mixin"
    _description = "Traceability Evidence Reference Guard"

    def _trace_references(self):
        """``{label: count}`` of the evidence that refers to these records."""
        return {self.env._("audit trail entries"): self.env["trace.audit.log"]._count_for(self)}

    def _trace_readable_counts(self, model, field):
        """``{record: count}`` of the ``model`` records whose ``field`` is one of these, as the
        current user may read them (none for a user without read access): what a smart
        button shows."""
        Model = self.env[model]
        if not self.ids or not Model.has_access("read"):
            return {}
        return dict(Model._read_group([(field, "in", self.ids)], [field], ["__count"]))

    def _trace_refuse_if_referenced(self, operation):
        if not self.ids:
            return
        self.env["trace.audit.log"]._refuse_if_referenced(self, self._trace_references(), operation)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trace_referenced(self):
        self._trace_refuse_if_referenced("delete")

    def write(self, vals):
        if "active" in vals and not vals["active"] and "active" in self._fields:
            self.filtered("active")._trace_refuse_if_referenced("archive")
        return super().write(vals)
