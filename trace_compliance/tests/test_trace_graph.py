import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TraceCase


@tagged("post_install", "-at_install")
class TestTraceGraph(TraceCase):
    """The trace map (``stock.lot.trace_graph``): the trace's lots, documents and partners as
    nodes in columns and edges, grouped when wide, limited to what the caller may read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.company_b = cls.env["res.company"].create({"name": "Graph Company B"})
        cls.user_a = cls._user("trace_graph_a", "trace_compliance.group_trace_user,mrp.group_mrp_user")
        cls.user_b = cls._user("trace_graph_b", "trace_compliance.group_trace_user", company=cls.company_b)
        cls.lot_b = cls.env["stock.lot"].create(
            {"name": "GB-LOT-1", "product_id": cls.bread.id, "company_id": cls.company_b.id}
        )

    def graph(self, name, user=None, **kwargs):
        lot = self.chain[name].with_user(user or self.user_a)
        return lot.trace_graph(**kwargs)

    @staticmethod
    def nodes(graph, kind):
        return {node["res_id"]: node for node in graph["nodes"] if node["kind"] == kind}

    @staticmethod
    def edges(graph):
        return {(edge["source"], edge["target"]): edge for edge in graph["edges"]}

    def lot(self, name):
        return f"lot:{self.chain[name].id}"

    def assert_same_as_trace(self, graph, trace, start, document_kind, partner_kind):
        lots = self.nodes(graph, "lot")
        self.assertEqual(sorted(set(lots) - set(start.ids)), trace["lot_ids"])
        self.assertEqual(sorted(self.nodes(graph, document_kind)), trace["picking_ids"])
        self.assertEqual(sorted(self.nodes(graph, partner_kind)), trace["partner_ids"])
        productions = {edge["res_id"] for edge in graph["edges"] if edge["res_model"] == "mrp.production"}
        self.assertEqual(sorted(productions), trace["production_ids"])
        ids = {node["id"] for node in graph["nodes"]}
        for edge in graph["edges"]:
            self.assertIn(edge["source"], ids)
            self.assertIn(edge["target"], ids)

    def test_forward_map_is_the_forward_trace(self):
        chain = self.chain
        graph = self.graph("T-FL-1")
        self.assert_same_as_trace(
            graph, chain["T-FL-1"].with_user(self.user_a).trace_forward(), chain["T-FL-1"], "delivery", "customer"
        )
        self.assertEqual(graph["start_lot_ids"], chain["T-FL-1"].ids)
        self.assertEqual((graph["direction"], graph["grouped"]), ("forward", False))
        columns = {node["label"]: node["column"] for node in graph["nodes"]}
        self.assertEqual(
            columns,
            {
                "T-FL-1": 0,
                "T-DO-1": 1,
                "T-DO-2": 1,
                "T-BR-1": 2,
                "T-BR-2": 2,
                chain["delivery"].name: 3,
                "Test Grocer": 4,
            },
        )
        start = self.nodes(graph, "lot")[chain["T-FL-1"].id]
        self.assertEqual(start["id"], self.lot("T-FL-1"))
        self.assertTrue(start["is_start"])
        self.assertEqual(
            (start["product_id"], start["product_name"], start["tracking"]), (self.flour.id, "Test Flour", "lot")
        )
        self.assertEqual((start["quality_status"], start["recalled"], start["held"]), ("released", False, False))
        edges = self.edges(graph)
        self.assertEqual(
            set(edges),
            {
                (self.lot("T-FL-1"), self.lot("T-DO-1")),
                (self.lot("T-FL-1"), self.lot("T-DO-2")),
                (self.lot("T-DO-1"), self.lot("T-BR-1")),
                (self.lot("T-DO-1"), self.lot("T-BR-2")),
                (self.lot("T-DO-2"), self.lot("T-BR-2")),
                (self.lot("T-BR-2"), f"picking:{chain['delivery'].id}"),
                (f"picking:{chain['delivery'].id}", f"partner:{self.customer_shop.id}"),
            },
        )
        flour_to_dough = edges[self.lot("T-FL-1"), self.lot("T-DO-1")]
        self.assertEqual(flour_to_dough["kind"], "production")
        self.assertEqual(flour_to_dough["document"], chain["mo_dough_1"].name)
        self.assertEqual(
            (flour_to_dough["res_model"], flour_to_dough["res_id"]), ("mrp.production", chain["mo_dough_1"].id)
        )
        self.assertEqual((flour_to_dough["quantity"], flour_to_dough["uom"]), (98, self.uom_kg.name))
        shipped = edges[self.lot("T-BR-2"), f"picking:{chain['delivery'].id}"]
        self.assertEqual((shipped["kind"], shipped["document"]), ("delivery", chain["delivery"].name))
        self.assertEqual((shipped["quantity"], shipped["uom"], shipped["count"]), (40, self.uom_unit.name, 1))

    def test_backward_map_is_the_backward_trace(self):
        chain = self.chain
        graph = self.graph("T-BR-2", direction="backward")
        self.assert_same_as_trace(
            graph, chain["T-BR-2"].with_user(self.user_a).trace_backward(), chain["T-BR-2"], "receipt", "vendor"
        )
        columns = {node["label"]: node["column"] for node in graph["nodes"]}
        self.assertEqual(columns["T-BR-2"], 0)
        self.assertEqual((columns["T-DO-1"], columns["T-DO-2"]), (-1, -1))
        self.assertEqual((columns["T-FL-1"], columns["T-SA-1"]), (-2, -2))
        self.assertEqual(columns[chain["receipt_flour"].name], -3)
        self.assertEqual((columns["Test Mill"], columns["Test Salt Works"]), (-4, -4))
        edges = self.edges(graph)
        receipt = f"picking:{chain['receipt_flour'].id}"
        self.assertEqual(edges[f"partner:{self.vendor_mill.id}", receipt]["kind"], "receipt")
        self.assertEqual(edges[receipt, self.lot("T-FL-1")]["quantity"], 300)
        self.assertEqual(edges[self.lot("T-DO-2"), self.lot("T-BR-2")]["quantity"], 60)

    def test_both_directions_and_depth(self):
        chain = self.chain
        graph = self.graph("T-DO-2", direction="both")
        self.assertEqual(graph["direction"], "both")
        lot = chain["T-DO-2"].with_user(self.user_a)
        forward, backward = lot.trace_forward(), lot.trace_backward()
        lots = self.nodes(graph, "lot")
        self.assertEqual(sorted(set(lots) - set(lot.ids)), sorted(forward["lot_ids"] + backward["lot_ids"]))
        self.assertEqual(sorted(self.nodes(graph, "delivery")), forward["picking_ids"])
        self.assertEqual(sorted(self.nodes(graph, "receipt")), backward["picking_ids"])
        self.assertEqual(sorted(self.nodes(graph, "customer")), forward["partner_ids"])
        self.assertEqual(sorted(self.nodes(graph, "vendor")), backward["partner_ids"])
        columns = {node["label"]: node["column"] for node in graph["nodes"]}
        self.assertEqual([columns[name] for name in ("T-FL-1", "T-DO-2", "T-BR-2")], [-1, 0, 1])
        self.assertEqual((columns["Test Mill"], columns["Test Grocer"]), (-3, 3))
        self.assertEqual(columns[chain["receipt_salt"].name], -2)
        # One level down from the flour: the doughs, none of their loaves, no delivery.
        shallow = self.graph("T-FL-1", max_depth=1)
        self.assertEqual(sorted(node["label"] for node in shallow["nodes"]), ["T-DO-1", "T-DO-2", "T-FL-1"])
        self.assertEqual(len(shallow["edges"]), 2)

    def test_rework_cycle_ends(self):
        chain = self.chain
        self._rework_cycles(chain)
        for direction in ("forward", "backward", "both"):
            with self.subTest(direction=direction):
                graph = self.graph("T-DO-2", direction=direction)
                lots = self.nodes(graph, "lot")
                if direction != "both":
                    trace = getattr(chain["T-DO-2"].with_user(self.user_a), f"trace_{direction}")()
                    self.assertEqual(sorted(set(lots) - {chain["T-DO-2"].id}), trace["lot_ids"])
                self.assertEqual(lots[chain["T-DO-2"].id]["column"], 0)
                self.assertIn((self.lot("T-DO-2"), self.lot("T-DO-2")), self.edges(graph))
                self.assertTrue(all(abs(node["column"]) <= 6 for node in graph["nodes"]))
        forward = self.graph("T-DO-2")
        columns = {node["label"]: node["column"] for node in forward["nodes"]}
        self.assertEqual(
            [columns[name] for name in ("T-DO-2", "T-BR-2", "T-FL-1", "T-DO-1", "T-BR-1")], [0, 1, 2, 3, 4]
        )

    def test_wide_columns_are_grouped_by_product(self):
        chain = self.chain
        graph = self.graph("T-FL-1", group_threshold=1)
        self.assertTrue(graph["grouped"])
        groups = {node["label"]: node for node in graph["nodes"] if node["kind"] == "group"}
        self.assertEqual(set(groups), {"Test Dough: 2 lots", "Test Loaf: 2 lots"})
        dough = groups["Test Dough: 2 lots"]
        self.assertEqual(dough["members"], sorted([self.lot("T-DO-1"), self.lot("T-DO-2")], key=lambda n: int(n[4:])))
        self.assertEqual(
            (dough["group_kind"], dough["res_model"], dough["column"], dough["count"]), ("lot", "stock.lot", 1, 2)
        )
        self.assertEqual((dough["product_id"], dough["quality_statuses"]), (self.dough.id, {"released": 2}))
        # Members are no nodes of their own; their edges are merged, quantities summed.
        labels = {node["id"]: node["label"] for node in graph["nodes"]}
        self.assertNotIn(self.lot("T-DO-1"), labels)
        edges = {(labels[edge["source"]], labels[edge["target"]]): edge for edge in graph["edges"]}
        self.assertEqual(
            set(edges),
            {
                ("T-FL-1", "Test Dough: 2 lots"),
                ("Test Dough: 2 lots", "Test Loaf: 2 lots"),
                ("Test Loaf: 2 lots", chain["delivery"].name),
                (chain["delivery"].name, "Test Grocer"),
            },
        )
        into_dough = edges["T-FL-1", "Test Dough: 2 lots"]
        self.assertEqual((into_dough["quantity"], into_dough["count"], into_dough["document"]), (196, 2, False))
        self.assertEqual((edges["Test Dough: 2 lots", "Test Loaf: 2 lots"]["quantity"]), 160)
        # The default threshold comes from a system parameter; 0 never groups.
        self.assertFalse(self.graph("T-FL-1")["grouped"])
        self.env["ir.config_parameter"].sudo().set_param("trace_compliance.map_group_threshold", "1")
        self.assertTrue(self.graph("T-FL-1")["grouped"])
        self.assertFalse(self.graph("T-FL-1", group_threshold=0)["grouped"])
        self.assertFalse(self.graph("T-FL-1", group_threshold=2)["grouped"])

    def test_map_is_json(self):
        for kwargs in ({}, {"direction": "both"}, {"group_threshold": 1}):
            graph = self.graph("T-DO-1", **kwargs)
            self.assertEqual(json.loads(json.dumps(graph)), graph)
            self.assertEqual(set(graph), {"nodes", "edges", "start_lot_ids", "direction", "grouped"})

    def test_bad_input_gets_clear_errors(self):
        Lot = self.env["stock.lot"].with_user(self.user_a)
        flour = self.chain["T-FL-1"].with_user(self.user_a)
        with self.assertRaisesRegex(UserError, "at least one lot"):
            Lot.trace_graph()
        with self.assertRaisesRegex(UserError, "do not exist: 99999999"):
            Lot.browse([flour.id, 99999999]).trace_graph()
        for direction in ("sideways", None, 1, "Forward"):
            with self.subTest(direction=direction), self.assertRaisesRegex(UserError, "trace direction"):
                flour.trace_graph(direction=direction)
        for depth in (0, "2", True):
            with self.subTest(depth=depth), self.assertRaisesRegex(UserError, "trace depth"):
                flour.trace_graph(max_depth=depth)
        for threshold in (-1, "2", 1.5, True):
            with self.subTest(threshold=threshold), self.assertRaisesRegex(UserError, "group threshold"):
                flour.trace_graph(group_threshold=threshold)

    def test_what_the_caller_may_not_read_is_left_out(self):
        chain = self.chain
        with self.assertRaises(AccessError):
            self.graph("T-FL-1", user=self.user_b)
        with self.assertRaises(AccessError):
            self.lot_b.with_user(self.user_a).trace_graph()
        # A link into another company's lot: followed, but that lot is no node for us.
        self.env["trace.lot.link"].sudo().create(
            {
                "parent_lot_id": chain["T-BR-2"].id,
                "child_lot_id": self.lot_b.id,
                "link_type": "transformation",
                "quantity": 1,
                "company_id": self.company_b.id,
            }
        )
        self.assertIn(f"lot:{self.lot_b.id}", {node["id"] for node in chain["T-FL-1"].sudo().trace_graph()["nodes"]})
        graph = self.graph("T-FL-1", direction="both")
        self.assertNotIn(self.lot_b.id, self.nodes(graph, "lot"))
        self.assertFalse(
            [edge for edge in graph["edges"] if f"lot:{self.lot_b.id}" in (edge["source"], edge["target"])]
        )
        user_b_view = self.lot_b.with_user(self.user_b).trace_graph(direction="backward")
        self.assertEqual([node["id"] for node in user_b_view["nodes"]], [f"lot:{self.lot_b.id}"])
        self.assertEqual(user_b_view["edges"], [])
        # A stock user (no traceability group) sees the trace's lots and deliveries, but not
        # the genealogy links nor the manufacturing orders.
        stock_user = self._user("trace_graph_stock", "stock.group_stock_user")
        graph = self.graph("T-FL-1", user=stock_user)
        forward = chain["T-FL-1"].with_user(stock_user).trace_forward()
        self.assertEqual(sorted(set(self.nodes(graph, "lot")) - set(chain["T-FL-1"].ids)), forward["lot_ids"])
        self.assertEqual(sorted(self.nodes(graph, "delivery")), forward["picking_ids"])
        self.assertEqual({edge["kind"] for edge in graph["edges"]}, {"delivery"})
        portal = self._user("trace_graph_portal", "base.group_portal")
        with self.assertRaises(AccessError):
            self.graph("T-FL-1", user=portal)
