from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.trace_recall.tests.common import RecallCase

# The tables whose rows must be exactly the same after a refused action.
TABLES = (
    "stock_lot",
    "stock_move",
    "stock_move_line",
    "stock_picking",
    "stock_quant",
    "mrp_production",
    "res_partner",
    "trace_lot_link",
    "trace_audit_log",
    "trace_signature",
    "trace_batch_record",
    "trace_certificate",
    "trace_recall",
    "trace_recall_delivery",
    "trace_recall_partner",
    "trace_service_event",
)


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

    def _rows(self):
        self.env.flush_all()
        snapshot = {}
        for table in TABLES:
            self.env.cr.execute(
                SQL(
                    "SELECT COUNT(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t.id), '')) FROM %s t",
                    SQL.identifier(table),
                )
            )
            snapshot[table] = self.env.cr.fetchone()
        return snapshot

    def _refused(self, action, *expected):
        """Run ``action`` (no savepoint): it must raise a UserError whose message holds each of
        ``expected``, and change no row."""
        before = self._rows()
        try:
            action()
        except UserError as error:
            message = str(error)
        else:
            self.fail("the action was not refused")
        for text in expected:
            self.assertIn(text, message)
        self._assert_rows_unchanged(before, "action")
        return message

    def _assert_rows_unchanged(self, before, what):
        """Every row of ``TABLES`` is as in ``before`` (a :meth:`_rows` snapshot)."""
        self.env.invalidate_all()
        after = self._rows()
        changed = [table for table in TABLES if before[table] != after[table]]
        self.assertFalse(changed, f"rows changed by a refused {what}: {changed}")
