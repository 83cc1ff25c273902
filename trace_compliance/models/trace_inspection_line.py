import base64
import binascii
import math

from odoo import api, fields, models
from odoo.exceptions import UserError

from .trace_inspection_plan_test import TEST_TYPES

RESULTS = [("pass", "Pass"), ("fail", "Fail"), ("none", "Not Evaluated")]
ANSWERS = [("pass", "Pass"), ("fail", "Fail")]
# What the one recording the results writes on a line; the rest is the plan's.
RESULT_FIELDS = frozenset({"value", "answer", "file", "file_name", "note"})


class TraceInspectionLine(models.Model):
    """One test of an inspection and its result. The test's name, type, unit and limits
    are copied from the plan when the inspection is created, so that a later change of
    the plan does not change what the lot was tested against.

    Evaluation: a measurement is evaluated against its limits, as a certificate result is
    (``trace.certificate.limit.mixin``); a pass/fail test is its answer; a photo or file is
    reported, not evaluated.
    """

    _name = "trace.inspection.line"
    _inherit = ["trace.certificate.limit.mixin", "trace.audit.mixin"]
    _description = "Inspection Result"
    _order = "inspection_id, sequence, id"

    inspection_id = fields.Many2one("trace.inspection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="inspection_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10, readonly=True)
    test_id = fields.Many2one("trace.inspection.plan.test", "Plan Test", readonly=True, ondelete="set null")
    name = fields.Char("Test", required=True, readonly=True)
    test_type = fields.Selection(TEST_TYPES, "Type", required=True, readonly=True)
    uom = fields.Char("Unit", readonly=True)
    limit_type = fields.Selection(default="none", readonly=True)
    lower_limit = fields.Float(readonly=True)
    upper_limit = fields.Float(readonly=True)
    required = fields.Boolean(readonly=True)
    value = fields.Float(digits="Certificate Result", help="The value measured.")
    value_recorded = fields.Boolean(readonly=True, help="A value was measured (a float reads 0.0 when none was).")
    answer = fields.Selection(ANSWERS, help="The answer of a pass/fail test.")
    file = fields.Binary("Photo or File", attachment=True)
    file_name = fields.Char()
    note = fields.Char("Remark")
    is_recorded = fields.Boolean("Recorded", compute="_compute_is_recorded", store=True)
    result = fields.Selection(RESULTS, compute="_compute_result", store=True)

    @api.depends("test_type", "value_recorded", "answer", "file")
    def _compute_is_recorded(self):
        for line in self:
            line.is_recorded = {
                "measure": line.value_recorded,
                "pass_fail": bool(line.answer),
                "file": bool(line.file),
            }[line.test_type]

    @api.depends("test_type", "value", "value_recorded", "answer", "limit_type", "lower_limit", "upper_limit")
    def _compute_result(self):
        for line in self:
            if line.test_type == "measure" and line.value_recorded:
                line.result = line._trace_evaluate_value(line.value)
            elif line.test_type == "pass_fail" and line.answer:
                line.result = line.answer
            else:
                line.result = "none"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("value") not in (None, False):
                vals["value_recorded"] = True
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            fixed = set(vals) - RESULT_FIELDS
            if fixed:
                raise UserError(
                    self.env._(
                        "Only results are recorded on an inspection: %(fields)s come from its plan.",
                        fields=", ".join(sorted(fixed)),
                    )
                )
            self.inspection_id._check_recordable()
        elif self.inspection_id.filtered(lambda inspection: inspection.state != "open"):
            raise UserError(self.env._("The results of a completed or cancelled inspection cannot be changed."))
        if "value" in vals:
            vals = dict(vals, value_recorded=vals["value"] is not False and vals["value"] is not None)
        return super().write(vals)

    @api.model
    def _trace_number_fields(self):
        return [*super()._trace_number_fields(), "value"]

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @api.model
    def _prepare_line_vals(self, test):
        """Values of the result line of the plan's ``test``."""
        return {
            "test_id": test.id,
            "sequence": test.sequence,
            "name": test.name,
            "test_type": test.test_type,
            "uom": test.uom,
            "limit_type": test.limit_type if test.test_type == "measure" else "none",
            "lower_limit": test.lower_limit,
            "upper_limit": test.upper_limit,
            "required": test.required,
        }

    def _prepare_result_vals(self, value):
        """The values recording ``value`` (as :meth:`trace.inspection.record_results` takes
        it) on this line, or a ``UserError`` saying what this test expects."""
        self.ensure_one()
        if self.test_type == "measure":
            return {"value": self._parse_number(value)}
        if self.test_type == "pass_fail":
            answers = {"pass": "pass", "fail": "fail", True: "pass", False: "fail"}
            key = value.strip().lower() if isinstance(value, str) else value
            if not isinstance(key, str | bool) or key not in answers:
                raise UserError(
                    self.env._(
                        "%(test)s is a pass/fail test: its result is 'pass' or 'fail', not %(value)r.",
                        test=self.name,
                        value=value,
                    )
                )
            return {"answer": answers[key]}
        name, datas = (value.get("name"), value.get("datas")) if isinstance(value, dict) else (None, value)
        try:
            content = isinstance(datas, str) and datas and base64.b64decode(datas, validate=True)
        except (binascii.Error, ValueError):
            content = False
        if not content:
            raise UserError(
                self.env._(
                    "%(test)s takes a photo or a file: its content in base64 (or {'name', 'datas'}).",
                    test=self.name,
                )
            )
        return {"file": datas, "file_name": name or self.name}

    def _parse_number(self, value):
        number = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str) and value.strip():
            try:
                number = float(value.strip().replace(",", "."))
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            raise UserError(
                self.env._(
                    "%(test)s is a measurement: its result is a number, not %(value)r.", test=self.name, value=value
                )
            )
        return number

    def _prepare_certificate_attachment_vals(self, certificate):
        """Hook: the file of this line (a file test) attached to ``certificate``, the
        inspection's internal test report."""
        self.ensure_one()
        return {
            "name": self.file_name or self.name,
            "datas": self.file,
            "res_model": certificate._name,
            "res_id": certificate.id,
        }

    def _prepare_certificate_result_vals(self):
        """The certificate result reporting this line in the internal test report."""
        self.ensure_one()
        vals = {"sequence": self.sequence, "name": self.name, "uom": self.uom or False, "limit_type": "none"}
        if self.test_type == "measure" and self.value_recorded:
            vals.update(
                limit_type=self.limit_type,
                lower_limit=self.lower_limit,
                upper_limit=self.upper_limit,
                value=self.value,
            )
        elif self.test_type == "pass_fail" and self.answer:
            vals["qualitative_result"] = self.answer
        elif self.test_type == "file" and self.file:
            vals["text_value"] = self.file_name or self.env._("File attached")
        else:
            vals["text_value"] = self.env._("Not tested")
        return vals

    def _format_result(self):
        """The result as read: '13.2 %', 'Pass', a file name, or ''."""
        self.ensure_one()
        if self.test_type == "measure":
            return f"{self._format_number(self.value)} {self.uom or ''}".strip() if self.value_recorded else ""
        if self.test_type == "pass_fail":
            return dict(ANSWERS).get(self.answer, "")
        return self.file_name or ""

    def _format_failure(self):
        """A failed result as a lot's hold reason: 'Moisture 14.2 % (limit 11 - 13.5 %)'."""
        self.ensure_one()
        if self.test_type != "measure":
            return f"{self.name}: {self._format_result()}"
        limits = f"{self._format_limits()} {self.uom or ''}".strip()
        return self.env._(
            "%(test)s %(value)s (limit %(limits)s)", test=self.name, value=self._format_result(), limits=limits
        )
