from odoo.tests import Form, tagged

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

    def test_sales_user_without_traceability_rights_sells_a_lot(self):
        """A Sales / User confirms an order in the form as without the suite; an Inventory /
        User delivers it; the recall of the raw lot then reaches that customer."""
        salesman = self._user("rcl_salesman", "sales_team.group_sale_salesman")
        stock_user = self._user("rcl_stock_only", "stock.group_stock_user,stock.group_production_lot")
        form = Form(self.env["sale.order"].with_user(salesman))
        form.partner_id = self.customer_shop
        with form.order_line.new() as line:
            line.product_id = self.bread
            line.product_uom_qty = 5
        order = form.save()
        order.action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.with_user(salesman).read()[0]["id"], order.id)
        picking = order.picking_ids.with_user(stock_user)
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].with_user(stock_user).create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": self.bread.id,
                "product_uom_id": self.bread.uom_id.id,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
                "lot_id": self.chain["T-BR-1"].id,
                "quantity": 5,
                "picked": True,
            }
        )
        self.assertIs(picking.button_validate(), True)
        self.assertEqual(picking.state, "done")
        self.assertIn(picking, self.chain["T-FL-1"].delivery_ids)
        self.assertIn(self.customer_shop.id, self.chain["T-FL-1"].trace_forward()["partner_ids"])
