from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    trace_recall_reminder_days = fields.Integer(
        "Recall Reminder After (Days)",
        default=7,
        help="Customers who have not answered a recall notice after this many days get a second notice, and the "
        "recall's coordinator an activity to call them. 0: no reminders.",
    )
