from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    trace_release_requires_different_user = fields.Boolean(
        "Releaser Differs From Author",
        default=True,
        help="A batch record cannot be released by the person who authored it.",
    )
