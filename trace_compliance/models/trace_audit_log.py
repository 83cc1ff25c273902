import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Serialises appends, so that each entry chains to the one committed before it.
AUDIT_LOCK_KEY = 7_318_640_211
GENESIS_HASH = "0" * 64
# The columns an entry's hash covers, in this order.
HASHED_COLUMNS = (
    "model",
    "res_id",
    "record_name",
    "operation",
    "field_name",
    "old_value",
    "new_value",
    "user_id",
    "timestamp",
    "reason",
    "company_id",
    "previous_hash",
)


class TraceAuditLog(models.Model):
    """The append-only audit trail (21 CFR Part 11 / EU GMP Annex 11).

    Entries are only ever inserted, by :meth:`_append`. The ORM refuses write and
    unlink, for everyone (superuser included); a PostgreSQL trigger refuses UPDATE,
    DELETE and TRUNCATE on the table. Each entry carries the SHA-256 of its content and of
    the previous entry's hash, so :meth:`verify_chain` finds rows altered behind Odoo's back.
    """

    _name = "trace.audit.log"
    _description = "Audit Trail Entry"
    _order = "id desc"
    _rec_name = "record_name"

    model = fields.Char(required=True, index=True, readonly=True)
    res_id = fields.Integer("Record ID", required=True, index=True, readonly=True)
    record_name = fields.Char("Record", readonly=True)
    operation = fields.Selection(
        [
            ("create", "Create"),
            ("write", "Change"),
            ("unlink", "Delete"),
            ("signature", "Signature"),
            ("signature_refused", "Signature Refused"),
        ],
        required=True,
        readonly=True,
    )
    field_name = fields.Char("Field", readonly=True)
    field_description = fields.Char("Field Label", readonly=True)
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)
    user_id = fields.Many2one("res.users", required=True, index=True, readonly=True, ondelete="restrict")
    timestamp = fields.Datetime(required=True, index=True, readonly=True)
    reason = fields.Text(readonly=True)
    company_id = fields.Many2one("res.company", index=True, readonly=True, ondelete="restrict")
    previous_hash = fields.Char(readonly=True)
    hash = fields.Char(readonly=True, index=True)

    def init(self):
        # A plain string (no parameters): the PL/pgSQL body has its own "%" placeholder.
        self.env.cr.execute(
            """
            CREATE OR REPLACE FUNCTION trace_audit_log_refuse() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'trace_audit_log is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            DROP TRIGGER IF EXISTS trace_audit_log_no_change ON trace_audit_log;
            CREATE TRIGGER trace_audit_log_no_change BEFORE UPDATE OR DELETE ON trace_audit_log
                FOR EACH ROW EXECUTE FUNCTION trace_audit_log_refuse();
            DROP TRIGGER IF EXISTS trace_audit_log_no_truncate ON trace_audit_log;
            CREATE TRIGGER trace_audit_log_no_truncate BEFORE TRUNCATE ON trace_audit_log
                FOR EACH STATEMENT EXECUTE FUNCTION trace_audit_log_refuse();
            """
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("trace_audit_append"):
            raise UserError(self.env._("Audit trail entries are written by the system only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("The audit trail is append-only: entries cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_never(self):
        raise UserError(self.env._("The audit trail is append-only: entries cannot be deleted."))

    # ------------------------------------------------------------------
    # appending
    # ------------------------------------------------------------------
    @api.model
    def _append(self, entries):
        """Append ``entries`` (dicts of the hashed columns but the hashes) to the trail.

        Takes a transaction-wide lock so concurrent appends chain one after the other.
        """
        if not entries:
            return self.browse()
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", AUDIT_LOCK_KEY))
        self.env.cr.execute(SQL("SELECT hash FROM trace_audit_log ORDER BY id DESC LIMIT 1"))
        row = self.env.cr.fetchone()
        previous = row[0] if row else GENESIS_HASH
        now = fields.Datetime.now()
        vals_list = []
        for entry in entries:
            vals = {
                "user_id": self.env.uid,
                "timestamp": now,
                "company_id": self.env.company.id,
                "field_name": False,
                "field_description": False,
                "old_value": False,
                "new_value": False,
                "reason": False,
                "record_name": False,
                **entry,
                "previous_hash": previous,
            }
            vals["hash"] = previous = self._hash(vals)
            vals_list.append(vals)
        return self.sudo().with_context(trace_audit_append=True).create(vals_list)

    @api.model
    def _hash(self, vals):
        content = []
        for column in HASHED_COLUMNS:
            value = vals.get(column)
            if isinstance(value, models.BaseModel):
                value = value.id
            if column == "timestamp" and value:
                value = fields.Datetime.to_string(value)
            content.append(value if value not in (None, False, "") else None)
        payload = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    @api.model
    def _count_for(self, records):
        """How many entries the trail holds about ``records``."""
        return self.sudo().search_count([("model", "=", records._name), ("res_id", "in", records.ids)])

    @api.model
    def _refuse_if_referenced(self, records, references, operation="delete"):
        """Refuse deleting (or archiving) ``records`` when some of ``references``
        ({label: count}) are not zero, saying what refers to them."""
        found = {label: count for label, count in references.items() if count}
        if not found:
            return
        names = ", ".join(records.sudo().mapped("display_name"))
        refs = ", ".join(f"{count} {label}" for label, count in found.items())
        if operation == "archive":
            message = self.env._(
                "%(records)s cannot be archived: %(references)s refer to them.", records=names, references=refs
            )
        else:
            message = self.env._(
                "%(records)s cannot be deleted: %(references)s refer to them.", records=names, references=refs
            )
        raise UserError(message)

    # ------------------------------------------------------------------
    # verification
    # ------------------------------------------------------------------
    @api.model
    def verify_chain(self):
        """Recompute the whole chain. Returns ``{'ok', 'checked', 'first_broken_id'}``:
        the first entry whose content or link to the previous entry no longer matches."""
        self.env.flush_all()
        columns = SQL(", ").join(SQL.identifier(column) for column in ("id", *HASHED_COLUMNS, "hash"))
        cr = self.env.cr
        previous, checked = GENESIS_HASH, 0
        cr.execute(SQL("SELECT %s FROM trace_audit_log ORDER BY id", columns))
        while rows := cr.fetchmany(5000):
            for row in rows:
                entry_id, *values, stored_hash = row
                vals = dict(zip(HASHED_COLUMNS, values, strict=True))
                checked += 1
                if vals["previous_hash"] != previous or self._hash(vals) != stored_hash:
                    return {"ok": False, "checked": checked, "first_broken_id": entry_id}
                previous = stored_hash
        return {"ok": True, "checked": checked, "first_broken_id": False}

    @api.model
    def action_verify_chain(self):
        result = self.verify_chain()
        if result["ok"]:
            message = self.env._("Audit trail intact: %(count)s entries verified.", count=result["checked"])
            kind = "success"
        else:
            message = self.env._(
                "Audit trail broken at entry %(id)s: it was altered outside Odoo (%(count)s entries checked).",
                id=result["first_broken_id"],
                count=result["checked"],
            )
            kind = "danger"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {"title": self.env._("Verify Audit Trail"), "message": message, "type": kind, "sticky": True},
        }
