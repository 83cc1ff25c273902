from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    trace_release_requires_different_user = fields.Boolean(
        related="company_id.trace_release_requires_different_user", readonly=False
    )
    trace_certificate_release = fields.Boolean(related="company_id.trace_certificate_release", readonly=False)
    trace_certificate_expiry_days = fields.Integer(related="company_id.trace_certificate_expiry_days", readonly=False)
