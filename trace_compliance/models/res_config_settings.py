from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    trace_release_requires_different_user = fields.Boolean(
        related="company_id.trace_release_requires_different_user", readonly=False
    )
