from odoo import api, fields, models
from odoo.exceptions import ValidationError

RESULTS = [("pass", "Pass"), ("fail", "Fail"), ("none", "Not Evaluated")]
QUALITATIVE_RESULTS = [("pass", "Pass"), ("fail", "Fail")]


class TraceCertificateResult(models.Model):
    """One reported result of a certificate: a parameter, its limits and the value found.

    Evaluation rule: a qualitative result (``qualitative_result``: a pass/fail test, as an
    internal test report records it) is its own result; a numeric result with limits is
    evaluated (``result`` ``pass`` or ``fail``); a text result (``text_value`` set) or a
    result without limits is reported, not evaluated (``result`` ``none``). ``passed`` is
    False only for a failed result, so a result that is not evaluated never fails a
    certificate.
    """

    _name = "trace.certificate.result"
    _inherit = ["trace.certificate.limit.mixin"]
    _description = "Certificate Result"
    _order = "certificate_id, sequence, id"
    _check_company_auto = True

    certificate_id = fields.Many2one("trace.certificate", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="certificate_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    parameter_id = fields.Many2one(
        "trace.certificate.type.parameter",
        "Expected Parameter",
        ondelete="set null",
        help="The expected result of the certificate type this line reports: it fills the name, unit and limits.",
    )
    name = fields.Char("Parameter", required=True, compute="_compute_name", store=True, readonly=False, precompute=True)
    uom = fields.Char("Unit", compute="_compute_uom", store=True, readonly=False, precompute=True)
    limit_type = fields.Selection(compute="_compute_limits", store=True, readonly=False, precompute=True)
    lower_limit = fields.Float(compute="_compute_limits", store=True, readonly=False, precompute=True)
    upper_limit = fields.Float(compute="_compute_limits", store=True, readonly=False, precompute=True)
    value = fields.Float(digits="Certificate Result", help="The numeric result found.")
    text_value = fields.Char(
        help="A result that is not a number (e.g. 'Conforms', 'Not detected'): reported, not evaluated.",
    )
    qualitative_result = fields.Selection(
        QUALITATIVE_RESULTS,
        help="The answer of a pass/fail test (e.g. visual inspection): the result itself, no limits.",
    )
    result = fields.Selection(RESULTS, compute="_compute_result", store=True)
    passed = fields.Boolean(
        compute="_compute_passed",
        store=True,
        help="False when the value is outside its limits; True otherwise, including results that are not evaluated.",
    )

    @api.depends("parameter_id")
    def _compute_name(self):
        for line in self:
            if line.parameter_id:
                line.name = line.parameter_id.name

    @api.depends("parameter_id")
    def _compute_uom(self):
        for line in self:
            if line.parameter_id:
                line.uom = line.parameter_id.uom

    @api.depends("parameter_id")
    def _compute_limits(self):
        for line in self:
            parameter = line.parameter_id
            if parameter:
                line.limit_type = parameter.limit_type
                line.lower_limit = parameter.lower_limit
                line.upper_limit = parameter.upper_limit
            elif not line.limit_type:
                line.limit_type = "none"

    @api.depends("value", "text_value", "qualitative_result", "limit_type", "lower_limit", "upper_limit")
    def _compute_result(self):
        for line in self:
            line.result = line._evaluate()

    @api.depends("result")
    def _compute_passed(self):
        for line in self:
            line.passed = line.result != "fail"

    @api.constrains("value", "text_value")
    def _check_one_value(self):
        for line in self:
            if line.text_value and line.value:
                raise ValidationError(
                    self.env._(
                        "%(parameter)s has both a number (%(value)s) and a text (%(text)s): give one of them.",
                        parameter=line.name,
                        value=line.value,
                        text=line.text_value,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self.check_access("create")  # who may create comes before what is created
        for vals in vals_list:
            if not vals.get("name") and not vals.get("parameter_id"):
                raise ValidationError(self.env._("Each certificate result needs a parameter name."))
        certificate_ids = {vals.get("certificate_id") for vals in vals_list}
        self.env["trace.certificate"].browse(certificate_ids - {None, False})._check_results_editable()
        return super().create(vals_list)

    def write(self, vals):
        self.check_access("write")
        self.certificate_id._check_results_editable()
        if "certificate_id" in vals:
            self.env["trace.certificate"].browse(vals["certificate_id"])._check_results_editable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_locked_certificate(self):
        self.certificate_id._check_results_editable()

    @api.model
    def _trace_number_fields(self):
        return [*super()._trace_number_fields(), "value"]

    @api.model
    def _trace_number_hint(self, field_name):
        if field_name == "value":
            return self.env._(" A result that is not a number goes in the Text Value.")
        return super()._trace_number_hint(field_name)

    def _evaluate(self):
        """``pass``, ``fail`` or ``none`` (not evaluated) for this result."""
        self.ensure_one()
        if self.qualitative_result:
            return self.qualitative_result
        if self.text_value:
            return "none"
        return self._trace_evaluate_value(self.value)

    def _format_value(self):
        self.ensure_one()
        if self.qualitative_result:
            return dict(self._fields["qualitative_result"]._description_selection(self.env))[self.qualitative_result]
        return self.text_value or self._format_number(self.value)
