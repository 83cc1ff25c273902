from odoo import fields, models

# Who reads recalls: the recall fields of Odoo's own models are theirs only.
RECALL_READERS = "trace_recall.group_recall_user,trace_compliance.group_trace_auditor"


class StockLot(models.Model):
    _inherit = "stock.lot"

    recall_ids = fields.Many2many(
        "trace.recall", compute="_compute_recall_ids", string="Recalls", groups=RECALL_READERS
    )
    recall_count = fields.Integer(compute="_compute_recall_ids", groups=RECALL_READERS)

    def _compute_recall_ids(self):
        Recall = self.env["trace.recall"]
        for lot in self:
            recalls = Recall.search(["|", ("lot_ids", "in", lot.ids), ("affected_lot_ids", "in", lot.ids)])
            lot.recall_ids = recalls
            lot.recall_count = len(recalls)

    def _trace_references(self):
        references = super()._trace_references()
        references[self.env._("recalls")] = self.env["trace.recall"]._count_referring(
            ["lot_ids", "affected_lot_ids"], self.ids
        )
        return references

    def action_view_recalls(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recalls"),
            "res_model": "trace.recall",
            "view_mode": "list,form",
            "domain": [("id", "in", self.recall_ids.ids)],
        }
