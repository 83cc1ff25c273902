from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import last_delivery_partner
from odoo.addons.trace_recall.tests.common import RecallCase


@tagged("post_install", "-at_install")
class TestWarrantySerialFlow(RecallCase):
    """A serial device sold, delivered and brought back for repair stays one serial with
    one customer history: the base of the warranty registry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._receive(cls.vendor_mill, [(cls.board, "W-SB-1", 1)])
        cls._produce(cls.bom_device, 1, "W-DEV-1", {cls.board: [("W-SB-1", 1)]})
        cls.order = cls._sell(cls.customer_clinic, [(cls.device, "W-DEV-1", 1)])
        cls.serial = cls._lot(cls.device, "W-DEV-1")

    def test_serial_knows_its_customer(self):
        self.assertEqual(last_delivery_partner(self.serial), self.customer_clinic)
        self.assertEqual(self._lot(self.board, "W-SB-1").delivery_ids, self.order.picking_ids)

    def test_repair_order_on_returned_serial(self):
        # The clinic sends the device back; the repair then finds it in stock.
        self._transfer(
            self.warehouse.in_type_id,
            self.customer_clinic,
            self.customer_location,
            self.stock_location,
            [(self.device, "W-DEV-1", 1)],
        )
        self.assertEqual(self.serial.product_qty, 1)
        repair = self.env["repair.order"].create(
            {
                "product_id": self.device.id,
                "lot_id": self.serial.id,
                "partner_id": self.customer_clinic.id,
                "under_warranty": True,
            }
        )
        self.assertEqual(repair.lot_id, self.serial)
        self.assertEqual(repair.partner_id, self.customer_clinic)
        self.assertEqual(repair.picking_type_id.warehouse_id, self.warehouse)
        repair.action_validate()
        self.assertEqual(repair.state, "confirmed")
