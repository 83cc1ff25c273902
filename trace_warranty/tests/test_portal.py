from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import WarrantyCase


@tagged("post_install", "-at_install")
class TestPortalSerials(WarrantyCase, HttpCase):
    """/my/serials: each customer's contacts see their serials, warranty and service history,
    and nothing of another customer, in the portal as over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.serial_clinic = cls._build_device("W-PT-CLINIC", "W-PT-SB-1")
        cls.serial_lab = cls._build_device("W-PT-LAB", "W-PT-SB-2")
        cls._sell(cls.customer_clinic, [(cls.device, "W-PT-CLINIC", 1)])
        cls._sell(cls.customer_lab, [(cls.device, "W-PT-LAB", 1)])
        Event = cls.env["trace.service.event"]
        cls.event_clinic = Event.create(
            {"lot_id": cls.serial_clinic.id, "event_type": "inspection", "result": "Calibration verified"}
        )
        cls.event_clinic.action_done()
        cls.event_lab = Event.create({"lot_id": cls.serial_lab.id, "event_type": "complaint", "result": "Lab secret"})
        cls.portal_clinic = cls._portal_user("w_pt_clinic", cls.clinic_contact)
        lab_contact = cls.env["res.partner"].create({"name": "Lab Buyer", "parent_id": cls.customer_lab.id})
        cls.portal_lab = cls._portal_user("w_pt_lab", lab_contact)

    @classmethod
    def _portal_user(cls, login, partner):
        return new_test_user(cls.env, login=login, password=login, groups="base.group_portal", partner_id=partner.id)

    def test_portal_pages(self):
        self.authenticate("w_pt_clinic", "w_pt_clinic")
        page = self.url_open("/my/serials")
        self.assertEqual(page.status_code, 200)
        self.assertIn("W-PT-CLINIC", page.text)
        self.assertNotIn("W-PT-LAB", page.text)
        detail = self.url_open(f"/my/serials/{self.serial_clinic.id}")
        self.assertIn("Calibration verified", detail.text)
        self.assertIn(self.serial_clinic.warranty_end_date.strftime("%m/%d/%Y"), detail.text)
        # Another customer's serial: back to the list, nothing shown.
        other = self.url_open(f"/my/serials/{self.serial_lab.id}")
        self.assertTrue(other.url.endswith("/my/serials"))
        self.assertNotIn("Lab secret", other.text)
        home = self.url_open("/my/home")
        self.assertIn("/my/serials", home.text)

    def test_portal_pages_of_odoo_work_as_before(self):
        """The portal's own pages (home, orders, an order) for a customer contact, with the
        suite installed; a portal user holding no serial sees no serial entry."""
        order = self.env["sale.order"].create(
            {"partner_id": self.customer_lab.id, "order_line": [Command.create({"product_id": self.device.id})]}
        )
        order.action_confirm()
        self.authenticate("w_pt_lab", "w_pt_lab")
        for url in ("/my", "/my/home", "/my/orders", f"/my/orders/{order.id}", "/my/account"):
            with self.subTest(url=url):
                page = self.url_open(url)
                self.assertEqual(page.status_code, 200)
        self.assertIn(order.name, self.url_open("/my/orders").text)
        nobody = self.env["res.partner"].create({"name": "Walk-in Buyer"})
        self._portal_user("w_pt_nobody", nobody)
        self.authenticate("w_pt_nobody", "w_pt_nobody")
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertEqual(self.url_open("/my/serials").status_code, 200)
        self.assertNotIn("W-PT-", self.url_open("/my/serials").text)

    def test_portal_isolation_over_rpc(self):
        Lot = self.env["stock.lot"].with_user(self.portal_lab)
        self.assertEqual(Lot.search([]), self.serial_lab)
        Event = self.env["trace.service.event"].with_user(self.portal_lab)
        self.assertEqual(Event.search([]), self.event_lab)
        self.assertFalse(
            self.env["trace.service.event"].with_user(self.portal_clinic).search([("id", "=", self.event_lab.id)])
        )
        self.assertEqual(
            self.env["stock.lot"].with_user(self.portal_clinic).warranty_lookup("W-PT-CLINIC")["id"],
            self.serial_clinic.id,
        )
        # Read-only: a portal contact changes nothing.
        with self.assertRaises(AccessError):
            self.serial_lab.with_user(self.portal_lab).write({"note": "mine"})

    def test_portal_tour(self):
        """The same, as a portal contact clicks through it in the browser."""
        self.start_tour("/my", "trace_warranty_portal_serials", login="w_pt_clinic")

    def test_serial_form_tour(self):
        """Customer service (a Traceability User) reads a serial's warranty in the web client."""
        self._user("w_pt_service", "trace_compliance.group_trace_user")
        self.start_tour("/odoo", "trace_warranty_serial_form", login="w_pt_service")
