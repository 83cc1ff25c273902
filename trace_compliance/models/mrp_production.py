from odoo import Command, api, fields, models

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..compat import PRODUCING_LOT_FIELD
from ..groups import TRACE_READERS


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "trace.reference.mixin"]

    trace_consumed_lot_ids = fields.Many2many(
        "stock.lot", string="Component Lots", compute="_compute_trace_consumed_lot_ids"
    )
    trace_consumed_lot_count = fields.Integer("Component Lot Count", compute="_compute_trace_consumed_lot_ids")
    trace_batch_record_ids = fields.One2many(
        "trace.batch.record", "production_id", "Batch Records", groups=TRACE_READERS
    )
    trace_batch_record_count = fields.Integer(
        "Batch Record Count", compute="_compute_trace_batch_record_count", groups=TRACE_READERS
    )
    trace_inspection_count = fields.Integer(
        "Inspection Count", compute="_compute_trace_inspection_count", groups=TRACE_READERS
    )

    @api.depends("move_raw_ids.move_line_ids.lot_id")
    def _compute_trace_consumed_lot_ids(self):
        for production in self:
            lots = production.move_raw_ids.move_line_ids.filtered(lambda ml: ml.quantity).lot_id
            production.trace_consumed_lot_ids = lots
            production.trace_consumed_lot_count = len(lots)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_batch_record_count(self):
        """The batch records this user may open (0 for a user without traceability rights)."""
        counts = self._trace_readable_counts("trace.batch.record", "production_id")
        for production in self:
            production.trace_batch_record_count = counts.get(production, 0)

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_trace_inspection_count(self):
        counts = self._trace_readable_counts("trace.inspection", "production_id")
        for production in self:
            production.trace_inspection_count = counts.get(production, 0)

    def unlink(self):
        # Odoo cancels the order (and its moves) before deleting it: refuse first, so a refusal
        # leaves everything as it was.
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._trace_refuse_if_referenced("delete")
        return super().unlink()

    def action_open_trace_map(self):
        """The Trace Map of the lots this order produced (of the lots it consumed while it
        has produced none)."""
        self.ensure_one()
        lots = self.move_finished_ids.move_line_ids.lot_id | self[PRODUCING_LOT_FIELD]
        return (lots or self.trace_consumed_lot_ids)._action_trace_map()

    def _trace_references(self):
        references = super()._trace_references()
        references.update(
            {
                self.env._("genealogy links"): self.env["trace.lot.link"]
                .sudo()
                .search_count([("production_id", "in", self.ids)]),
                self.env._("batch records"): self.env["trace.batch.record"]
                .sudo()
                .search_count([("production_id", "in", self.ids)]),
            }
        )
        return references

    def action_confirm(self):
        res = super().action_confirm()
        # Whoever confirms the order gets its batch record, traceability rights or not.
        needing = self.filtered(
            lambda p: (
                p.state not in ("draft", "cancel")
                and (p.product_id.trace_batch_record or p.picking_type_id.trace_batch_record)
            )
        )
        needing -= needing.sudo().trace_batch_record_ids.production_id
        if needing:
            self.env["trace.batch.record"]._create_for_productions(needing)
        return res

    def _prepare_trace_batch_record_vals(self):
        """Hook: the values of the batch record created when this order is confirmed (a
        device history record for a serial-tracked product), its checks copied from the
        bill of materials' steps (``trace.bom.check._prepare_batch_record_check_vals``)."""
        self.ensure_one()
        return {
            "record_type": "dhr" if self.product_id.tracking == "serial" else "ebr",
            "production_id": self.id,
            "company_id": self.company_id.id,
            "product_id": self.product_id.id,
            "product_uom_id": self.product_uom_id.id,
            "bom_id": self.bom_id.id,
            "bom_revision": self.bom_id.trace_revision,
            "qty_planned": self.product_qty,
            "check_ids": [
                Command.create(step._prepare_batch_record_check_vals()) for step in self.bom_id.trace_check_ids
            ],
        }

    def action_view_trace_batch_records(self):
        self.ensure_one()
        records = self.trace_batch_record_ids
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Batch Records"),
            "res_model": "trace.batch.record",
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
        }
        if len(records) == 1:
            action.update(view_mode="form", res_id=records.id)
        return action

    def _post_inventory(self, cancel_backorder=False):
        for production in self:
            consumed = production.move_raw_ids.filtered(lambda m: m.picked and m.state not in ("done", "cancel"))
            consumed.move_line_ids.filtered(lambda ml: ml.lot_id and ml.quantity).lot_id._check_released(
                production.display_name
            )
        res = super()._post_inventory(cancel_backorder=cancel_backorder)
        self.env["trace.lot.link"]._sync_productions(self.ids)
        self._trace_create_inspections()
        self.sudo().trace_batch_record_ids.filtered(
            lambda r: r.state == "draft" and not r.amends_id
        )._fill_from_production()
        return res

    def _trace_create_inspections(self):
        """The inspections of the lots these orders produced (plans at the end of
        manufacturing): one per lot and order, the lot kept in quarantine until it is done."""
        Inspection = self.env["trace.inspection"]
        entries = []
        for production in self:
            lines = production.move_finished_ids.filtered(lambda m: m.state == "done").move_line_ids.filtered(
                lambda ml: ml.lot_id and ml.quantity
            )
            if not lines:
                continue
            done = Inspection._inspected_lot_ids(lines.lot_id, "production", production)
            for lot in lines.lot_id:
                if lot.id not in done:
                    entries.append({"lot": lot, "trigger": "production", "production": production})
        return Inspection._create_for_lots(entries) if entries else Inspection

    def action_view_trace_inspections(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("trace_compliance.trace_inspection_action")
        action["domain"] = [("production_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_trace_consumed_lots(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("%(order)s: component lots", order=self.name),
            "res_model": "stock.lot",
            "view_mode": "list,form",
            "domain": [("id", "in", self.trace_consumed_lot_ids.ids)],
        }
