from odoo.tests import tagged

from odoo.addons.trace_compliance.compat import PRODUCING_LOT_FIELD

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTraceFlow(TraceCase):
    """The documents the suite traces, built through Odoo's own flow, are the ones Odoo's
    own traceability sees: the base every later trace is compared with."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()

    def test_documents_are_done_with_the_chosen_lots(self):
        chain = self.chain
        self.assertEqual(chain["receipt_flour"].state, "done")
        self.assertEqual(chain["delivery"].state, "done")
        for key in ("mo_dough_1", "mo_dough_2", "mo_bread_1", "mo_bread_2"):
            self.assertEqual(chain[key].state, "done", key)
        consumed = chain["mo_bread_2"].move_raw_ids.move_line_ids
        self.assertEqual(
            sorted((line.lot_id.name, line.quantity) for line in consumed), [("T-DO-1", 20), ("T-DO-2", 60)]
        )
        self.assertEqual(chain["mo_bread_2"][PRODUCING_LOT_FIELD], chain["T-BR-2"])

    def test_stock_left_per_lot(self):
        chain = self.chain
        self.assertAlmostEqual(chain["T-FL-1"].product_qty, 104)
        self.assertAlmostEqual(chain["T-DO-1"].product_qty, 0)
        self.assertAlmostEqual(chain["T-DO-2"].product_qty, 40)
        self.assertAlmostEqual(chain["T-BR-2"].product_qty, 60)

    def test_odoo_downstream_delivery_of_raw_lot(self):
        """Odoo's own downstream search reaches the grocer from the flour lot, three levels
        up, and not from the lot that was never shipped."""
        chain = self.chain
        self.assertEqual(chain["T-FL-1"].delivery_ids, chain["delivery"])
        self.assertEqual(chain["T-SA-1"].delivery_ids, chain["delivery"])
        self.assertEqual(chain["T-BR-1"].delivery_ids, self.env["stock.picking"])

    def test_serial_device_built_on_board(self):
        self._receive(self.vendor_mill, [(self.board, "T-SB-1", 1), (self.board, "T-SB-2", 1)])
        production = self._produce(self.bom_device, 1, "T-DEV-1", {self.board: [("T-SB-2", 1)]})
        delivery = self._deliver(self.customer_clinic, [(self.device, "T-DEV-1", 1)])
        board = self._lot(self.board, "T-SB-2")
        self.assertEqual(production.state, "done")
        self.assertEqual(board.delivery_ids, delivery)
        self.assertFalse(self._lot(self.board, "T-SB-1").delivery_ids)
