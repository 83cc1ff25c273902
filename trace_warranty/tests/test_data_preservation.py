from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import PRODUCING_LOT_FIELD

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestDataPreservation(WarrantyCase):
    """Nothing that traceability evidence refers to is deleted or archived, the refusal says
    what refers to it, and a refused action leaves every row as it was.

    The refused calls run without a savepoint (not in assertRaises), so a write made before
    the refusal would show in the rows compared."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial = cls._build_device("W-DP-1", "W-DP-SB-1")
        cls.board_lot = cls._lot(cls.board, "W-DP-SB-1")
        cls.order = cls._sell(cls.customer_clinic, [(cls.device, "W-DP-1", 1)])
        cls.delivery = cls.order.picking_ids
        cls.production = cls.env["mrp.production"].search([(PRODUCING_LOT_FIELD, "=", cls.serial.id)])
        cls.recall = cls.env["trace.recall"].create({"reason": "Board", "lot_ids": [Command.set(cls.board_lot.ids)]})
        cls.recall.action_compute()
        cls.event = cls.env["trace.service.event"].create({"lot_id": cls.serial.id, "event_type": "inspection"})
        cls.event.action_done()
        certificate_type = cls.env["trace.certificate.type"].create(
            {"name": "W DP CoC", "code": "WDPCOC", "file_required": False}
        )
        cls.certificate = cls.env["trace.certificate"].create(
            {
                "name": "W-DP-COC-1",
                "type_id": certificate_type.id,
                "partner_id": cls.vendor_mill.id,
                "lot_ids": [Command.set(cls.board_lot.ids)],
            }
        )
        cls.certificate.action_validate()
        # An open delivery of the device (ready, not done), held by the recall.
        cls._return(cls.customer_clinic, cls.device, "W-DP-1")
        cls.open_delivery = cls._deliver(cls.customer_lab, [(cls.device, "W-DP-1", 1)], validate=False)
        cls.recall.action_compute()

    def test_lot_and_serial(self):
        self._refused(self.board_lot.unlink, "cannot be deleted", "genealogy links", "certificates", "recalls")
        self._refused(self.serial.unlink, "genealogy links", "recalls", "service events")

    def test_manufacturing_order(self):
        message = self._refused(self.production.unlink)
        self.assertTrue(message)
        with self.assertRaisesRegex(UserError, "genealogy links"):
            self.production._unlink_except_trace_referenced()

    def test_transfers(self):
        self.assertIn(self.open_delivery, self.recall.open_picking_ids)
        # Odoo would cancel the moves of a transfer before deleting it: refused first.
        self._refused(self.open_delivery.unlink, "cannot be deleted", "recalls")
        self.assertEqual(self.open_delivery.state, "assigned")
        self._refused(self.delivery.unlink)

    def test_certificate(self):
        self._refused(self.certificate.unlink, "Only draft certificates", "1 lots", "audit trail entries")

    def test_partner(self):
        self._refused(self.customer_clinic.unlink, "cannot be deleted", "recalls", "service events")
        self._refused(self.customer_clinic.action_archive, "cannot be archived", "recalls")
        self._refused(lambda: self.customer_clinic.write({"active": False}), "cannot be archived")
        self._refused(self.vendor_mill.action_archive, "certificates")
        self.assertTrue(self.customer_clinic.active)
        # A partner nothing refers to is archived as usual.
        free = self.env["res.partner"].create({"name": "W DP Nobody"})
        free.action_archive()
        self.assertFalse(free.active)

    def test_evidence_records(self):
        link = self.env["trace.lot.link"].search([("child_lot_id", "=", self.serial.id)])
        self._refused(link.unlink, "never deleted")
        self._refused(lambda: link.write({"quantity": 2}), "cannot be changed")
        self._refused(self.event.unlink, "never deleted")
        self._refused(lambda: self.event.write({"lot_id": self.board_lot.id}), "no longer change")
        self._refused(self.recall.unlink, "evidence")
        entries = self.env["trace.audit.log"].search([], limit=3)
        self._refused(entries.unlink)

    def test_refused_business_actions(self):
        self.serial.set_quality_status("on_hold", "Suspected ESD damage")
        # The hold took the delivery's reservation back; chosen by hand again, it is refused.
        self.assertFalse(self.open_delivery.move_line_ids)
        self._add_move_lines(self.open_delivery.move_ids, [("W-DP-1", 1)])
        self._refused(self.open_delivery.button_validate, "W-DP-1")
        self.assertEqual(self.open_delivery.state, "assigned")
        self._refused(lambda: self.recall.action_close(), "not resolved")
        self._refused(lambda: self.serial.set_quality_status("bogus", "x"))
        self._refused(lambda: self.env["stock.lot"].browse(987654321).trace_forward(), "do not exist")

    def test_the_row_check_sees_a_write_before_a_refusal(self):
        def write_then_refuse():
            self.serial.sudo().write({"note": "<p>changed</p>"})
            raise UserError(self.env._("refused too late"))

        with self.assertRaisesRegex(AssertionError, "stock_lot"):
            self._refused(write_then_refuse)
