from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    trace_recall_reminder_days = fields.Integer(related="company_id.trace_recall_reminder_days", readonly=False)
