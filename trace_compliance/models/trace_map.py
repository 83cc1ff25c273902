from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError

from .. import trace_map

# Columns per group in a trace map above which the nodes of one product are grouped.
GROUP_THRESHOLD = 60


class TraceMap(models.AbstractModel):
    """The trace map (``stock.lot.trace_graph``): the trace engine's answer as nodes in
    columns, edges, labels and groups, laid out for drawing (:func:`..trace_map.layout`).

    It asks ``trace.engine`` what the lots reach (:meth:`trace.engine._trace_map_data`, one
    statement per direction, filtered by the caller's rights) and draws nothing: the web
    client's Trace Map and the PDFs (:func:`..trace_map.render_svg`) draw what it returns.
    """

    _name = "trace.map"
    _description = "Trace Map"

    @api.model
    def _build(self, lots, direction, max_depth=None, group_threshold=None, expand=None):
        """The trace of ``lots`` as a map to draw (``stock.lot.trace_graph``): the same lots,
        documents and partners as ``trace.engine._trace`` (``direction`` ``"both"``: the
        forward and the backward trace together), as nodes in columns and the edges between
        them.

        Returns ``{"nodes", "edges", "start_lot_ids", "direction", "grouped"}``, JSON-ready:

        - a node: ``id`` (``"lot:12"``, ``"picking:5"``, ``"partner:7"``, ``"group:..."``),
          ``kind`` (``lot``, ``receipt``, ``delivery``, ``vendor``, ``customer``, ``group``,
          ``reported``: what a partner's EPCIS events say a lot received was made from, left
          of the vendors, ``"reported:<code>"``, labelled "Reported by <partner>", with
          ``code``, ``gtin``, ``partner_id``, ``facility``, ``event_time``),
          ``res_model``/``res_id``, ``label``, ``column``: lots by genealogy level from the
          starting lots (0; upstream negative, downstream positive: the longest path, so every
          edge goes right, except the one closing a rework cycle), receipts and vendors one and
          two columns left of the leftmost lots, deliveries and customers right of the
          rightmost. A lot has ``product_id``, ``product_name``, ``tracking``,
          ``quality_status``, ``recalled``, ``held`` (not released, not recalled) and
          ``is_start``. A group (see below) has ``group_kind``, ``members`` (node ids),
          ``count``, ``product_id``/``product_name`` (lots and documents) and
          ``quality_statuses`` (lots: count per status).
        - an edge, drawn left to right: ``source``, ``target`` (node ids), ``kind``
          (``production``, ``unbuild``, ``transformation``, ``service``: the genealogy link;
          ``receipt``, ``delivery``: the move lines of a transfer; ``reported``: an input a
          partner reported, to what it was made into), ``document``,
          ``res_model``/``res_id`` of the document when the caller may read it, ``quantity``
          and ``uom`` (of the component lot, of the lot delivered or received; summed when
          edges are merged), ``count`` (links or move lines merged into it).

        In a column of more than ``group_threshold`` nodes (default: the system parameter
        ``trace_compliance.map_group_threshold``, else 60; 0: never), the nodes of one product
        (lots, or the documents carrying it; the partners of the column) become one ``group``
        node and their edges are merged, except the groups whose ids are in ``expand`` (a
        group expanded on the map).

        The graph is laid out for drawing (:func:`..trace_map.layout`): nodes have a box
        (``x``, ``y``, ``width``, ``height``), colours, a status ``icon`` and ``lines`` of
        text; edges a ``path`` and a ``label``; the graph its ``width`` and ``height``.

        What the caller may not read is left out: lots, documents, partners, genealogy links
        (a user who may not read ``trace.lot.link`` gets the nodes without lot-to-lot edges)
        and the names of the orders on the edges. A value unknown or not readable is
        ``False`` (as in Odoo's reads: XML-RPC has no ``None``).
        """
        engine = self.env["trace.engine"]
        max_depth = engine._check_arguments(lots, direction, max_depth)
        group_threshold = self._check_group_threshold(group_threshold)
        expand = self._check_expand(expand)
        start = list(dict.fromkeys(lots._ids))
        graph = {"nodes": {}, "edges": {}, "lots": {}, "columns": {}}
        ways = ("forward", "backward") if direction == "both" else (direction,)
        parts = [(way, engine._trace_map_data(lots, way, max_depth)) for way in ways]
        products = self._products({row[2] for _way, part in parts for row in part["lots"]})
        statuses = dict(self.env["stock.lot"]._fields["quality_status"]._description_selection(self.env))
        for way, part in parts:
            self._add_lots(graph, way, start, part, products, statuses)
        for way, part in parts:
            self._add_links(graph, part, products)
            self._add_documents(graph, way, part, products)
            self._add_reported(graph, part.get("reported") or [])
        grouped = self._group(graph, products, group_threshold, expand) if group_threshold else False
        order = {"reported": -1, "vendor": 0, "receipt": 1, "group": 2, "lot": 2, "delivery": 3, "customer": 4}
        # XML-RPC has no None: a value unknown or not readable is False, as in Odoo's reads.
        for item in (*graph["nodes"].values(), *graph["edges"].values()):
            for key, value in item.items():
                if value is None:
                    item[key] = False
        return trace_map.layout(
            {
                "nodes": sorted(
                    graph["nodes"].values(), key=lambda n: (n["column"], order[n["kind"]], n["label"], n["id"])
                ),
                "edges": sorted(graph["edges"].values(), key=lambda e: (e["source"], e["target"], e["kind"])),
                "start_lot_ids": sorted(start),
                "direction": direction,
                "grouped": grouped,
            },
            statuses,
        )

    @api.model
    def _check_group_threshold(self, group_threshold):
        """The number of nodes of a column of a trace map above which it is grouped: the
        argument (0: never), else the system parameter, else :data:`GROUP_THRESHOLD`."""
        if group_threshold is None:
            value = self.env["ir.config_parameter"].sudo().get_param("trace_compliance.map_group_threshold")
            try:
                return max(int(value), 0) if value else GROUP_THRESHOLD
            except ValueError:
                return GROUP_THRESHOLD
        if isinstance(group_threshold, bool) or not isinstance(group_threshold, int) or group_threshold < 0:
            raise UserError(
                self.env._(
                    "A group threshold is a whole number of nodes, 0 (never group) or more (got %(threshold)r).",
                    threshold=group_threshold,
                )
            )
        return group_threshold

    @api.model
    def _check_expand(self, expand):
        """The ids of the groups of a trace map to leave expanded (a list of strings)."""
        if not expand:
            return frozenset()
        if not isinstance(expand, (list, tuple)) or not all(isinstance(item, str) for item in expand):
            raise UserError(
                self.env._("The groups to expand are a list of group node ids (got %(expand)r).", expand=expand)
            )
        return frozenset(expand)

    @api.model
    def _products(self, product_ids):
        """``{product id: {"name", "tracking", "uom"}}`` of the products the caller may read."""
        products = self.env["product.product"].with_context(active_test=False)
        readable = products.browse(self.env["trace.engine"]._readable("product.product", product_ids))
        return {
            product.id: {"name": product.display_name, "tracking": product.tracking, "uom": product.uom_id.sudo().name}
            for product in readable
        }

    @api.model
    def _add_lots(self, graph, direction, start, part, products, statuses):
        """The lot nodes of one direction, in the columns of their genealogy level
        (``statuses``: the label of each quality status)."""
        levels = _levels(start, part["arcs"])
        sign = -1 if direction == "backward" else 1
        for lot_id, name, product_id, status in part["lots"]:
            node_id = f"lot:{lot_id}"
            graph["lots"][lot_id] = product_id
            if node_id in graph["nodes"]:  # both directions (the starting lots, a rework cycle)
                continue
            product = products.get(product_id, {})
            graph["nodes"][node_id] = {
                "id": node_id,
                "kind": "lot",
                "res_model": "stock.lot",
                "res_id": lot_id,
                "label": name,
                "column": sign * levels.get(lot_id, 0),
                "product_id": product_id if product else None,
                "product_name": product.get("name"),
                "tracking": product.get("tracking"),
                "quality_status": status,
                "quality_status_label": statuses.get(status, status),
                "recalled": status == "recalled",
                "held": status not in ("released", "recalled"),
                "is_start": lot_id in start,
            }

    @api.model
    def _add_links(self, graph, part, products):
        """The lot-to-lot edges (readable links between readable lots) and their documents."""
        names = {(link_type, doc_id): name for link_type, doc_id, name in part["documents"]}
        documents = self.env["trace.engine"]._get_link_documents()
        models = {link_type: model for link_type, (_column, model) in documents.items()}
        for parent_id, child_id, link_type, document_id, quantity, count in part["links"]:
            document = names.get((link_type, document_id))
            self._add_edge(
                graph,
                f"lot:{parent_id}",
                f"lot:{child_id}",
                link_type,
                document,
                models.get(link_type) if document else None,
                document_id if document else None,
                quantity,
                products.get(graph["lots"].get(parent_id), {}).get("uom"),
                count,
            )

    @api.model
    def _add_documents(self, graph, direction, part, products):
        """The deliveries and customers (forward) or receipts and vendors (backward) of the
        lots, one and two columns beyond the outermost lots."""
        forward = direction == "forward"
        kind, partner_kind = ("delivery", "customer") if forward else ("receipt", "vendor")
        lot_columns = [node["column"] for node in graph["nodes"].values() if node["kind"] == "lot"] or [0]
        column = max(lot_columns) + 1 if forward else min(lot_columns) - 1
        partner_column = column + (1 if forward else -1)
        pickings = dict(part["pickings"])
        partners = dict(part["partners"])
        kind_labels = {
            "delivery": self.env._("Delivery"),
            "customer": self.env._("Customer"),
            "receipt": self.env._("Receipt"),
            "vendor": self.env._("Vendor"),
        }
        for picking_id, name in pickings.items():
            self._add_node(
                graph, f"picking:{picking_id}", kind, kind_labels[kind], "stock.picking", picking_id, name, column
            )
        for partner_id, name in partners.items():
            node_id, label = f"partner:{partner_id}", kind_labels[partner_kind]
            self._add_node(graph, node_id, partner_kind, label, "res.partner", partner_id, name, partner_column)
        for lot_id, picking_id, partner_id, quantity, count in part["lines"]:
            lot = f"lot:{lot_id}"
            uom = products.get(graph["lots"].get(lot_id), {}).get("uom")
            picking = f"picking:{picking_id}" if picking_id else None
            partner = f"partner:{partner_id}" if partner_id else None
            document = (pickings[picking_id], "stock.picking", picking_id) if picking_id else (None, None, None)
            ends = [lot, picking or partner] if forward else [picking or partner, lot]
            if ends[0] and ends[1]:
                self._add_edge(graph, *ends, kind, *document, quantity, uom, count)
            if picking and partner:
                ends = [picking, partner] if forward else [partner, picking]
                self._add_edge(graph, *ends, kind, *document, None, None, 0)

    @api.model
    def _add_reported(self, graph, reported):
        """The items partners' events report above the lots (``trace.engine._trace_extra``),
        each one node per code, a column per level left of the vendors, with an edge to what
        it was made into (the lot we received, or the item of the level below)."""
        if not reported:
            return
        lot_columns = [node["column"] for node in graph["nodes"].values() if node["kind"] == "lot"] or [0]
        for item in sorted(reported, key=lambda item: item["depth"]):
            node_id = f"reported:{item['code']}"
            label = self.env._("Reported by %(partner)s", partner=item["partner_name"])
            column = min(lot_columns) - 2 - item["depth"]
            name = item["lot"] or item["serial"] or item["code"]
            self._add_node(graph, node_id, "reported", label, "trace.epcis.event", item["epcis_event_id"], name, column)
            graph["nodes"][node_id].update(
                {key: item[key] for key in ("code", "gtin", "partner_id", "facility", "event_time", "product_name")}
            )
            target = f"lot:{item['lot_id']}" if item["depth"] == 1 else f"reported:{item['into_code']}"
            if target in graph["nodes"]:
                self._add_edge(graph, node_id, target, "reported", None, None, None, item["quantity"], item["uom"], 1)

    @api.model
    def _add_node(self, graph, node_id, kind, kind_label, res_model, res_id, label, column):
        if node_id in graph["nodes"]:
            return
        graph["nodes"][node_id] = {
            "id": node_id,
            "kind": kind,
            "kind_label": kind_label,
            "res_model": res_model,
            "res_id": res_id,
            "label": label,
            "column": column,
        }

    @api.model
    def _add_edge(self, graph, source, target, kind, document, res_model, res_id, quantity, uom, count):
        """Add an edge, or add ``quantity`` and ``count`` to the same one (same ends, kind and
        document)."""
        key = (source, target, kind, res_model, res_id, document)
        edge = graph["edges"].get(key)
        if edge is None:
            graph["edges"][key] = {
                "source": source,
                "target": target,
                "kind": kind,
                "document": document,
                "res_model": res_model,
                "res_id": res_id,
                "quantity": quantity,
                "uom": uom,
                "count": count,
            }
            return
        edge["count"] += count
        if edge["quantity"] is not None and quantity is not None and edge["uom"] == uom:
            edge["quantity"] += quantity

    @api.model
    def _group(self, graph, products, threshold, expand=()):
        """Group the nodes of one product in each column of more than ``threshold`` nodes
        (lots by their product, documents by the product of their lots, partners all
        together), except the groups whose ids are in ``expand``, and merge the edges
        between the same nodes. Returns whether any were."""
        nodes, edges = graph["nodes"], graph["edges"]
        by_column = defaultdict(list)
        for node in nodes.values():
            by_column[node["column"]].append(node)
        # The product of each document: of the lots on its edges (one, else none).
        document_products = defaultdict(set)
        for edge in edges.values():
            for end, other in ((edge["source"], edge["target"]), (edge["target"], edge["source"])):
                if end.startswith("picking:") and other.startswith("lot:"):
                    document_products[end].add(nodes[other].get("product_id"))
        renamed = {}
        for column, members in by_column.items():
            if len(members) <= threshold:
                continue
            buckets = defaultdict(list)
            for node in members:
                if node["kind"] == "lot":
                    product_id = node["product_id"]
                elif node["kind"] in ("delivery", "receipt"):
                    found = document_products.get(node["id"], set())
                    product_id = next(iter(found)) if len(found) == 1 else None
                else:
                    product_id = None
                buckets[node["kind"], product_id].append(node)
            for (kind, product_id), bucket in buckets.items():
                if len(bucket) < 2 or self._group_id(column, kind, product_id) in expand:
                    continue
                group = self._group_node(column, kind, product_id, bucket, products)
                for node in bucket:
                    renamed[node["id"]] = group["id"]
                    del nodes[node["id"]]
                nodes[group["id"]] = group
        if not renamed:
            return False
        merged = {}
        for edge in edges.values():
            source, target = renamed.get(edge["source"], edge["source"]), renamed.get(edge["target"], edge["target"])
            if source == target:
                continue
            key = (source, target, edge["kind"])
            into = merged.get(key)
            if into is None:
                merged[key] = dict(edge, source=source, target=target)
                continue
            if (into["res_model"], into["res_id"], into["document"]) != (
                edge["res_model"],
                edge["res_id"],
                edge["document"],
            ):
                into.update(document=None, res_model=None, res_id=None)
            if into["quantity"] is not None and edge["quantity"] is not None and into["uom"] == edge["uom"]:
                into["quantity"] += edge["quantity"]
            else:
                into["quantity"] = into["uom"] = None
            into["count"] += edge["count"]
        graph["edges"] = merged
        return True

    @api.model
    def _group_id(self, column, kind, product_id):
        return f"group:{column}:{kind}:{product_id or 0}"

    @api.model
    def _group_node(self, column, kind, product_id, members, products):
        """The ``group`` node standing for ``members`` (nodes of ``kind`` in ``column``)."""
        product = products.get(product_id, {}).get("name")
        count = len(members)
        labels = {
            "lot": self.env._("%(product)s: %(count)s lots", product=product, count=count),
            "delivery": self.env._("%(product)s: %(count)s deliveries", product=product, count=count),
            "receipt": self.env._("%(product)s: %(count)s receipts", product=product, count=count),
        }
        if not product or kind not in labels:
            labels = {
                "lot": self.env._("%(count)s lots", count=count),
                "delivery": self.env._("%(count)s deliveries", count=count),
                "receipt": self.env._("%(count)s receipts", count=count),
                "customer": self.env._("%(count)s customers", count=count),
                "vendor": self.env._("%(count)s vendors", count=count),
            }
        group = {
            "id": self._group_id(column, kind, product_id),
            "kind": "group",
            "group_kind": kind,
            "res_model": members[0]["res_model"],
            "res_id": None,
            "label": labels[kind],
            "column": column,
            "count": count,
            "members": sorted((node["id"] for node in members), key=lambda node_id: int(node_id.split(":")[1])),
            "product_id": product_id if product else None,
            "product_name": product,
        }
        if kind == "lot":
            statuses = defaultdict(int)
            for node in members:
                statuses[node["quality_status"]] += 1
            group["quality_statuses"] = dict(statuses)
            group["recalled"] = bool(statuses.get("recalled"))
            group["held"] = any(status not in ("released", "recalled") for status in statuses)
            group["is_start"] = any(node["is_start"] for node in members)
        return group


def _levels(start_ids, arcs):
    """``{lot id: level}`` of the lots reached from ``start_ids`` (level 0) over ``arcs``
    (``(from, to)`` pairs): the longest path from a starting lot, so that every arc goes to a
    higher level, except the arcs closing a cycle (rework), which are left out (a depth-first
    search finds them), so that the levels are finite."""
    start = set(start_ids)
    children = defaultdict(list)
    for source, target in arcs:
        if target not in start:
            children[source].append(target)
    state, order = {}, []
    for root in start_ids:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(children[root]))]
        while stack:
            node, todo = stack[-1]
            for target in todo:
                if target not in state:
                    state[target] = 1
                    stack.append((target, iter(children[target])))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()
    order.reverse()  # a topological order once the arcs closing a cycle are left out
    position = {node: index for index, node in enumerate(order)}
    levels = dict.fromkeys(start, 0)
    for node in order:
        level = levels.get(node, 0)
        for target in children[node]:
            if position[target] > position[node] and levels.get(target, 0) < level + 1:
                levels[target] = level + 1
    return levels
