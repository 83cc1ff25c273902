from odoo import api, fields, models
from odoo.exceptions import UserError

SIGNATURE_MEANINGS = [
    ("authored", "Authored"),
    ("reviewed", "Reviewed"),
    ("approved", "Approved"),
    ("released", "Released"),
    ("rejected", "Rejected"),
]


class TraceSignature(models.Model):
    """An electronic signature (21 CFR Part 11 §11.50, §11.70): who, when (UTC), what it
    means, and the hash of exactly what was signed. Created only by the signing dialog,
    after the signer typed their password again; never changed or deleted."""

    _name = "trace.signature"
    _inherit = ["trace.audit.mixin"]
    _description = "Electronic Signature"
    _order = "signed_at, id"
    _rec_name = "printed_name"

    res_model = fields.Char("Signed Model", required=True, readonly=True, index=True)
    res_id = fields.Integer("Signed Record ID", required=True, readonly=True, index=True)
    batch_record_id = fields.Many2one("trace.batch.record", index="btree_not_null", ondelete="restrict", readonly=True)
    signer_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="restrict")
    printed_name = fields.Char(required=True, readonly=True)
    signed_at = fields.Datetime("Signed At (UTC)", required=True, readonly=True)
    meaning = fields.Selection(SIGNATURE_MEANINGS, required=True, readonly=True)
    comment = fields.Text(readonly=True)
    content_hash = fields.Char(required=True, readonly=True, help="SHA-256 of the signed record's content at signing.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("trace_signing"):
            raise UserError(self.env._("Signatures are created by signing, with your password."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("An electronic signature cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("An electronic signature cannot be deleted."))

    def _signed_record(self):
        self.ensure_one()
        return self.env[self.res_model].browse(self.res_id)

    def is_valid(self):
        """Whether the signed record's content still hashes to what was signed."""
        self.ensure_one()
        record = self._signed_record().sudo()
        return record.exists() and record._trace_signature_content_hash() == self.content_hash
