from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import gs1


class TraceGlnMixin(models.AbstractModel):
    """A GS1 Global Location Number (``trace_gln``) on a party or a place, validated."""

    _name = "trace.gln.mixin"
    _description = "GS1 Global Location Number"

    trace_gln = fields.Char(
        "GLN",
        copy=False,
        help="GS1 Global Location Number (13 digits): the party or place EPCIS and FSMA 204 exports name.",
    )

    @api.constrains("trace_gln")
    def _check_trace_gln(self):
        for record in self:
            problem = record.trace_gln and gs1.gln_problem(record.trace_gln, self.env._)
            if problem:
                raise ValidationError(
                    self.env._(
                        "%(record)s: the GLN %(gln)s is not valid. %(problem)s",
                        record=record.display_name,
                        gln=record.trace_gln,
                        problem=problem,
                    )
                )
