from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    trace_release_requires_different_user = fields.Boolean(
        "Releaser Differs From Author",
        default=True,
        help="A batch record cannot be released by the person who authored it.",
    )
    trace_certificate_release = fields.Boolean(
        "Release Lots on Certificate Approval",
        help="Validating a certificate without a failed result releases its lots that were put in quarantine "
        "for lack of certificates, once none required at receipt is missing.",
    )
    trace_gln = fields.Char(
        "GLN",
        related="partner_id.trace_gln",
        readonly=False,
        help="GS1 Global Location Number (13 digits) of the company, kept on its partner.",
    )
    trace_certificate_expiry_days = fields.Integer(
        "Certificate Expiry Warning (days)",
        default=30,
        help="The daily job schedules a reminder activity on valid certificates expiring within this many days.",
    )

    @api.constrains("trace_certificate_expiry_days")
    def _check_trace_certificate_expiry_days(self):
        if any(company.trace_certificate_expiry_days < 0 for company in self):
            raise ValidationError(self.env._("The certificate expiry warning is a number of days, 0 or more."))
