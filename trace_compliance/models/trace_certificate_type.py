from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TraceCertificateType(models.Model):
    """A kind of certificate (of analysis, of conformity, ...): its validity, whether a
    file is required, and the results it must report."""

    _name = "trace.certificate.type"
    _description = "Certificate Type"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        help="Short unique code, used by integrations and on documents (e.g. COA, COC). Stored in capitals.",
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    validity_days = fields.Integer(
        "Validity (days)",
        help="A new certificate expires this many days after its issue date; 0: no expiry by default.",
    )
    file_required = fields.Boolean(
        default=True,
        help="A certificate of this type can only be validated with its file (the scanned or received document).",
    )
    parameter_ids = fields.One2many("trace.certificate.type.parameter", "type_id", "Expected Results", copy=True)
    description = fields.Text()
    certificate_count = fields.Integer("Certificates", compute="_compute_certificate_count")

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_certificate_count(self):
        counts = {}
        if self.env["trace.certificate"].has_access("read"):
            counts = dict(
                self.env["trace.certificate"]._read_group([("type_id", "in", self.ids)], ["type_id"], ["__count"])
            )
        for certificate_type in self:
            certificate_type.certificate_count = counts.get(certificate_type, 0)

    @api.constrains("code")
    def _check_unique_code(self):
        for certificate_type in self:
            duplicate = (
                self.with_context(active_test=False)
                .sudo()
                .search([("code", "=", certificate_type.code), ("id", "!=", certificate_type.id)], limit=1)
            )
            if duplicate:
                raise ValidationError(
                    self.env._(
                        "The code %(code)s is already used by the certificate type %(type)s.",
                        code=certificate_type.code,
                        type=duplicate.name,
                    )
                )

    @api.constrains("validity_days")
    def _check_validity_days(self):
        if any(certificate_type.validity_days < 0 for certificate_type in self):
            raise ValidationError(self.env._("A validity is a number of days, 0 or more."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_code(vals)
            self.env["trace.certificate.type.parameter"]._trace_clean_commands(vals.get("parameter_ids"))
        return super().create(vals_list)

    def write(self, vals):
        vals = self._normalize_code(dict(vals))
        self.env["trace.certificate.type.parameter"]._trace_clean_commands(vals.get("parameter_ids"))
        return super().write(vals)

    @api.model
    def _normalize_code(self, vals):
        if vals.get("code"):
            vals["code"] = vals["code"].strip().upper()
        return vals

    def action_open_certificates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_certificate_action")
        action["domain"] = [("type_id", "=", self.id)]
        action["context"] = {"default_type_id": self.id}
        return action
