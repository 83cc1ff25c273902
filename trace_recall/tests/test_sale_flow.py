from odoo.tests import tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallSaleFlow(RecallCase):
    """Recalls answer "which customer received it, on which order": sales deliveries of a
    finished lot are reached from the raw lot it was made from, with their sale order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.order = cls._sell(cls.customer_clinic, [(cls.bread, "T-BR-1", 30)])

    def test_sale_delivery_reached_from_raw_lot(self):
        delivery = self.order.picking_ids
        self.assertEqual(delivery.state, "done")
        self.assertEqual(delivery.sale_id, self.order)
        flour = self.chain["T-FL-1"]
        self.assertEqual(flour.delivery_ids, delivery | self.chain["delivery"])
        self.assertEqual(
            (flour.delivery_ids.move_ids.sale_line_id.order_id), self.order, "the sale order of each delivered line"
        )
        # Dough lot 2 went only into loaf lot 2: the sale of loaf lot 1 is not its delivery.
        self.assertNotIn(delivery, self.chain["T-DO-2"].delivery_ids)
