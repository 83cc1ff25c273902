import hashlib
import json
import logging

import psycopg2

from odoo import fields, models
from odoo.exceptions import AccessDenied, UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class TraceSignableMixin(models.AbstractModel):
    """A record that can be signed electronically: it states its content to sign and
    what each meaning does to it (:meth:`_trace_on_signed`)."""

    _name = "trace.signable.mixin"
    _description = "Electronically Signable Record"

    def _trace_signature_content(self):
        """A JSON-serialisable statement of everything that is being signed."""
        raise NotImplementedError

    def _trace_signature_content_hash(self):
        payload = json.dumps(self._trace_signature_content(), sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    def _trace_check_can_sign(self, meaning):
        """Raise when the current user may not sign with ``meaning`` now."""

    def _trace_on_signed(self, signature):
        """What a new signature does to the record (e.g. move it to the next state)."""

    def _trace_sign(self, meaning, password, comment=False):
        """Sign as the current user: checks the password (Odoo's own credential check),
        refuses and logs a wrong one, then records the signature bound to the content."""
        self.ensure_one()
        user = self.env.user
        Log = self.env["trace.audit.log"]
        try:
            user._check_credentials(
                {"login": user.login, "password": password or "", "type": "password"}, {"interactive": True}
            )
        except AccessDenied:
            self._trace_log_refused_signature(meaning)
            raise UserError(self.env._("Wrong password: the signature is refused.")) from None
        # One signature at a time per record: a second signer waiting here would sign a
        # state that is about to change.
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL("SELECT 1 FROM %s WHERE id = %s FOR UPDATE NOWAIT", SQL.identifier(self._table), self.id)
                )
        except psycopg2.errors.LockNotAvailable:
            raise UserError(
                self.env._("%(record)s is being signed by someone else right now: try again.", record=self.display_name)
            ) from None
        self.invalidate_recordset()
        self._trace_check_can_sign(meaning)
        signature = (
            self.env["trace.signature"]
            .sudo()
            .with_context(trace_signing=True)
            .create(
                {
                    "res_model": self._name,
                    "res_id": self.id,
                    "batch_record_id": self.id if self._name == "trace.batch.record" else False,
                    "signer_id": user.id,
                    "printed_name": user.name,
                    "signed_at": fields.Datetime.now(),
                    "meaning": meaning,
                    "comment": comment or False,
                    "content_hash": self._trace_signature_content_hash(),
                    "company_id": self.company_id.id if "company_id" in self._fields else self.env.company.id,
                }
            )
        )
        Log._append(
            [
                {
                    "model": self._name,
                    "res_id": self.id,
                    "record_name": self.display_name,
                    "operation": "signature",
                    "field_name": "meaning",
                    "new_value": f"{meaning} by {user.name}",
                    "reason": comment or False,
                }
            ]
        )
        self._trace_on_signed(signature)
        return signature

    def _trace_log_refused_signature(self, meaning):
        """Log a refused signature in its own transaction: it must outlive the refusal."""
        values = {
            "model": self._name,
            "res_id": self.id,
            "record_name": self.display_name,
            "operation": "signature_refused",
            "field_name": "meaning",
            "new_value": f"{meaning}: wrong password",
            "reason": False,
        }
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SET LOCAL lock_timeout = '5s'")
                self.env(cr=cr)["trace.audit.log"]._append([values])
        except psycopg2.Error:
            _logger.exception("Could not log the refused signature of %s", self.display_name)
        _logger.warning(
            "Refused signature (%s) of %s by %s: wrong password", meaning, self.display_name, self.env.user.login
        )
