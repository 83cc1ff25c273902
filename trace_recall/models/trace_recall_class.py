from odoo import fields, models


class TraceRecallClass(models.Model):
    _name = "trace.recall.class"
    _description = "Recall Classification"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
