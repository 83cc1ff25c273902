import base64
import itertools
import json

from lxml import etree

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
            self.assertEqual(
                set(graph),
                {"nodes", "edges", "start_lot_ids", "direction", "grouped", "width", "height", "legend"},
            )

    def test_expanded_groups_stay_open(self):
        graph = self.graph("T-FL-1", group_threshold=1)
        dough = next(node for node in graph["nodes"] if node["label"] == "Test Dough: 2 lots")
        expanded = self.graph("T-FL-1", group_threshold=1, expand=[dough["id"]])
        labels = {node["label"] for node in expanded["nodes"]}
        self.assertTrue({"T-DO-1", "T-DO-2", "Test Loaf: 2 lots"} <= labels)
        self.assertNotIn("Test Dough: 2 lots", labels)
        edges = {(edge["source"], edge["target"]) for edge in expanded["edges"]}
        self.assertIn((self.lot("T-FL-1"), self.lot("T-DO-2")), edges)
        # An unknown group id changes nothing.
        self.assertEqual(self.graph("T-FL-1", group_threshold=1, expand=["group:9:lot:0"]), graph)
        for expand in ("group:1:lot:1", [1], {"a": 1}):
            with self.subTest(expand=expand), self.assertRaisesRegex(UserError, "groups to expand"):
                self.graph("T-FL-1", expand=expand)

    def test_map_is_laid_out_left_to_right(self):
        graph = self.graph("T-FL-1", direction="both")
        nodes = {node["id"]: node for node in graph["nodes"]}
        for node in nodes.values():
            self.assertTrue({"x", "y", "width", "height", "fill", "stroke", "icon", "lines"} <= set(node))
            self.assertLessEqual(node["x"] + node["width"], graph["width"])
            self.assertLessEqual(node["y"] + node["height"], graph["height"])
        # Columns left to right, boxes of one column apart.
        for column in {node["column"] for node in nodes.values()}:
            boxes = sorted((n for n in nodes.values() if n["column"] == column), key=lambda n: n["y"])
            self.assertEqual(len({n["x"] for n in boxes}), 1)
            for upper, lower in itertools.pairwise(boxes):
                self.assertGreaterEqual(lower["y"], upper["y"] + upper["height"])
        for edge in graph["edges"]:
            source, target = nodes[edge["source"]], nodes[edge["target"]]
            self.assertLess(source["column"], target["column"])
            self.assertTrue(edge["path"].startswith(f"M{source['x'] + source['width']:g},"))
        start = nodes[self.lot("T-FL-1")]
        self.assertEqual(start["lines"][:2], ["\u2714 T-FL-1", "Test Flour"])
        self.assertEqual(start["stroke_width"], 3)
        flour_to_dough = next(e for e in graph["edges"] if e["target"] == self.lot("T-DO-1"))
        self.assertEqual(flour_to_dough["label"], f"{self.chain['mo_dough_1'].name} \u00b7 98 kg")
        # A recalled lot is drawn as such (colour and icon).
        self.chain["T-BR-1"].sudo().set_quality_status("recalled", "Map test")
        recalled = next(n for n in self.graph("T-FL-1")["nodes"] if n["label"] == "T-BR-1")
        self.assertEqual((recalled["icon"], recalled["recalled"]), ("\u26a0", True))
        self.assertEqual(recalled["lines"][2], "\u26a0 Recalled")

    def test_map_as_svg_for_the_pdfs(self):
        lots = self.chain["T-FL-1"].with_user(self.user_a)
        image = lots._trace_map_image("forward")
        prefix = "data:image/svg+xml;base64,"
        self.assertTrue(image.startswith(prefix))
        svg = etree.fromstring(base64.b64decode(image[len(prefix) :]))
        self.assertEqual(svg.tag, "{http://www.w3.org/2000/svg}svg")
        texts = [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]
        graph = lots.trace_graph("forward")
        for node in graph["nodes"]:
            self.assertIn(node["lines"][0], texts)
        self.assertEqual(len(svg.findall(".//{http://www.w3.org/2000/svg}rect")), len(graph["nodes"]))
        self.assertEqual(len(svg.findall(".//{http://www.w3.org/2000/svg}path")), len(graph["edges"]))
        self.assertFalse(self.env["stock.lot"]._trace_map_image())

    def test_printed_map_escapes_what_it_prints(self):
        self.customer_shop.name = 'Grocer <"&"> Ltd'
        image = self.chain["T-FL-1"].with_user(self.user_a)._trace_map_image("forward")
        svg = etree.fromstring(base64.b64decode(image.split(",", 1)[1]))
        texts = [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]
        self.assertIn('\u25c6 Grocer <"&"> Ltd', texts)

    def test_map_opens_from_every_document(self):
        chain = self.chain
        action = chain["T-DO-1"].with_user(self.user_a).action_open_trace_map()
        self.assertEqual((action["type"], action["tag"]), ("ir.actions.client", "trace_compliance.trace_map"))
        self.assertEqual(action["context"]["active_ids"], chain["T-DO-1"].ids)
        self.assertEqual(action["context"]["trace_map_direction"], "both")
        production = chain["mo_dough_1"].with_user(self.user_a)
        self.assertEqual(production.action_open_trace_map()["context"]["active_ids"], chain["T-DO-1"].ids)
        delivery = chain["delivery"].with_user(self.user_a)
        self.assertEqual(
            set(delivery.action_open_trace_map()["context"]["active_ids"]), set(delivery.move_line_ids.lot_id.ids)
        )
        explore = self.env["trace.genealogy.explore"].with_user(self.user_a).create({"lot_ids": chain["T-FL-1"].ids})
        self.assertEqual(explore.action_open_trace_map()["context"]["active_ids"], chain["T-FL-1"].ids)
        with self.assertRaisesRegex(UserError, "no lot or serial number"):
            self.env["stock.lot"]._action_trace_map()

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
