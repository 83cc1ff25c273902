from odoo import api, fields, models, tools

from ..compat import Constraint


class TraceAuditRule(models.Model):
    """Which models and fields the audit trail records.

    A rule applies to a model that inherits ``trace.audit.mixin`` (the suite's own
    models, lots, genealogy links). Without fields, every stored field is audited.
    """

    _name = "trace.audit.rule"
    _description = "Audit Trail Rule"
    _order = "model_id"

    model_id = fields.Many2one("ir.model", required=True, ondelete="cascade", index=True)
    model = fields.Char("Model Name", related="model_id.model", store=True, index=True)
    field_ids = fields.Many2many(
        "ir.model.fields",
        string="Fields",
        domain="[('model_id', '=', model_id), ('store', '=', True)]",
        help="Leave empty to audit every stored field.",
    )
    log_create = fields.Boolean("Creations", default=True)
    log_write = fields.Boolean("Changes", default=True)
    log_unlink = fields.Boolean("Deletions", default=True)
    active = fields.Boolean(default=True)

    _model_uniq = Constraint("unique(model_id)", "A model has one audit rule.")

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache("model_name")
    def _rule_for(self, model_name):
        """(log_create, log_write, log_unlink, field names or None for all) or None."""
        rule = self.sudo().search([("model", "=", model_name)], limit=1)
        if not rule:
            return None
        names = tuple(rule.field_ids.mapped("name")) or None
        return rule.log_create, rule.log_write, rule.log_unlink, names
