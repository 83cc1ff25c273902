from odoo import api, models


class TraceAuditMixin(models.AbstractModel):
    """Records create, write and unlink of the inheriting model in the audit trail,
    for the fields its ``trace.audit.rule`` names.

    The reason of a change comes from the context key ``trace_audit_reason`` (the web
    client's dialogs and the public methods set it).
    """

    _name = "trace.audit.mixin"
    _description = "Audit Trail Mixin"

    # Technical fields never worth an entry.
    _trace_audit_skip = ("write_date", "write_uid", "create_date", "create_uid", "__last_update")

    def _trace_audit_fields(self, names=None):
        rule = self.env["trace.audit.rule"]._rule_for(self._name)
        if not rule:
            return ()
        audited = rule[3]
        candidates = names if names is not None else self._fields
        return tuple(
            name
            for name in candidates
            if name in self._fields
            and self._fields[name].store
            and name not in self._trace_audit_skip
            and self._fields[name].type not in ("binary", "one2many")
            and (audited is None or name in audited)
        )

    def _trace_audit_value(self, name):
        field = self._fields[name]
        value = self[name]
        if field.type == "many2one":
            return f"{value.display_name} ({value.id})" if value else ""
        if field.type == "many2many":
            return ", ".join(value.mapped("display_name"))
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value or "")
        if value is False or value is None:
            return ""
        return str(value)

    def _trace_audit_snapshot(self, names):
        return {record.id: {name: record._trace_audit_value(name) for name in names} for record in self}

    def _trace_audit_entries(self, operation, names, old=None, new=None):
        reason = self.env.context.get("trace_audit_reason") or False
        entries = []
        for record in self:
            before, after = (old or {}).get(record.id, {}), (new or {}).get(record.id, {})
            for name in names:
                if operation == "write" and before.get(name) == after.get(name):
                    continue
                entries.append(
                    {
                        "model": self._name,
                        "res_id": record.id,
                        "record_name": record.display_name,
                        "operation": operation,
                        "field_name": name,
                        "field_description": self._fields[name].string,
                        "old_value": before.get(name, "") if operation != "create" else "",
                        "new_value": after.get(name, "") if operation != "unlink" else "",
                        "reason": reason,
                        "company_id": record["company_id"].id if "company_id" in record._fields else False,
                    }
                )
        return entries

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        rule = self.env["trace.audit.rule"]._rule_for(self._name)
        if rule and rule[0]:
            names = records._trace_audit_fields()
            new = records.sudo()._trace_audit_snapshot(names)
            entries = [
                entry
                for entry in records.sudo()._trace_audit_entries("create", names, new=new)
                if entry["new_value"] not in ("", None)
            ]
            self.env["trace.audit.log"]._append(entries)
        return records

    def write(self, vals):
        rule = self.env["trace.audit.rule"]._rule_for(self._name)
        if not rule or not rule[1]:
            return super().write(vals)
        names = self._trace_audit_fields(list(vals))
        old = self.sudo()._trace_audit_snapshot(names)
        res = super().write(vals)
        new = self.sudo()._trace_audit_snapshot(names)
        self.env["trace.audit.log"]._append(self.sudo()._trace_audit_entries("write", names, old=old, new=new))
        return res

    def unlink(self):
        rule = self.env["trace.audit.rule"]._rule_for(self._name)
        if rule and rule[2]:
            names = self._trace_audit_fields()
            old = self.sudo()._trace_audit_snapshot(names)
            entries = self.sudo()._trace_audit_entries("unlink", names, old=old)
            res = super().unlink()
            self.env["trace.audit.log"]._append(entries)
            return res
        return super().unlink()
