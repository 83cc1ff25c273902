from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestWarrantyLookup(WarrantyCase):
    """stock.lot.warranty_lookup: the whole registry entry of a serial by its name, and a clear
    error for a serial that is unknown or ambiguous."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial = cls._build_device("W-LK-1", "W-LK-SB-1")
        with freeze_time("2026-02-01 09:00:00"):
            cls.order = cls._sell(cls.customer_clinic, [(cls.device, "W-LK-1", 1)])
        cls.user = cls._user("w_lk_user", "trace_compliance.group_trace_user")
        cls.Lot = cls.env["stock.lot"].with_user(cls.user)

    def test_lookup(self):
        with freeze_time("2026-02-03 09:00:00"):
            event = self.env["trace.service.event"].create({"lot_id": self.serial.id, "event_type": "installation"})
            event.action_done()
        with freeze_time("2026-08-01"):
            result = self.Lot.warranty_lookup("W-LK-1")
        self.assertEqual(result["serial"], "W-LK-1")
        self.assertEqual(result["product"]["id"], self.device.id)
        self.assertEqual(result["customer"], {"id": self.customer_clinic.id, "name": "Test Clinic"})
        self.assertEqual(result["delivery_date"][:10], "2026-02-01")
        self.assertEqual(result["sale_order"], self.order.name)
        self.assertEqual((result["warranty_start_date"], result["warranty_end_date"]), ("2026-02-01", "2027-01-31"))
        self.assertEqual((result["warranty_state"], result["in_warranty"]), ("active", True))
        self.assertEqual(
            [(e["name"], e["event_type"], e["in_warranty"]) for e in result["events"]],
            [(event.name, "installation", True)],
        )
        # Surrounding spaces are forgiven; the product can be given.
        self.assertEqual(self.Lot.warranty_lookup("  W-LK-1 ", product_id=self.device.id)["id"], self.serial.id)

    def test_lookup_errors(self):
        with self.assertRaisesRegex(UserError, "Unknown serial number: W-LK-404"):
            self.Lot.warranty_lookup("W-LK-404")
        for bad in ("", "   ", None, 42, ["W-LK-1"]):
            with self.assertRaisesRegex(UserError, "Give the serial number"):
                self.Lot.warranty_lookup(bad)
        with self.assertRaisesRegex(UserError, "by its id"):
            self.Lot.warranty_lookup("W-LK-1", product_id="Test Monitor")
        with self.assertRaisesRegex(UserError, "No serial number W-LK-1 of product Test Sensor Board"):
            self.Lot.warranty_lookup("W-LK-1", product_id=self.board.id)
        # A lot (not a serial) is not in the registry.
        self._receive(self.vendor_mill, [(self.flour, "W-LK-FLOUR", 5)])
        with self.assertRaisesRegex(UserError, "Unknown serial number"):
            self.Lot.warranty_lookup("W-LK-FLOUR")
        # Quotes, percent signs and backslashes are names like any other.
        for hostile in ("W'LK\"1", "W-LK-%", "W\\LK_1", "x'); DROP TABLE stock_lot; --"):
            with self.assertRaisesRegex(UserError, "Unknown serial number"):
                self.Lot.warranty_lookup(hostile)

    def test_serial_used_by_two_products(self):
        # The board and the device both carry serial "W-LK-TWIN".
        self._build_device("W-LK-TWIN", "W-LK-TWIN")
        with self.assertRaisesRegex(UserError, "used by several products.*product_id"):
            self.Lot.warranty_lookup("W-LK-TWIN")
        self.assertEqual(
            self.Lot.warranty_lookup("W-LK-TWIN", product_id=self.board.id)["product"]["id"], self.board.id
        )

    def test_lookup_access(self):
        plain = self._user("w_lk_plain", "base.group_portal")
        self.assertFalse(plain.partner_id.commercial_partner_id == self.customer_clinic)
        with self.assertRaisesRegex(UserError, "Unknown serial number"):
            self.env["stock.lot"].with_user(plain).warranty_lookup("W-LK-1")
        other_company = self.env["res.company"].create({"name": "W LK Other"})
        outsider = self._user("w_lk_outsider", "trace_compliance.group_trace_manager", company=other_company)
        with self.assertRaisesRegex(UserError, "Unknown serial number"):
            self.env["stock.lot"].with_user(outsider).warranty_lookup("W-LK-1")
        nobody = self._user("w_lk_nobody", "base.group_user")
        with self.assertRaises(AccessError):
            self.env["stock.lot"].with_user(nobody).warranty_lookup("W-LK-1")
