from odoo import fields, models


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    trace_revision = fields.Char("Revision", default="A", tracking=True, help="Recorded in each batch record.")
    trace_check_ids = fields.One2many("trace.bom.check", "bom_id", "In-Process Checks", copy=True)
