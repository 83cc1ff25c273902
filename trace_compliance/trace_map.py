"""Layout and drawing of a trace map (``stock.lot.trace_graph``).

Pure Python, no Odoo. :func:`layout` places the nodes of a graph in its columns (left to
right) and orders each column to keep edges from crossing: the layered ("Sugiyama") layout
of a graph whose layers are already known, ordered by the barycenter heuristic (a few
sweeps, each node placed at the mean position of its neighbours in the columns already
placed). It writes on every node and edge what a drawing needs: positions, the path of each
edge, colours, the status icon and the lines of text. Both drawings read only that:

- the web client's Trace Map (``static/src/trace_map/``) draws it in SVG, with pan, zoom,
  search and grouping on top;
- :func:`render_svg` draws it in SVG on the server, for the recall and batch record PDFs.

Why not a layout library (dagre, elkjs): the columns are the genealogy levels computed by
the trace engine, so what is left is ordering each column and drawing curves, a few dozen
lines; and the PDF must be drawn on the server, which a JavaScript library cannot do.
"""

from lxml import etree

NODE_WIDTH = 210
NODE_HEIGHT = 58
COLUMN_GAP = 130
ROW_GAP = 16
PADDING = 24
SWEEPS = 4
# Characters of a line of text that fit in a node (12 px sans-serif).
LINE_CHARS = 30

# Quality status of a lot: fill, stroke, icon (readable without colour), in the order of
# concern (a group takes the colour of its most serious status: see _concern).
STATUS_STYLES = {
    "released": ("#e8f5e9", "#2e7d32", "\u2714"),  # heavy check mark
    "quarantine": ("#fff8e1", "#b7791f", "\u25d0"),  # circle with left half black
    "on_hold": ("#fff0e0", "#c05621", "\u2016"),  # double vertical line (pause)
    "rejected": ("#eceff1", "#455a64", "\u2716"),  # heavy multiplication x
    "recalled": ("#fde2e4", "#b02a37", "\u26a0"),  # warning sign
}
# Other nodes: fill, stroke, icon.
KIND_STYLES = {
    "vendor": ("#e7f1ff", "#0b5ed7", "\u25c6"),  # black diamond
    "customer": ("#e7f1ff", "#0b5ed7", "\u25c6"),
    "receipt": ("#f8f9fa", "#6c757d", "\u25a4"),  # square with horizontal fill (a document)
    "delivery": ("#f8f9fa", "#6c757d", "\u25a4"),
    "reported": ("#fff8e1", "#8d6e00", "\u25c7"),  # white diamond: what a partner reports
}
# Edges: stroke and dash pattern by kind (unknown kinds: production's).
EDGE_STYLES = {
    "production": ("#495057", ""),
    "unbuild": ("#6f42c1", "6 3"),
    "transformation": ("#0d6efd", "2 3"),
    "service": ("#198754", "8 3 2 3"),
    "receipt": ("#868e96", ""),
    "delivery": ("#868e96", ""),
    "reported": ("#8d6e00", "4 3"),
}
START_STROKE = "#0a58ca"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def layout(graph, status_labels=None, sweeps=SWEEPS):
    """Lay ``graph`` (the result of ``trace_graph``) out, in place, and return it.

    Every node gets ``x``, ``y``, ``width``, ``height`` (its box), ``fill``, ``stroke``,
    ``stroke_width``, ``icon`` and ``lines`` (title, product or kind, status); every edge
    gets ``path`` (an SVG path from the right side of its source to the left side of its
    target; a loop below the boxes for an edge closing a rework cycle), ``label`` (document
    and quantity) with ``label_x``/``label_y``, ``stroke`` and ``dash``; the graph gets
    ``width``, ``height`` and ``legend`` (per quality status: ``status``, ``label`` from
    ``status_labels``, ``icon``, ``fill``, ``stroke``)."""
    nodes = graph["nodes"]
    columns = sorted({node["column"] for node in nodes})
    index = {column: i for i, column in enumerate(columns)}
    stacks = {column: [] for column in columns}
    for node in nodes:  # the server's order: kind, then label
        stacks[node["column"]].append(node["id"])
    by_id = {node["id"]: node for node in nodes}
    neighbours = {node_id: [] for node_id in by_id}
    for edge in graph["edges"]:
        if edge["source"] in by_id and edge["target"] in by_id:
            neighbours[edge["source"]].append(edge["target"])
            neighbours[edge["target"]].append(edge["source"])
    position = {}

    def place(column):
        stack = stacks[column]
        middle = (len(stack) - 1) / 2
        for rank, node_id in enumerate(stack):
            position[node_id] = rank - middle

    for column in columns:
        place(column)
    for _sweep in range(sweeps):
        for order, upstream in ((columns[1:], True), (columns[-2::-1], False)):
            for column in order:
                keys = {}
                for node_id in stacks[column]:
                    around = [
                        position[other]
                        for other in neighbours[node_id]
                        if (by_id[other]["column"] < column) == upstream and by_id[other]["column"] != column
                    ]
                    keys[node_id] = sum(around) / len(around) if around else position[node_id]
                stacks[column].sort(key=keys.__getitem__)  # stable: ties keep their order
                place(column)
    tallest = max((len(stack) for stack in stacks.values()), default=0)
    for column, stack in stacks.items():
        top = (tallest - len(stack)) / 2
        for rank, node_id in enumerate(stack):
            node = by_id[node_id]
            node.update(
                x=PADDING + index[column] * (NODE_WIDTH + COLUMN_GAP),
                y=round(PADDING + (top + rank) * (NODE_HEIGHT + ROW_GAP), 1),
                width=NODE_WIDTH,
                height=NODE_HEIGHT,
            )
            _style_node(node)
    graph["width"] = 2 * PADDING + len(columns) * NODE_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP
    graph["height"] = 2 * PADDING + tallest * NODE_HEIGHT + max(tallest - 1, 0) * ROW_GAP
    loops = False
    for edge in graph["edges"]:
        source, target = by_id.get(edge["source"]), by_id.get(edge["target"])
        if not source or not target:
            continue
        loops |= _route_edge(edge, source, target, graph["height"])
        edge["stroke"], edge["dash"] = EDGE_STYLES.get(edge["kind"], EDGE_STYLES["production"])
        edge["label"] = _edge_label(edge)
    if loops:  # room for the loops below the boxes
        graph["height"] += 2 * PADDING
    status_labels = status_labels or {}
    graph["legend"] = [
        {"status": status, "label": status_labels.get(status, status), "fill": fill, "stroke": stroke, "icon": icon}
        for status, (fill, stroke, icon) in STATUS_STYLES.items()
    ]
    return graph


def _style_node(node):
    kind = node["kind"]
    if kind == "lot" or (kind == "group" and node.get("group_kind") == "lot"):
        statuses = node.get("quality_statuses") or {node.get("quality_status"): 1}
        fill, stroke, icon = STATUS_STYLES.get(max(statuses, key=_concern), STATUS_STYLES["released"])
        if kind == "lot":
            status = f"{icon} {node.get('quality_status_label') or node.get('quality_status')}"
            subtitle = node.get("product_name") or ""
        else:
            status = "  ".join(
                f"{STATUS_STYLES.get(key, STATUS_STYLES['released'])[2]} {statuses[key]}"
                for key in sorted(statuses, key=_concern)
            )
            subtitle = "\u229e"  # squared plus: expands on click
    else:
        group_kind = node.get("group_kind") or kind
        fill, stroke, icon = KIND_STYLES.get(group_kind, KIND_STYLES["delivery"])
        subtitle = (node.get("product_name") or "") if kind == "group" else node.get("kind_label") or ""
        status = "\u229e" if kind == "group" else ""
    node.update(
        fill=fill,
        stroke=START_STROKE if node.get("is_start") else stroke,
        stroke_width=3 if node.get("is_start") else (2 if node.get("recalled") else 1.2),
        dash="5 3" if kind == "group" else "",
        icon=icon,
        lines=[_clip(f"{icon} {node['label']}"), _clip(subtitle), _clip(status)],
    )


def _concern(status):
    """The rank of a quality status in the order of concern (unknown: the least)."""
    return list(STATUS_STYLES).index(status) if status in STATUS_STYLES else 0


def _route_edge(edge, source, target, height):
    """Write the path and the label position of ``edge``; return whether it loops back."""
    sx, sy = source["x"] + source["width"], source["y"] + source["height"] / 2
    tx, ty = target["x"], target["y"] + target["height"] / 2
    if tx > sx:
        bend = max((tx - sx) / 2, 40)
        points = ((sx, sy), (sx + bend, sy), (tx - bend, ty), (tx, ty))
        looped = False
    else:  # closes a rework cycle: below the boxes, back to the left
        low = height + PADDING
        points = ((sx, sy), (sx + 2 * COLUMN_GAP, low), (tx - 2 * COLUMN_GAP, low), (tx, ty))
        looped = True
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    edge["path"] = f"M{x0:g},{y0:g} C{x1:g},{y1:g} {x2:g},{y2:g} {x3:g},{y3:g}"
    # The middle of the curve (t = 1/2).
    edge["label_x"] = round((x0 + 3 * x1 + 3 * x2 + x3) / 8, 1)
    edge["label_y"] = round((y0 + 3 * y1 + 3 * y2 + y3) / 8 - 4, 1)
    return looped


def _edge_label(edge):
    """The document and quantity of a genealogy edge; the quantity of a receipt or delivery
    edge (its transfer is a node of the map)."""
    parts = []
    if edge["kind"] not in ("receipt", "delivery"):
        if edge.get("document"):
            parts.append(edge["document"])
        elif (edge.get("count") or 0) > 1:
            parts.append(f"\u00d7{edge['count']}")
    quantity = edge.get("quantity")
    if quantity not in (None, False):
        amount = f"{quantity:,.3f}".rstrip("0").rstrip(".")
        parts.append(f"{amount} {edge['uom']}" if edge.get("uom") else amount)
    return _clip(" \u00b7 ".join(parts), LINE_CHARS + 4)


def _clip(text, size=LINE_CHARS):
    text = str(text or "")
    return text if len(text) <= size else text[: size - 1] + "\u2026"


def render_svg(graph, title=None):
    """The SVG document (a string) of ``graph`` as laid out by :func:`layout`, styled inline
    (it stands alone: in a PDF, in a file)."""
    if "width" not in graph:
        layout(graph)
    svg = etree.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=f"{graph['width']:g}",
        height=f"{graph['height']:g}",
        viewBox=f"0 0 {graph['width']:g} {graph['height']:g}",
        role="img",
        **{"font-family": FONT, "font-size": "12"},
    )
    if title:
        etree.SubElement(svg, "title").text = title
    edges = etree.SubElement(svg, "g", {"class": "edges"})
    for edge in graph["edges"]:
        if "path" not in edge:
            continue
        attributes = {"d": edge["path"], "fill": "none", "stroke": edge["stroke"], "stroke-width": "1.5"}
        if edge["dash"]:
            attributes["stroke-dasharray"] = edge["dash"]
        etree.SubElement(edges, "path", attributes)
        if edge["label"]:
            etree.SubElement(
                edges,
                "text",
                {
                    "x": f"{edge['label_x']:g}",
                    "y": f"{edge['label_y']:g}",
                    "text-anchor": "middle",
                    "font-size": "10",
                    "fill": "#343a40",
                },
            ).text = edge["label"]
    boxes = etree.SubElement(svg, "g", {"class": "nodes"})
    for node in graph["nodes"]:
        box = etree.SubElement(boxes, "g", {"transform": f"translate({node['x']:g},{node['y']:g})"})
        attributes = {
            "width": f"{node['width']:g}",
            "height": f"{node['height']:g}",
            "rx": "10" if node["kind"] in ("vendor", "customer") else "4",
            "fill": node["fill"],
            "stroke": node["stroke"],
            "stroke-width": f"{node['stroke_width']:g}",
        }
        if node["dash"]:
            attributes["stroke-dasharray"] = node["dash"]
        etree.SubElement(box, "rect", attributes)
        for row, line in enumerate(node["lines"]):
            if not line:
                continue
            text = etree.SubElement(
                box,
                "text",
                {"x": "8", "y": f"{17 + row * 16}", "fill": "#212529"},
            )
            if row == 0:
                text.set("font-weight", "bold")
            else:
                text.set("font-size", "11")
            text.text = line
    return etree.tostring(svg, encoding="unicode")
