from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TraceCertificateTypeParameter(models.Model):
    """A result a certificate of this type must report, with its unit and limits."""

    _name = "trace.certificate.type.parameter"
    _inherit = ["trace.certificate.limit.mixin"]
    _description = "Expected Certificate Result"
    _order = "type_id, sequence, id"

    type_id = fields.Many2one(
        "trace.certificate.type", "Certificate Type", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char("Parameter", required=True, translate=True)
    uom = fields.Char("Unit", help="The unit the result is reported in, e.g. %, ppb, mg/kg, cfu/g.")
    limit_type = fields.Selection(default="none")

    @api.constrains("type_id", "name")
    def _check_unique_name(self):
        for parameter in self:
            duplicates = parameter.type_id.parameter_ids.filtered(
                lambda other, parameter=parameter: (
                    other != parameter and other.name.strip().lower() == parameter.name.strip().lower()
                )
            )
            if duplicates:
                raise ValidationError(
                    self.env._(
                        "%(type)s already expects a result named %(name)s.",
                        type=parameter.type_id.display_name,
                        name=parameter.name,
                    )
                )
