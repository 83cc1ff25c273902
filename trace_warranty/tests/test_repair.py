from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestRepairAndComponentSwap(WarrantyCase):
    """A repair order on a serial takes its warranty flag from the serial, records a service
    event when done, and a component swapped in service moves the genealogy: a later recall of
    the new component reaches the device and its customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.board.standard_price = 120.0
        cls.serial = cls._build_device("W-RP-1", "W-RP-SB-OLD")
        with freeze_time("2026-01-10 09:00:00"):
            cls._sell(cls.customer_clinic, [(cls.device, "W-RP-1", 1)])
        with freeze_time("2026-03-01 09:00:00"):
            cls._return(cls.customer_clinic, cls.device, "W-RP-1")
        cls._receive(cls.vendor_mill, [(cls.board, "W-RP-SB-NEW", 1)])
        cls.old_board = cls._lot(cls.board, "W-RP-SB-OLD")
        cls.new_board = cls._lot(cls.board, "W-RP-SB-NEW")

    def _repair(self, parts, user=None):
        """A repair of the serial adding/removing [(line type, board serial)], taken to done."""
        repair = (
            self.env["repair.order"]
            .with_user(user or self.env.user)
            .create(
                {
                    "product_id": self.device.id,
                    "lot_id": self.serial.id,
                    "partner_id": self.customer_clinic.id,
                    "internal_notes": "<p>Sensor reads 3 mmHg high</p>",
                    "move_ids": [
                        Command.create(
                            {"product_id": self.board.id, "product_uom_qty": 1, "repair_line_type": line_type}
                        )
                        for line_type, _serial in parts
                    ],
                }
            )
        )
        repair.action_validate()
        repair.action_repair_start()
        for move, (_line_type, serial) in zip(repair.move_ids.sorted("id"), parts, strict=True):
            move.move_line_ids.unlink()
            self._add_move_lines(move, [(serial, 1)])
            move.picked = True
        repair.action_repair_end()
        return repair

    def test_repair_under_warranty_swaps_the_board(self):
        with freeze_time("2026-03-02 10:00:00"):
            repair = self._repair([("add", "W-RP-SB-NEW"), ("remove", "W-RP-SB-OLD")])
        self.assertTrue(repair.under_warranty, "from the serial's warranty (Jan 2026, 12 months)")
        self.assertEqual(repair.state, "done")
        event = repair.service_event_ids
        self.assertEqual(len(event), 1)
        self.assertEqual(
            (event.event_type, event.state, event.lot_id, event.partner_id),
            ("repair", "done", self.serial, self.customer_clinic),
        )
        self.assertTrue(event.in_warranty)
        self.assertEqual((event.cost_covered, event.cost_charged), (120.0, 0.0))
        self.assertEqual(event.installed_lot_ids, self.new_board)
        self.assertEqual(event.removed_lot_ids, self.old_board)
        self.assertIn("3 mmHg", event.description)

        link = self.env["trace.lot.link"].search([("service_event_id", "=", event.id)])
        self.assertEqual(
            (link.parent_lot_id, link.child_lot_id, link.link_type), (self.new_board, self.serial, "service")
        )
        self.assertEqual(self.serial.installed_component_lot_ids, self.new_board)
        # History stays: the device was built and first shipped with the old board.
        self.assertIn(self.old_board, self.env["stock.lot"].browse(self.serial.trace_backward()["lot_ids"]))

        # Back to the clinic; then the new board's vendor lot is recalled.
        with freeze_time("2026-03-05 09:00:00"):
            delivery = self._deliver(self.customer_clinic, [(self.device, "W-RP-1", 1)])
        self.assertIn(self.serial.id, self.new_board.trace_forward()["lot_ids"])
        recall = self.env["trace.recall"].create(
            {"reason": "Sensor drift", "lot_ids": [Command.set(self.new_board.ids)]}
        )
        recall.action_compute()
        self.assertIn(self.serial, recall.affected_lot_ids)
        self.assertIn(delivery, recall.affected_picking_ids)
        self.assertEqual(recall.affected_partner_ids, self.customer_clinic)

    def test_repair_out_of_warranty(self):
        with freeze_time("2027-02-01 10:00:00"):
            repair = self._repair([("add", "W-RP-SB-NEW")])
        self.assertFalse(repair.under_warranty)
        event = repair.service_event_ids
        self.assertFalse(event.in_warranty)
        self.assertEqual((event.cost_covered, event.cost_charged), (0.0, 120.0))
        # Both boards are in the device now: nothing was removed.
        self.assertEqual(self.serial.installed_component_lot_ids, self.old_board | self.new_board)

    def test_repair_user_without_traceability_rights(self):
        """Whoever finishes the repair records its event, without reading the service history."""
        technician = self._user("w_rp_tech", "stock.group_stock_user")
        with freeze_time("2026-03-02 10:00:00"):
            repair = self._repair([("add", "W-RP-SB-NEW")], user=technician)
        event = repair.sudo().service_event_ids
        self.assertEqual((event.state, event.technician_id), ("done", technician))
        self.assertEqual(event.installed_lot_ids, self.new_board)
        with self.assertRaises(AccessError):
            self.env["trace.service.event"].with_user(technician).search([])

    def test_replacement_event_in_the_field(self):
        """A field technician swaps the board on site: no repair order, same genealogy."""
        self._receive(self.vendor_mill, [(self.board, "W-RP-SB-FIELD", 1)])
        field_board = self._lot(self.board, "W-RP-SB-FIELD")
        user = self._user("w_rp_user", "trace_compliance.group_trace_user")
        event = (
            self.env["trace.service.event"]
            .with_user(user)
            .create(
                {
                    "lot_id": self.serial.id,
                    "event_type": "replacement",
                    "installed_lot_ids": [Command.set(field_board.ids)],
                    "removed_lot_ids": [Command.set(self.old_board.ids)],
                }
            )
        )
        self.assertNotIn(self.serial.id, field_board.trace_forward()["lot_ids"], "not linked before it is done")
        event.action_done()
        self.assertIn(self.serial.id, field_board.trace_forward()["lot_ids"])
        self.assertEqual(self.serial.installed_component_lot_ids, field_board)
        entries = self.env["trace.audit.log"].search(
            [("model", "=", "trace.service.event"), ("res_id", "=", event.id), ("field_name", "=", "trace_lot_link")]
        )
        self.assertEqual(len(entries), 1, "the genealogy change is in the audit trail")
