from odoo import fields, models


class TraceCertificateReject(models.TransientModel):
    _name = "trace.certificate.reject"
    _description = "Reject Certificates"

    certificate_ids = fields.Many2many("trace.certificate", string="Certificates", required=True)
    reason = fields.Text(required=True)

    def action_reject(self):
        self.ensure_one()
        self.certificate_ids.reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
