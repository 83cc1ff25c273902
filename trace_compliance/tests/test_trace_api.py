import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTraceApi(TraceCase):
    """The public trace API: results limited to what the caller may read, and clear errors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.company_b = cls.env["res.company"].create({"name": "Trace Company B"})
        cls.user_a = cls._user("trace_api_a", "trace_compliance.group_trace_user")
        cls.user_b = cls._user("trace_api_b", "trace_compliance.group_trace_user", company=cls.company_b)
        cls.lot_b = cls.env["stock.lot"].create(
            {"name": "B-LOT-1", "product_id": cls.bread.id, "company_id": cls.company_b.id}
        )

    def test_results_are_json_serialisable_lists_of_ids(self):
        result = self.chain["T-FL-1"].with_user(self.user_a).trace_forward()
        self.assertEqual(json.loads(json.dumps(result)), result)
        for ids in result.values():
            self.assertEqual(ids, sorted(ids))
            self.assertTrue(all(isinstance(i, int) for i in ids))

    def test_other_company_lot_is_refused(self):
        with self.assertRaises(AccessError):
            self.chain["T-FL-1"].with_user(self.user_b).trace_forward()
        with self.assertRaises(AccessError):
            self.lot_b.with_user(self.user_a).trace_backward()

    def test_other_company_lots_never_appear(self):
        """A link into another company (an inter-company flow) is followed, but what the
        caller cannot read is left out of the result."""
        self.env["trace.lot.link"].sudo().create(
            {
                "parent_lot_id": self.chain["T-BR-2"].id,
                "child_lot_id": self.lot_b.id,
                "link_type": "transformation",
                "quantity": 1,
                "company_id": self.company_b.id,
            }
        )
        admin_view = self.chain["T-FL-1"].sudo().trace_forward()
        self.assertIn(self.lot_b.id, admin_view["lot_ids"])
        user_a_view = self.chain["T-FL-1"].with_user(self.user_a).trace_forward()
        self.assertNotIn(self.lot_b.id, user_a_view["lot_ids"])
        self.assertEqual(len(user_a_view["lot_ids"]), 4)
        # User B sees its own lot's origin only as far as company B goes.
        user_b_view = self.lot_b.with_user(self.user_b).trace_backward()
        self.assertEqual(user_b_view["lot_ids"], [])
        self.assertEqual(user_b_view["picking_ids"], [])
        self.assertEqual(user_b_view["partner_ids"], [])
        # The link itself is invisible to company A users.
        self.assertFalse(
            self.env["trace.lot.link"].with_user(self.user_a).search([("child_lot_id", "=", self.lot_b.id)])
        )

    def test_a_trace_is_one_statement(self):
        """Whatever the lot, upstream or downstream, a trace costs one SQL statement,
        record rules included: its fixed cost is one round trip to the database."""
        for name in ("T-FL-1", "T-DO-2", "T-BR-2"):
            lot = self.chain[name].with_user(self.user_a)
            for direction in ("trace_forward", "trace_backward"):
                with self.subTest(lot=name, direction=direction):
                    expected = getattr(lot, direction)()  # rules and companies cached, as in a warm worker
                    with self.assertQueryCount(1):
                        self.assertEqual(getattr(lot, direction)(), expected)
        self.assertTrue(self.chain["T-FL-1"].with_user(self.user_a).trace_forward()["partner_ids"])

    def test_bad_input_gets_clear_errors(self):
        Lot = self.env["stock.lot"].with_user(self.user_a)
        with self.assertRaisesRegex(UserError, "at least one lot"):
            Lot.trace_forward()
        with self.assertRaisesRegex(UserError, "do not exist: 99999999"):
            Lot.browse([self.chain["T-FL-1"].id, 99999999]).trace_forward()
        for depth in (0, -1, "2", 1.5, True):
            with self.subTest(depth=depth), self.assertRaisesRegex(UserError, "trace depth"):
                self.chain["T-FL-1"].with_user(self.user_a).trace_backward(max_depth=depth)

    def test_user_without_manufacturing_rights_gets_what_they_may_read(self):
        stock_user = self._user("trace_api_stock", "stock.group_stock_user")
        result = self.chain["T-FL-1"].with_user(stock_user).trace_forward()
        self.assertEqual(len(result["lot_ids"]), 4)
        self.assertEqual(result["picking_ids"], self.chain["delivery"].ids)
        plain = self._user("trace_api_plain", "base.group_portal")
        with self.assertRaises(AccessError):
            self.chain["T-FL-1"].with_user(plain).trace_forward()

    def test_vendor_lot_number_is_a_trace_start(self):
        receipt = self._receive(self.vendor_mill, [(self.flour, "T-FL-9", 50)], validate=False)
        receipt.move_line_ids.vendor_lot_number = "TMILL-98231-Q"
        receipt.button_validate()
        lot = self._lot(self.flour, "T-FL-9")
        self.assertEqual(lot.vendor_lot_number, "TMILL-98231-Q")
        Lot = self.env["stock.lot"].with_user(self.user_a)
        self.assertEqual(Lot.search([("vendor_lot_number", "ilike", "98231-Q")]), lot)
        self.assertIn(lot.id, [row[0] for row in Lot.name_search("TMILL-98231-Q")])
        explore = self.env["trace.genealogy.explore"].with_user(self.user_a).create({"search_term": "tmill-98231-q"})
        explore.action_search()
        self.assertEqual(explore.lot_ids, lot)
        self.assertEqual(explore.receipt_count, 1)
        missing = self.env["trace.genealogy.explore"].with_user(self.user_a).create({"search_term": "NOPE-%_'\\"})
        with self.assertRaisesRegex(UserError, "No lot"):
            missing.action_search()

    def test_hostile_lot_names_are_plain_data(self):
        names = ["O'Brien; DROP TABLE stock_lot; --", "100% _wild_", "back\\slash", "lot ünïcödé ✓"]
        lots = self.env["stock.lot"]
        for name in names:
            self._receive(self.vendor_mill, [(self.flour, name, 1)])
            lots |= self._lot(self.flour, name)
        self._produce(
            self.bom_dough,
            1,
            "D-HOSTILE",
            {self.flour: [(name, 0.245) for name in names], self.salt: [("T-SA-1", 0.02)]},
        )
        dough = self._lot(self.dough, "D-HOSTILE")
        for lot in lots:
            self.assertEqual(lot.trace_forward()["lot_ids"], dough.ids, lot.name)
        self.assertEqual(set(dough.trace_backward()["lot_ids"]), set((lots | self.chain["T-SA-1"]).ids))
        explore = self.env["trace.genealogy.explore"].create({"search_term": names[0]})
        explore.action_search()
        self.assertEqual(explore.lot_ids, lots[0])
        self.assertTrue(self.env["stock.lot"].search_count([]) > 4)
