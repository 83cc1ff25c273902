from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestFieldActions(WarrantyCase):
    """From a recall of a component, one field action per affected device in the field, with
    progress on the recall."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Boards W-FA-SB-1..3 in devices W-FA-1, -2 (delivered) and -3 (still in stock).
        for index in (1, 2, 3):
            cls._build_device(f"W-FA-{index}", f"W-FA-SB-{index}")
        cls._sell(cls.customer_clinic, [(cls.device, "W-FA-1", 1)])
        cls._sell(cls.customer_lab, [(cls.device, "W-FA-2", 1)])
        cls.boards = cls.env["stock.lot"].search([("name", "in", ["W-FA-SB-1", "W-FA-SB-2", "W-FA-SB-3"])])
        cls.recall_user = cls._user("w_fa_user", "trace_recall.group_recall_user")

    def _recall(self, lots):
        recall = (
            self.env["trace.recall"]
            .with_user(self.recall_user)
            .create({"reason": "Board capacitor", "lot_ids": [Command.set(lots.ids)]})
        )
        recall.action_compute()
        return recall

    def test_field_action_values_hook(self):
        """An add-on changes the field actions a recall creates by overriding their hook."""
        Recall = type(self.env["trace.recall"])
        prepare = Recall._prepare_field_action_vals
        self.patch(
            Recall,
            "_prepare_field_action_vals",
            lambda recall, serial, partner_id: dict(prepare(recall, serial, partner_id), description="Replace board"),
        )
        recall = self._recall(self.boards)
        recall.action_create_field_actions()
        self.assertEqual(set(recall.field_action_ids.mapped("description")), {"Replace board"})

    def test_one_field_action_per_serial_in_the_field(self):
        recall = self._recall(self.boards)
        self.assertEqual(recall.field_action_serial_count, 2)
        recall.action_create_field_actions()
        actions = recall.field_action_ids
        self.assertEqual(set(actions.lot_id.mapped("name")), {"W-FA-1", "W-FA-2"})
        self.assertEqual(set(actions.mapped("event_type")), {"field_action"})
        self.assertEqual(set(actions.mapped("state")), {"todo"})
        self.assertEqual(
            {(a.lot_id.name, a.partner_id) for a in actions},
            {("W-FA-1", self.customer_clinic), ("W-FA-2", self.customer_lab)},
        )
        self.assertEqual((recall.field_action_count, recall.field_action_done_count), (2, 0))
        self.assertEqual(recall.field_action_progress, 0.0)
        # Running it again creates nothing more.
        recall.action_create_field_actions()
        self.assertEqual(len(recall.field_action_ids), 2)

        actions.filtered(lambda a: a.lot_id.name == "W-FA-1").action_done()
        self.assertEqual(recall.field_action_done_count, 1)
        self.assertEqual(recall.field_action_progress, 50.0)
        # A cancelled action no longer counts.
        actions.filtered(lambda a: a.lot_id.name == "W-FA-2").action_cancel()
        self.assertEqual((recall.field_action_count, recall.field_action_progress), (1, 100.0))
        done = actions.filtered(lambda a: a.state == "done")
        self.assertEqual(done.lot_id.service_event_ids, done)
        view = recall.action_view_field_actions()
        self.assertEqual(self.env["trace.service.event"].search(view["domain"]), actions)

    def test_refused_without_serials_in_the_field(self):
        self._receive(self.vendor_mill, [(self.flour, "W-FA-FLOUR", 10)])
        recall = self._recall(self._lot(self.flour, "W-FA-FLOUR"))
        with self.assertRaisesRegex(UserError, "no affected serial numbers delivered"):
            recall.action_create_field_actions()
        draft = self.env["trace.recall"].create({"reason": "x", "lot_ids": [Command.set(self.boards[:1].ids)]})
        with self.assertRaisesRegex(UserError, "Compute"):
            draft.action_create_field_actions()
        self.assertFalse(draft.field_action_ids)

    def test_field_actions_cannot_be_deleted(self):
        recall = self._recall(self.boards)
        recall.action_create_field_actions()
        manager = self._user("w_fa_manager", "trace_recall.group_recall_manager,trace_compliance.group_trace_manager")
        with self.assertRaisesRegex(UserError, "cancelled, not deleted"):
            recall.field_action_ids.with_user(manager).unlink()
        self.assertEqual(len(recall.field_action_ids), 2)
