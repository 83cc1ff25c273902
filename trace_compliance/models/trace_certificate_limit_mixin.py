import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

LIMIT_TYPES = [
    ("range", "Between"),
    ("min", "At Least"),
    ("max", "At Most"),
    ("none", "No Limit"),
]
# Which bounds each limit type uses: (lower, upper).
LIMIT_BOUNDS = {"range": (True, True), "min": (True, False), "max": (False, True), "none": (False, False)}


def limit_type_from_bounds(has_lower, has_upper):
    """The limit type that uses exactly these bounds."""
    return next(kind for kind, bounds in LIMIT_BOUNDS.items() if bounds == (bool(has_lower), bool(has_upper)))


class TraceCertificateLimitMixin(models.AbstractModel):
    """Specification limits of a measured parameter: a lower and/or an upper bound.

    A float cannot be "not set" in Odoo (it reads 0.0), so which bounds apply is the
    ``limit_type``. Over the external API it may be left out: giving ``lower_limit``
    and/or ``upper_limit`` (a number, ``False`` for none) sets it. Numbers given as text
    are read as numbers; anything else is refused with a ``ValidationError`` naming the
    field, never a traceback.
    """

    _name = "trace.certificate.limit.mixin"
    _description = "Certificate Result Limits"

    limit_type = fields.Selection(
        LIMIT_TYPES,
        "Limit",
        required=True,
        help="Between: lower <= value <= upper. At Least: value >= lower. At Most: value <= upper. "
        "No Limit: the result is reported, not evaluated.",
    )
    lower_limit = fields.Float(digits="Certificate Result")
    upper_limit = fields.Float(digits="Certificate Result")

    @api.constrains("limit_type", "lower_limit", "upper_limit")
    def _check_limits(self):
        for record in self:
            if record.limit_type == "range" and record.lower_limit > record.upper_limit:
                raise ValidationError(
                    self.env._(
                        "%(name)s: the lower limit (%(lower)s) is above the upper limit (%(upper)s).",
                        name=record.display_name,
                        lower=record.lower_limit,
                        upper=record.upper_limit,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._trace_clean_numbers(vals)
            if "limit_type" not in vals and ("lower_limit" in vals or "upper_limit" in vals):
                vals["limit_type"] = limit_type_from_bounds(
                    vals.get("lower_limit", False) is not False, vals.get("upper_limit", False) is not False
                )
        return super().create(vals_list)

    def write(self, vals):
        vals = dict(vals)
        self._trace_clean_numbers(vals)
        if "limit_type" in vals or not {"lower_limit", "upper_limit"} & set(vals):
            return super().write(vals)
        # Limits given without a type: the bounds given are set (or unset with False),
        # the others stay as they are.
        by_type = {}
        for record in self:
            has_lower, has_upper = LIMIT_BOUNDS[record.limit_type]
            if "lower_limit" in vals:
                has_lower = vals["lower_limit"] is not False
            if "upper_limit" in vals:
                has_upper = vals["upper_limit"] is not False
            by_type.setdefault(limit_type_from_bounds(has_lower, has_upper), []).append(record.id)
        for limit_type, ids in by_type.items():
            super(TraceCertificateLimitMixin, self.browse(ids)).write(dict(vals, limit_type=limit_type))
        return True

    @api.model
    def _trace_number_fields(self):
        """The float fields whose input is checked to be a number."""
        return ["lower_limit", "upper_limit"]

    @api.model
    def _trace_clean_numbers(self, vals):
        """Turn the number fields of ``vals`` into floats, or refuse what is not a number.

        ``False`` and ``None`` mean "no value" and become ``False``.
        """
        for name in self._trace_number_fields():
            if name not in vals:
                continue
            value = vals[name]
            if value is None or value is False:
                vals[name] = False
                continue
            number = None
            if isinstance(value, int | float) and not isinstance(value, bool):
                number = float(value)
            elif isinstance(value, str):
                try:
                    number = float(value.strip().replace(",", ".")) if value.strip() else None
                except ValueError:
                    number = None
            if number is None or not math.isfinite(number):
                raise ValidationError(
                    self.env._(
                        "%(field)s must be a number, not %(value)r.%(hint)s",
                        field=self._fields[name]._description_string(self.env),
                        value=value,
                        hint=self._trace_number_hint(name),
                    )
                )
            vals[name] = number
        return vals

    @api.model
    def _trace_clean_commands(self, commands):
        """Check the numbers of the records created or updated by one2many ``commands``
        before the ORM reads them (a precomputed field of the parent reads them first)."""
        for command in commands or []:
            if isinstance(command, list | tuple) and len(command) == 3 and isinstance(command[2], dict):
                self._trace_clean_numbers(command[2])

    @api.model
    def _trace_number_hint(self, field_name):
        return ""

    def _trace_evaluate_value(self, value):
        """``pass`` or ``fail`` for ``value`` against these limits, ``none`` without limits
        (compared at the precision of the results)."""
        self.ensure_one()
        has_lower, has_upper = LIMIT_BOUNDS[self.limit_type or "none"]
        if not (has_lower or has_upper):
            return "none"
        digits = self._fields["lower_limit"].get_digits(self.env)[1]
        if has_lower and float_compare(value, self.lower_limit, precision_digits=digits) < 0:
            return "fail"
        if has_upper and float_compare(value, self.upper_limit, precision_digits=digits) > 0:
            return "fail"
        return "pass"

    def _format_limits(self):
        """The limits as printed: '11.0 - 13.5', '>= 11.0', '<= 750.0' or ''."""
        self.ensure_one()
        lower, upper = self._format_number(self.lower_limit), self._format_number(self.upper_limit)
        return {
            "range": f"{lower} - {upper}",
            "min": f"\u2265 {lower}",
            "max": f"\u2264 {upper}",
            "none": "",
        }[self.limit_type or "none"]

    @api.model
    def _format_number(self, number):
        return f"{number:g}"
