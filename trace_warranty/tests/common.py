from odoo.addons.trace_recall.tests.common import RecallCase


class WarrantyCase(RecallCase):
    """RecallCase plus a warranted device: 12 months from delivery, built on a sensor board."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device.product_tmpl_id.warranty_months = 12
        cls.customer_lab = cls.env["res.partner"].create({"name": "Test Lab", "is_company": True})
        cls.clinic_contact = cls.env["res.partner"].create(
            {"name": "Test Clinic Engineer", "parent_id": cls.customer_clinic.id, "email": "eng@clinic.example.com"}
        )

    @classmethod
    def _build_device(cls, serial, board_serial):
        """Receive a board serial and assemble it into device ``serial``; returns the device serial."""
        cls._receive(cls.vendor_mill, [(cls.board, board_serial, 1)])
        cls._produce(cls.bom_device, 1, serial, {cls.board: [(board_serial, 1)]})
        return cls._lot(cls.device, serial)

    @classmethod
    def _return(cls, partner, product, serial):
        """The customer sends the serial back (a receipt from the customer location)."""
        return cls._transfer(
            cls.warehouse.in_type_id, partner, cls.customer_location, cls.stock_location, [(product, serial, 1)]
        )
