from odoo import api, fields, models

from ..models.trace_signature import SIGNATURE_MEANINGS


class TraceSignatureSign(models.TransientModel):
    """The signing dialog: the signer types their password again (21 CFR 11.200)."""

    _name = "trace.signature.sign"
    _description = "Sign Electronically"

    res_model = fields.Char(required=True)
    res_id = fields.Integer(required=True)
    meaning = fields.Selection(SIGNATURE_MEANINGS, required=True)
    record_name = fields.Char(compute="_compute_record_name")
    signer_name = fields.Char(default=lambda self: self.env.user.name, readonly=True)
    # Required in the dialog, not in the table: it is cleared as soon as it is checked.
    password = fields.Char()
    comment = fields.Text()

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for wizard in self:
            record = self.env[wizard.res_model].browse(wizard.res_id) if wizard.res_model else False
            wizard.record_name = record.display_name if record else False

    def action_sign(self):
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id)
        password, self.password = self.password, False
        record._trace_sign(self.meaning, password, self.comment)
        return {"type": "ir.actions.act_window_close"}
