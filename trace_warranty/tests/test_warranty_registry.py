from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import PRODUCING_LOT_FIELD

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestWarrantyRegistry(WarrantyCase):
    """Each serial knows its customer, ship date, order and warranty, through returns and
    re-deliveries; the warranty is judged on the date asked."""

    def test_delivery_starts_warranty(self):
        serial = self._build_device("W-REG-1", "W-REG-SB-1")
        self.assertFalse(serial.customer_id)
        self.assertEqual(serial.warranty_state, "none")
        self.assertIn("Not delivered", serial.warranty_reason)
        with freeze_time("2026-01-15 10:00:00"):
            order = self._sell(self.customer_clinic, [(self.device, "W-REG-1", 1)])
        self.assertEqual(serial.customer_id, self.customer_clinic)
        self.assertEqual(serial.sale_order_id, order)
        self.assertEqual(serial.delivery_date.date(), date(2026, 1, 15))
        self.assertEqual(serial.warranty_start_date, date(2026, 1, 15))
        self.assertEqual(serial.warranty_end_date, date(2027, 1, 14))
        self.assertEqual(serial._warranty_status_at(date(2027, 1, 14))[:2], ("active", True))
        self.assertEqual(serial._warranty_status_at(date(2027, 1, 15))[:2], ("expired", False))
        self.assertEqual(serial._warranty_status_at(date(2026, 1, 14))[:2], ("none", False))
        with freeze_time("2026-06-01"):
            serial.invalidate_recordset(["warranty_state"])
            self.assertEqual(serial.warranty_state, "active")
            Lot = self.env["stock.lot"]
            self.assertIn(serial, Lot.search([("warranty_state", "=", "active")]))
            self.assertNotIn(serial, Lot.search([("warranty_state", "in", ["expired", "none"])]))
            self.assertIn(serial, Lot.search([("warranty_state", "!=", "expired")]))
        with freeze_time("2027-03-01"):
            serial.invalidate_recordset(["warranty_state", "warranty_reason"])
            self.assertEqual(serial.warranty_state, "expired")
            self.assertIn("2027-01-14", serial.warranty_reason)
            self.assertIn(serial, self.env["stock.lot"].search([("warranty_state", "=", "expired")]))
        # The duration is the product's: a longer warranty moves the end date.
        self.device.product_tmpl_id.warranty_months = 24
        self.assertEqual(serial.warranty_end_date, date(2028, 1, 14))

    def test_return_then_redelivery_to_another_customer(self):
        serial = self._build_device("W-REG-2", "W-REG-SB-2")
        with freeze_time("2026-02-01 09:00:00"):
            self._sell(self.customer_clinic, [(self.device, "W-REG-2", 1)])
        with freeze_time("2026-03-01 09:00:00"):
            self._return(self.customer_clinic, self.device, "W-REG-2")
        self.assertFalse(serial.customer_id, "a returned serial is no longer at its customer")
        self.assertEqual(serial.return_date.date(), date(2026, 3, 1))
        # Still judged on the warranty of the customer who sent it back (a repair under warranty).
        self.assertEqual(serial.warranty_start_date, date(2026, 2, 1))
        with freeze_time("2026-04-10 09:00:00"):
            order = self._sell(self.customer_lab, [(self.device, "W-REG-2", 1)])
        self.assertEqual(serial.customer_id, self.customer_lab)
        self.assertEqual(serial.sale_order_id, order)
        self.assertFalse(serial.return_date)
        self.assertEqual(serial.warranty_start_date, date(2026, 4, 10), "a new customer gets a new warranty")
        self.assertEqual(serial.warranty_end_date, date(2027, 4, 9))
        self.assertEqual(self.customer_clinic.trace_serial_count, 0)
        self.assertEqual(self.customer_lab.trace_serial_count, 1)

    def test_return_and_redelivery_to_same_customer_keeps_warranty(self):
        serial = self._build_device("W-REG-3", "W-REG-SB-3")
        with freeze_time("2026-02-01 09:00:00"):
            self._sell(self.customer_clinic, [(self.device, "W-REG-3", 1)])
        with freeze_time("2026-05-01 09:00:00"):
            self._return(self.customer_clinic, self.device, "W-REG-3")
        with freeze_time("2026-05-20 09:00:00"):
            # Sent back to one of the clinic's contacts: the same customer.
            self._deliver(self.clinic_contact, [(self.device, "W-REG-3", 1)])
        self.assertEqual(serial.customer_id, self.clinic_contact)
        self.assertEqual(serial.delivery_date.date(), date(2026, 5, 20))
        self.assertEqual(serial.warranty_start_date, date(2026, 2, 1))
        self.assertEqual(self.customer_clinic.trace_serial_count, 1)
        self.assertEqual(self.env["stock.lot"].search([("customer_id", "child_of", self.customer_clinic.id)]), serial)

    def test_installation_starts_warranty(self):
        self.device.product_tmpl_id.warranty_start = "installation"
        serial = self._build_device("W-REG-4", "W-REG-SB-4")
        with freeze_time("2026-03-02 09:00:00"):
            self._sell(self.customer_clinic, [(self.device, "W-REG-4", 1)])
        self.assertFalse(serial.warranty_start_date)
        self.assertIn("not installed", serial._warranty_status_at(date(2026, 3, 3))[2])
        Event = self.env["trace.service.event"]
        with freeze_time("2026-03-09 14:00:00"):
            installation = Event.create({"lot_id": serial.id, "event_type": "installation"})
            self.assertEqual(installation.partner_id, self.customer_clinic)
            self.assertFalse(installation.in_warranty)
            installation.action_done()
        self.assertEqual(serial.warranty_start_date, date(2026, 3, 9))
        self.assertEqual(serial.warranty_end_date, date(2027, 3, 8))
        self.assertTrue(installation.in_warranty, "the installation starts the warranty it is judged by")

    def test_lots_have_no_registry(self):
        chain = self._bakery_chain()
        self.assertFalse(chain["T-BR-2"].customer_id, "a lot goes to many customers: only serials are registered")

    def test_backfill_matches_live_updates(self):
        serial = self._build_device("W-REG-5", "W-REG-SB-5")
        with freeze_time("2026-02-01 09:00:00"):
            self._sell(self.customer_clinic, [(self.device, "W-REG-5", 1)])
        expected = serial.read(["customer_id", "delivery_date", "sale_order_id", "warranty_start_date"])
        self.env.cr.execute(
            "UPDATE stock_lot SET customer_id = NULL, delivery_date = NULL, sale_order_id = NULL, "
            "warranty_start_date = NULL WHERE id = %s",
            [serial.id],
        )
        serial.invalidate_recordset()
        self.assertFalse(serial.customer_id)
        changed = self.env["stock.lot"]._warranty_update_registry()
        self.assertIn(serial, changed)
        self.assertEqual(
            serial.read(["customer_id", "delivery_date", "sale_order_id", "warranty_start_date"]), expected
        )
        self.assertFalse(self.env["stock.lot"]._warranty_update_registry(), "an up-to-date registry changes nothing")

    def test_serial_sequence_per_product(self):
        sequence = self.env["ir.sequence"].create(
            {"name": "Test Monitor serials", "prefix": "TM-", "padding": 4, "number_next": 7}
        )
        self.device.product_tmpl_id.serial_sequence_id = sequence
        self._receive(self.vendor_mill, [(self.board, "W-SEQ-SB-1", 1)])
        production = self.env["mrp.production"].create({"product_id": self.device.id, "bom_id": self.bom_device.id})
        production.action_confirm()
        production.action_generate_serial()
        self.assertEqual(production[PRODUCING_LOT_FIELD].name, "TM-0007")
        # A number already taken by hand is skipped.
        self._lot(self.device, "TM-0008")
        other = self.env["mrp.production"].create({"product_id": self.device.id, "bom_id": self.bom_device.id})
        other.action_confirm()
        other.action_generate_serial()
        self.assertEqual(other[PRODUCING_LOT_FIELD].name, "TM-0009")

    def test_warranty_check_wizard(self):
        serial = self._build_device("W-REG-6", "W-REG-SB-6")
        with freeze_time("2026-01-10 09:00:00"):
            self._sell(self.customer_clinic, [(self.device, "W-REG-6", 1)])
        check = self.env["trace.warranty.check"].create({"serial_name": "W-REG-6", "date": "2026-12-01"})
        self.assertEqual(check.lot_id, serial)
        self.assertTrue(check.in_warranty)
        self.assertEqual(check.warranty_state, "active")
        check.date = "2027-02-01"
        self.assertFalse(check.in_warranty)
        self.assertIn("ended on 2027-01-09", check.reason)
        with self.assertRaisesRegex(UserError, "Unknown serial number: NOPE"):
            self.env["trace.warranty.check"].create({"serial_name": "NOPE", "date": "2026-12-01"}).lot_id  # noqa: B018

    def test_search_and_views(self):
        serial = self._build_device("W-REG-7", "W-REG-SB-7")
        self._sell(self.customer_clinic, [(self.device, "W-REG-7", 1)])
        Lot = self.env["stock.lot"]
        self.assertEqual(Lot.search([("customer_id", "=", self.customer_clinic.id), ("name", "=", "W-REG-7")]), serial)
        action = self.customer_clinic.action_view_trace_serials()
        self.assertEqual(Lot.search(action["domain"]), serial)
        with self.assertRaisesRegex(UserError, "Unknown warranty state"):
            Lot.search([("warranty_state", "=", "bogus")])
        # The form and list views of the registry load for a user with the least rights.
        user = self._user("w_reg_user", "trace_compliance.group_trace_user")
        for view_type in ("form", "list", "search"):
            Lot.with_user(user).get_views([(False, view_type)])
        self.env["res.partner"].with_user(user).get_views([(False, "form")])
        self.assertEqual(serial.with_user(user).warranty_lookup("W-REG-7")["customer"]["id"], self.customer_clinic.id)
