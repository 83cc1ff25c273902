from odoo import fields, models

from ..models.trace_recall_partner import RESOLVED


class TraceRecallClose(models.TransientModel):
    _name = "trace.recall.close"
    _description = "Close a Recall"

    recall_id = fields.Many2one("trace.recall", required=True)
    unresolved_count = fields.Integer(compute="_compute_unresolved_count")
    reason = fields.Text(help="Required when some customers are not resolved.")

    def _compute_unresolved_count(self):
        for wizard in self:
            wizard.unresolved_count = len(
                wizard.recall_id.partner_line_ids.filtered(lambda line: line.state not in RESOLVED)
            )

    def action_close(self):
        self.ensure_one()
        self.recall_id.action_close(self.reason)
        return {"type": "ir.actions.act_window_close"}
