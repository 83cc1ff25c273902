from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import trace_map
from ..compat import domain_sql
from ..external_api import check_records

# The kinds of move lines the engine classifies; each has one definition below, stored on
# every move line as ``trace_is_<kind>`` (``stock.move.line``).
LINE_KINDS = ("delivery", "receipt", "customer_return", "production")
# The stored partner of a move line of each kind (a production has none).
PARTNER_COLUMNS = {
    "delivery": "trace_customer_id",
    "customer_return": "trace_customer_id",
    "receipt": "trace_vendor_id",
}
# The directions of a trace map (:meth:`TraceEngine._trace_graph`).
GRAPH_DIRECTIONS = ("forward", "backward", "both")
# Columns per group in a trace map above which the nodes of one product are grouped.
GRAPH_GROUP_THRESHOLD = 60


class TraceEngine(models.AbstractModel):
    """The trace engine: the one place that answers "which lots, documents, deliveries and
    customers does this reach".

    Everything that follows a lot asks it: ``stock.lot.trace_forward/trace_backward`` (thin
    wrappers), the genealogy explorer, the recall's lists, its exports and the serial
    registry of ``trace_warranty``. Another add-on changes what they all see by overriding
    a hook, the way ``stock_dropshipping`` extends ``stock.lot._get_outgoing_domain``:

    - :meth:`_get_delivery_domain`, :meth:`_get_receipt_domain`,
      :meth:`_get_customer_return_domain`, :meth:`_get_production_domain`: which done move
      lines are a delivery, a receipt, a return from a customer, a production output
      (``stock.move.line`` domains, used in SQL and in Python: a transfer not done yet is
      judged by its move lines, or by its moves before it has any);
    - :meth:`_get_partner_fields`: who the customer of a delivery (the vendor of a receipt)
      is, from the line's move and transfer;
    - :meth:`_get_link_columns`: the genealogy edge followed in each direction.

    What each move line is, and its customer and vendor, are stored on the line
    (``trace_is_<kind>``, ``trace_customer_id``, ``trace_vendor_id`` of ``stock.move.line``),
    computed from these hooks by the ORM whenever a field they read changes, so a trace
    reads them with the line instead of judging it again. An add-on that overrides a hook
    stores them again for the lines already there: ``env["trace.engine"]._store_line_kinds()``
    in its ``post_init_hook`` and ``uninstall_hook`` (one statement).

    The answers are set-based SQL (one statement per step, each step an index lookup by
    key), filtered by the caller's access rights and record rules
    (:meth:`_readable_query`).
    """

    _name = "trace.engine"
    _description = "Trace Engine"

    # ------------------------------------------------------------------
    # definitions (hooks)
    # ------------------------------------------------------------------
    @api.model
    def _get_delivery_domain(self):
        """The move lines that deliver goods to a customer: to a customer location (a dropship
        included), or in a transfer of an outgoing type (what Odoo's own ``delivery_ids``
        follows: multi-step shipping's last step, inter-company deliveries through transit),
        except returns to a vendor location (where the goods came from)."""
        return [
            "|",
            ("location_dest_id.usage", "=", "customer"),
            "&",
            ("picking_id.picking_type_id.code", "=", "outgoing"),
            ("location_dest_id.usage", "!=", "supplier"),
        ]

    @api.model
    def _get_receipt_domain(self):
        """The move lines that bring goods in from outside: from a vendor location (a dropship
        is a receipt and a delivery), or a receipt from the inter-company transit location."""
        return [
            "|",
            ("location_id.usage", "=", "supplier"),
            "&",
            ("location_id.usage", "=", "transit"),
            ("picking_id.picking_type_id.code", "=", "incoming"),
        ]

    @api.model
    def _get_customer_return_domain(self):
        """The move lines that bring goods back from a customer."""
        return [("location_id.usage", "=", "customer")]

    @api.model
    def _get_production_domain(self):
        """The move lines that produce a lot: out of production, for a manufacturing order or
        a lot transformation (the outputs of a transformation event)."""
        return [
            ("location_id.usage", "=", "production"),
            "|",
            ("move_id.production_id", "!=", False),
            ("move_id.trace_transformation_id", "!=", False),
        ]

    @api.model
    def _get_partner_fields(self, kind):
        """The fields of a move line of ``kind`` (paths of many2one fields) that give its partner,
        the first one set wins: the customer of a delivery (or a return from a customer) is
        the move's destination address (a dropship's customer, the vendor being the
        transfer's partner), else the transfer's partner; the vendor of a receipt is the
        transfer's partner. A production has none."""
        if kind == "receipt":
            return ("picking_id.partner_id",)
        if kind == "production":
            return ()
        return ("move_id.partner_id", "picking_id.partner_id")

    @api.model
    def _get_link_columns(self, direction):
        """(column followed from, column reached) of ``trace_lot_link`` for ``direction``."""
        if direction == "forward":
            return SQL.identifier("parent_lot_id"), SQL.identifier("child_lot_id")
        return SQL.identifier("child_lot_id"), SQL.identifier("parent_lot_id")

    @api.model
    def _get_link_documents(self):
        """``{link_type: (column of trace_lot_link, model)}``: the document of each kind of
        genealogy link, shown on the edges of a trace map (:meth:`_trace_graph`) with its
        ``name``. ``trace_warranty`` adds its service events."""
        return {
            "production": ("production_id", "mrp.production"),
            "unbuild": ("unbuild_id", "mrp.unbuild"),
            "transformation": ("transformation_id", "trace.lot.transformation"),
        }

    @api.model
    def _get_line_domain(self, kind):
        """The domain of move lines of ``kind`` (one of :data:`LINE_KINDS`)."""
        if kind not in LINE_KINDS:
            raise UserError(self.env._("Unknown kind of move line %(kind)r.", kind=kind))
        return getattr(self, f"_get_{kind}_domain")()

    # ------------------------------------------------------------------
    # what each move line is (stored)
    # ------------------------------------------------------------------
    @api.model
    def _get_line_kind_depends(self):
        """The fields the hooks read (paths from a move line): the stored kinds and partners of
        a line are computed again when one of them changes."""
        paths = set()
        for kind in LINE_KINDS:
            paths.update(_domain_paths(self._get_line_domain(kind)))
            paths.update(self._get_partner_fields(kind))
        return sorted(paths)

    @api.model
    def _compute_line_kinds(self, lines):
        """Set on ``lines`` (move lines, saved or not) what each one is and its customer and
        vendor, from the hooks (applied in Python: :meth:`_filter_lines`)."""
        of_kind = {kind: self._filter_lines(lines, kind) for kind in LINE_KINDS}
        for line in lines:
            values = {f"trace_is_{kind}": line in of_kind[kind] for kind in LINE_KINDS}
            customer_kind = next((kind for kind in ("delivery", "customer_return") if values[f"trace_is_{kind}"]), None)
            values["trace_customer_id"] = self._line_partner(line, customer_kind)
            values["trace_vendor_id"] = self._line_partner(line, "receipt" if values["trace_is_receipt"] else None)
            line.update(values)

    @api.model
    def _line_partner(self, line, kind):
        """The partner of the move line ``line`` as a line of ``kind`` (none without a kind)."""
        for path in self._get_partner_fields(kind) if kind else ():
            partner = line.sudo().mapped(path)[:1]
            if partner:
                return partner.with_env(line.env)
        return self.env["res.partner"]

    @api.model
    def _store_line_kinds(self, line_ids=None):
        """Store what every move line is (or the lines ``line_ids``), and its customer and
        vendor, in one statement from the same hooks as the ORM's computation (compiled to SQL
        by Odoo's own domain parser): on install, and after an add-on changes a definition.
        Returns the number of lines whose values changed."""
        MoveLine = self.env["stock.move.line"].sudo().with_context(active_test=False)
        self.env.flush_all()
        query = MoveLine._search([])
        is_kind = {}
        for kind in LINE_KINDS:
            condition = domain_sql(MoveLine, self._get_line_domain(kind), query)
            is_kind[kind] = SQL("COALESCE(%s, FALSE)", condition)

        def partner(kind):
            paths = [self._path_sql(query, path) for path in self._get_partner_fields(kind)]
            return SQL("COALESCE(%s)", SQL(", ").join(paths)) if paths else SQL("NULL::int")

        line = SQL.identifier(query.table, "id")
        select = SQL(
            "SELECT %s AS id, %s, CASE WHEN %s THEN %s WHEN %s THEN %s END AS customer_id,"
            " CASE WHEN %s THEN %s END AS vendor_id FROM %s WHERE %s",
            line,
            SQL(", ").join(SQL("%s AS %s", is_kind[kind], SQL.identifier(kind)) for kind in LINE_KINDS),
            is_kind["delivery"],
            partner("delivery"),
            is_kind["customer_return"],
            partner("customer_return"),
            is_kind["receipt"],
            partner("receipt"),
            query.from_clause,
            SQL("TRUE") if line_ids is None else SQL("%s = ANY(%s)", line, list(line_ids)),
        )
        columns = [*(f"trace_is_{kind}" for kind in LINE_KINDS), "trace_customer_id", "trace_vendor_id"]
        values = [SQL.identifier("kind", name) for name in (*LINE_KINDS, "customer_id", "vendor_id")]
        stored = SQL(", ").join(SQL.identifier("line", column) for column in columns)
        self.env.cr.execute(
            SQL(
                """UPDATE stock_move_line line SET (%s) = (%s) FROM (%s) kind
                    WHERE line.id = kind.id AND (%s) IS DISTINCT FROM (%s)""",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(values),
                select,
                stored,
                SQL(", ").join(values),
            )
        )
        MoveLine.invalidate_model(columns)
        return self.env.cr.rowcount

    @api.model
    def _path_sql(self, query, path):
        """SQL of the field ``path`` (many2one fields, then a field) of the move lines of
        ``query``, each many2one joined once."""
        model = self.env["stock.move.line"]
        alias = query.table
        *links, name = path.split(".")
        for link in links:
            field = model._fields[link]
            if field.type != "many2one":
                raise UserError(
                    self.env._(
                        "%(path)s: only many2one fields lead to a partner (%(field)s is not one).",
                        path=path,
                        field=link,
                    )
                )
            target = query.make_alias(alias, link)
            if target not in query._joins:
                query.add_join(
                    "LEFT JOIN",
                    target,
                    self.env[field.comodel_name]._table,
                    SQL("%s = %s", SQL.identifier(target, "id"), SQL.identifier(alias, link)),
                )
            alias, model = target, self.env[field.comodel_name]
        return model._field_to_sql(alias, name, query)

    # ------------------------------------------------------------------
    # move lines
    # ------------------------------------------------------------------
    @api.model
    def _lines_query(self, kind, where, columns=(), flag=False):
        """``SELECT line_id, lot_id, move_id, picking_id, partner_id, product_id, quantity,
        date, company_id, location_id, location_dest_id, *columns`` of the done move lines of
        ``kind`` matching ``where`` (SQL on the move line alias ``stock_move_line``; ``columns``
        may use its move ``trace_move`` and its transfer ``stock_move_line__picking_id``).

        With ``flag``, every done line matching ``where`` instead: ``move_id, picking_id,
        is_kind, partner_id`` (the trace reads each line once, for its orders, its documents
        and their partners: :meth:`_trace_query`).

        Kinds and partners are the ones stored on the lines; record rules are not applied:
        the callers filter what they return (:meth:`_readable_query`)."""
        self._get_line_domain(kind)  # checks the kind
        line = "stock_move_line"
        is_kind = SQL.identifier(line, f"trace_is_{kind}")
        partner = SQL.identifier(line, PARTNER_COLUMNS[kind]) if kind in PARTNER_COLUMNS else SQL("NULL::int")
        done = SQL("%s = 'done'", SQL.identifier(line, "state"))
        if flag:
            return SQL(
                "SELECT %s, %s, %s AS is_kind, %s AS partner_id FROM %s WHERE %s AND %s",
                SQL.identifier(line, "move_id"),
                SQL.identifier(line, "picking_id"),
                is_kind,
                partner,
                SQL.identifier(line),
                done,
                where,
            )
        query = self.env["stock.move.line"].sudo()._search([])
        self._path_sql(query, "picking_id.id")  # the transfer, for the columns
        query.add_join("JOIN", "trace_move", "stock_move", SQL("trace_move.id = %s", SQL.identifier(line, "move_id")))
        query.add_where(is_kind)
        query.add_where(done)
        query.add_where(where)
        return query.select(
            SQL("%s AS line_id", SQL.identifier(line, "id")),
            *(SQL.identifier(line, name) for name in ("lot_id", "move_id", "picking_id")),
            SQL("%s AS partner_id", partner),
            SQL.identifier(line, "product_id"),
            SQL("%s AS quantity", SQL.identifier(line, "quantity_product_uom")),
            *(SQL.identifier(line, name) for name in ("date", "company_id", "location_id", "location_dest_id")),
            *columns,
        )

    @api.model
    def _lot_lines_query(self, kind, lot_ids, columns=(), flag=False):
        """:meth:`_lines_query` of the lots ``lot_ids`` (a list, or SQL selecting ids): each
        lot's lines read through the move line lot index. A list is passed as an array the
        planner cannot size, so thousands of lots never tip it into scanning every line."""
        if not isinstance(lot_ids, SQL):
            lot_ids = SQL("SELECT unnest(%s::int[])", sorted(lot_ids))
        return self._lines_query(
            kind, SQL("%s = ANY(ARRAY(%s))", SQL.identifier("stock_move_line", "lot_id"), lot_ids), columns, flag
        )

    @api.model
    def _filter_lines(self, lines, kind):
        """The move lines (or moves) of ``lines`` that are of ``kind``, whatever their state (a
        transfer being validated asks whether it is a delivery); same definition as in SQL."""
        return (
            lines.sudo()
            .with_context(active_test=False)
            .filtered_domain(self._get_line_domain(kind))
            .with_env(lines.env)
        )

    # ------------------------------------------------------------------
    # genealogy
    # ------------------------------------------------------------------
    @api.model
    def _reach_sql(self, lot_ids, direction, max_depth=None):
        """The recursive ``trace_reached(lot_id[, depth])`` of a ``WITH RECURSIVE``: the lots
        ``lot_ids`` and every lot reached from them over the genealogy links in ``direction``.

        ``UNION`` keeps each lot once, so cycles (rework) end; with ``max_depth`` each
        (lot, level) is kept once.
        """
        source, target = self._get_link_columns(direction)
        if max_depth is None:
            return SQL(
                """trace_reached(lot_id) AS (
                        SELECT unnest(%(start)s::int[])
                    UNION
                        SELECT link.%(target)s FROM trace_reached reached
                          JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                )""",
                start=list(lot_ids),
                source=source,
                target=target,
            )
        return SQL(
            """trace_reached(lot_id, depth) AS (
                    SELECT unnest(%(start)s::int[]), 0
                UNION
                    SELECT link.%(target)s, reached.depth + 1
                      FROM trace_reached reached JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                     WHERE reached.depth < %(depth)s
            )""",
            start=list(lot_ids),
            source=source,
            target=target,
            depth=max_depth,
        )

    @api.model
    def _lot_ids(self, lot_ids, direction, max_depth=None):
        """Ids of the lots reached from ``lot_ids`` in ``direction`` (starting lots excluded),
        whether the caller may read them or not: callers filter (:meth:`_readable`)."""
        self.env["trace.lot.link"].flush_model()
        self.env.cr.execute(
            SQL(
                "WITH RECURSIVE %s SELECT DISTINCT lot_id FROM trace_reached WHERE lot_id <> ALL(%s::int[])",
                self._reach_sql(lot_ids, direction, max_depth),
                list(lot_ids),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _affected_lot_ids(self, lots):
        """The lots ``lots`` and every lot made from them that the caller may read."""
        self._check_arguments(lots, None)
        return set(lots.ids) | set(self._readable("stock.lot", self._lot_ids(lots.ids, "forward")))

    # ------------------------------------------------------------------
    # the trace
    # ------------------------------------------------------------------
    @api.model
    def _trace(self, lots, direction, max_depth=None):
        """The trace of ``lots`` (what ``stock.lot.trace_forward/trace_backward`` return) in one
        SQL statement (:meth:`_trace_query`), checked as it goes: the starting lots must exist
        and be readable, and every lot, document and partner returned is one the caller may
        read, so nothing of another company leaks through."""
        max_depth = self._check_depth(lots, max_depth)
        if not lots.browse().has_access("read"):
            lots.check_access("read")  # the model's access rights: raises
        if not all(isinstance(lot_id, int) for lot_id in lots._ids):
            self._check_lots_exist(lots)  # new records: raises
        self.env.flush_all()
        self.env.cr.execute(self._trace_query(list(lots._ids), direction, max_depth))
        found = {"lot": [], "production": [], "picking": [], "partner": [], "missing": [], "denied": []}
        for kind, record_id in self.env.cr.fetchall():
            found[kind].append(record_id)
        if found["missing"]:
            self._raise_missing_lots(lots.browse(found["missing"]))
        if found["denied"]:
            lots.check_access("read")  # the record rules: raises their AccessError
        return {
            "lot_ids": sorted(found["lot"]),
            "production_ids": sorted(found["production"]),
            "picking_ids": sorted(found["picking"]),
            "partner_ids": sorted(found["partner"]),
        }

    @api.model
    def _trace_query(self, lot_ids, direction, max_depth):
        """One statement, ``(kind, id)`` rows: the lots reached (``lot``), their manufacturing
        orders, their deliveries (forward) or receipts (backward) and those documents'
        partners, and the starting lots that do not exist (``missing``) or that the caller
        may not read (``denied``).

        Every step is an index lookup by key: the genealogy links, then the done move lines
        of the lots, then their moves and transfers by id, each filtered by the caller's
        record rules. The ids of each step are passed on as an array the planner cannot size
        (``ARRAY(SELECT ...)``): sized, thousands of lots tip it into hash joins that scan
        every move or transfer of the database, so the cost would follow the size of the
        database instead of the size of the trace. One statement instead of one per step
        keeps the trace of a lot with nothing downstream within a round trip.
        """
        start = SQL("%s::int[]", lot_ids)
        forward = direction == "forward"
        kind = "delivery" if forward else "receipt"
        # Every done line of the lots reached (one read through the lot index), whether it is a
        # delivery (forward) or a receipt (backward) and its partner (stored on the line); then
        # their moves, by id, for their orders.
        lines = self._lot_lines_query(kind, SQL("SELECT id FROM trace_lot"), flag=True)
        production_column = SQL.identifier("raw_material_production_id" if forward else "production_id")
        readable = self._readable_query
        return SQL(
            """
            WITH RECURSIVE %(reached)s,
            trace_lot AS MATERIALIZED (%(lots)s),
            trace_line AS MATERIALIZED (%(lines)s),
            trace_production AS MATERIALIZED (%(productions)s),
            trace_picking AS MATERIALIZED (%(pickings)s)
            SELECT 'lot', id FROM trace_lot WHERE id <> ALL(%(start)s)
             UNION ALL
            SELECT 'production', id FROM trace_production
             UNION ALL
            SELECT 'picking', id FROM trace_picking
             UNION ALL
            SELECT 'partner', id FROM (%(partners)s) partner
             UNION ALL
            SELECT 'missing', start.id FROM unnest(%(start)s) start(id)
             WHERE NOT EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)
             UNION ALL
            SELECT 'denied', start.id FROM unnest(%(start)s) start(id)
             WHERE EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)
               AND start.id NOT IN (SELECT id FROM trace_lot)
            """,
            reached=self._reach_sql(lot_ids, direction, max_depth),
            start=start,
            lines=lines,
            lots=readable("stock.lot", SQL("SELECT lot_id FROM trace_reached")),
            productions=readable(
                "mrp.production",
                SQL(
                    "SELECT %(column)s FROM stock_move"
                    " WHERE id = ANY(ARRAY(SELECT move_id FROM trace_line)) AND %(column)s IS NOT NULL",
                    column=production_column,
                ),
            ),
            pickings=readable("stock.picking", SQL("SELECT picking_id FROM trace_line WHERE is_kind"), "*"),
            # The partners of the documents the caller may read (and of lines in no transfer).
            partners=readable(
                "res.partner",
                SQL(
                    """SELECT trace_line.partner_id FROM trace_line
                        LEFT JOIN trace_picking ON trace_picking.id = trace_line.picking_id
                       WHERE trace_line.is_kind AND (trace_line.picking_id IS NULL OR trace_picking.id IS NOT NULL)"""
                ),
            ),
        )

    # ------------------------------------------------------------------
    # the trace map
    # ------------------------------------------------------------------
    @api.model
    def _trace_graph(self, lots, direction, max_depth=None, group_threshold=None, expand=None):
        """The trace of ``lots`` as a map to draw (``stock.lot.trace_graph``): the same lots,
        documents and partners as :meth:`_trace` (``direction`` ``"both"``: the forward and
        the backward trace together), as nodes in columns and the edges between them.

        Returns ``{"nodes", "edges", "start_lot_ids", "direction", "grouped"}``, JSON-ready:

        - a node: ``id`` (``"lot:12"``, ``"picking:5"``, ``"partner:7"``, ``"group:..."``),
          ``kind`` (``lot``, ``receipt``, ``delivery``, ``vendor``, ``customer``, ``group``),
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
          ``receipt``, ``delivery``: the move lines of a transfer), ``document``,
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
        self._check_direction(direction)
        max_depth = self._check_depth(lots, max_depth)
        group_threshold = self._check_group_threshold(group_threshold)
        expand = self._check_expand(expand)
        if not lots.browse().has_access("read"):
            lots.check_access("read")  # the model's access rights: raises
        if not all(isinstance(lot_id, int) for lot_id in lots._ids):
            self._check_lots_exist(lots)  # new records: raises
        self.env.flush_all()
        start = list(dict.fromkeys(lots._ids))
        graph = {"nodes": {}, "edges": {}, "lots": {}, "columns": {}}
        ways = ("forward", "backward") if direction == "both" else (direction,)
        parts = []
        for way in ways:
            self.env.cr.execute(self._trace_graph_query(start, way, max_depth))
            part = dict(
                zip(
                    ("lots", "arcs", "links", "lines", "pickings", "partners", "documents", "missing", "denied"),
                    self.env.cr.fetchone(),
                    strict=True,
                )
            )
            if part["missing"]:
                self._raise_missing_lots(lots.browse(part["missing"]))
            if part["denied"]:
                lots.check_access("read")  # the record rules: raises their AccessError
            parts.append((way, part))
        products = self._trace_graph_products({row[2] for _way, part in parts for row in part["lots"] or ()})
        statuses = dict(self.env["stock.lot"]._fields["quality_status"]._description_selection(self.env))
        for way, part in parts:
            self._trace_graph_lots(graph, way, start, part, products, statuses)
        for way, part in parts:
            self._trace_graph_links(graph, part, products)
            self._trace_graph_documents(graph, way, part, products)
        grouped = self._trace_graph_group(graph, products, group_threshold, expand) if group_threshold else False
        order = {"vendor": 0, "receipt": 1, "group": 2, "lot": 2, "delivery": 3, "customer": 4}
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
    def _trace_graph_query(self, lot_ids, direction, max_depth):
        """One statement, one row of JSON arrays: the readable lots reached in ``direction``
        (``[id, name, product_id, quality_status]``), every genealogy arc between the lots
        reached (``[from, to]`` in ``direction``, readable or not: for the columns only), the
        readable links between readable lots (``[parent, child, link_type, document_id,
        quantity, count]``), the delivery (forward) or receipt (backward) move lines of the
        readable lots whose transfer is readable (``[lot, picking, partner or null,
        quantity, count]``), those transfers and partners (``[id, name]``), the readable
        documents of the links (``[link_type, id, name]``), and the starting lots that do not
        exist or that the caller may not read. The same pieces as :meth:`_trace_query`."""
        source, target = self._get_link_columns(direction)
        kind = "delivery" if direction == "forward" else "receipt"
        readable = self._readable_query
        documents = self._get_link_documents()
        document_id = (
            SQL(
                "CASE link.link_type %s END",
                SQL(" ").join(
                    SQL("WHEN %s THEN link.%s", link_type, SQL.identifier(column))
                    for link_type, (column, _model) in documents.items()
                ),
            )
            if documents
            else SQL("NULL::int")
        )
        document_rows = [
            SQL(
                "SELECT %(type)s AS link_type, document.id, document.name::varchar FROM (%(query)s) document",
                type=link_type,
                query=readable(
                    model, SQL("SELECT document_id FROM trace_link WHERE link_type = %s", link_type), "name"
                ),
            )
            for link_type, (_column, model) in documents.items()
        ] or [SQL("SELECT NULL::varchar, NULL::int, NULL::varchar WHERE FALSE")]
        return SQL(
            """
            WITH RECURSIVE %(reached)s,
            trace_all AS MATERIALIZED (SELECT DISTINCT lot_id AS id FROM trace_reached),
            trace_lot AS MATERIALIZED (%(lots)s),
            trace_link AS MATERIALIZED (
                SELECT link.id, link.parent_lot_id, link.child_lot_id, link.link_type, link.quantity,
                       link.%(source)s AS from_id, link.%(target)s AS to_id, %(document_id)s AS document_id
                  FROM trace_all reached
                  JOIN trace_lot_link link ON link.%(source)s = reached.id
                 WHERE link.%(target)s IN (SELECT id FROM trace_all)
            ),
            trace_readable_link AS MATERIALIZED (%(links)s),
            trace_line AS MATERIALIZED (%(lines)s),
            trace_picking AS MATERIALIZED (%(pickings)s),
            trace_partner AS MATERIALIZED (%(partners)s),
            trace_document AS MATERIALIZED (%(documents)s)
            SELECT
                (SELECT json_agg(json_build_array(id, name, product_id, quality_status)) FROM trace_lot),
                (SELECT json_agg(json_build_array(from_id, to_id))
                   FROM (SELECT DISTINCT from_id, to_id FROM trace_link) arc),
                (SELECT json_agg(json_build_array(parent_lot_id, child_lot_id, link_type, document_id, quantity, n))
                   FROM (SELECT parent_lot_id, child_lot_id, link_type, document_id, SUM(quantity) AS quantity,
                                COUNT(*) AS n
                           FROM trace_link
                          WHERE id IN (SELECT id FROM trace_readable_link)
                            AND parent_lot_id IN (SELECT id FROM trace_lot)
                            AND child_lot_id IN (SELECT id FROM trace_lot)
                       GROUP BY parent_lot_id, child_lot_id, link_type, document_id) edge),
                (SELECT json_agg(json_build_array(lot_id, picking_id, partner_id, quantity, n))
                   FROM (SELECT trace_line.lot_id, trace_line.picking_id, trace_partner.id AS partner_id,
                                SUM(trace_line.quantity) AS quantity, COUNT(*) AS n
                           FROM trace_line
                           LEFT JOIN trace_picking ON trace_picking.id = trace_line.picking_id
                           LEFT JOIN trace_partner ON trace_partner.id = trace_line.partner_id
                          WHERE trace_line.picking_id IS NULL OR trace_picking.id IS NOT NULL
                       GROUP BY trace_line.lot_id, trace_line.picking_id, trace_partner.id) line),
                (SELECT json_agg(json_build_array(id, name)) FROM trace_picking),
                (SELECT json_agg(json_build_array(id, complete_name)) FROM trace_partner),
                (SELECT json_agg(json_build_array(link_type, id, name)) FROM trace_document),
                (SELECT array_agg(start.id) FROM unnest(%(start)s) start(id)
                  WHERE NOT EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)),
                (SELECT array_agg(start.id) FROM unnest(%(start)s) start(id)
                  WHERE EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)
                    AND start.id NOT IN (SELECT id FROM trace_lot))
            """,
            reached=self._reach_sql(lot_ids, direction, max_depth),
            start=SQL("%s::int[]", lot_ids),
            source=source,
            target=target,
            document_id=document_id,
            lots=readable("stock.lot", SQL("SELECT id FROM trace_all"), "name", "product_id", "quality_status"),
            links=readable("trace.lot.link", SQL("SELECT id FROM trace_link")),
            lines=self._lot_lines_query(kind, SQL("SELECT id FROM trace_lot")),
            pickings=readable("stock.picking", SQL("SELECT picking_id FROM trace_line"), "name"),
            # The partners of the documents the caller may read (and of lines in no transfer).
            partners=readable(
                "res.partner",
                SQL(
                    """SELECT trace_line.partner_id FROM trace_line
                        LEFT JOIN trace_picking ON trace_picking.id = trace_line.picking_id
                       WHERE trace_line.picking_id IS NULL OR trace_picking.id IS NOT NULL"""
                ),
                "complete_name",
            ),
            documents=SQL(" UNION ALL ").join(document_rows),
        )

    @api.model
    def _trace_graph_products(self, product_ids):
        """``{product id: {"name", "tracking", "uom"}}`` of the products the caller may read."""
        products = self.env["product.product"].with_context(active_test=False)
        readable = products.browse(self._readable("product.product", product_ids))
        return {
            product.id: {"name": product.display_name, "tracking": product.tracking, "uom": product.uom_id.sudo().name}
            for product in readable
        }

    @api.model
    def _trace_graph_lots(self, graph, direction, start, part, products, statuses):
        """The lot nodes of one direction, in the columns of their genealogy level
        (``statuses``: the label of each quality status)."""
        levels = _graph_levels(start, part["arcs"] or ())
        sign = -1 if direction == "backward" else 1
        for lot_id, name, product_id, status in part["lots"] or ():
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
    def _trace_graph_links(self, graph, part, products):
        """The lot-to-lot edges (readable links between readable lots) and their documents."""
        names = {(link_type, doc_id): name for link_type, doc_id, name in part["documents"] or ()}
        models = {link_type: model for link_type, (_column, model) in self._get_link_documents().items()}
        for parent_id, child_id, link_type, document_id, quantity, count in part["links"] or ():
            document = names.get((link_type, document_id))
            self._trace_graph_edge(
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
    def _trace_graph_documents(self, graph, direction, part, products):
        """The deliveries and customers (forward) or receipts and vendors (backward) of the
        lots, one and two columns beyond the outermost lots."""
        forward = direction == "forward"
        kind, partner_kind = ("delivery", "customer") if forward else ("receipt", "vendor")
        lot_columns = [node["column"] for node in graph["nodes"].values() if node["kind"] == "lot"] or [0]
        column = max(lot_columns) + 1 if forward else min(lot_columns) - 1
        partner_column = column + (1 if forward else -1)
        pickings = dict(part["pickings"] or ())
        partners = dict(part["partners"] or ())
        kind_labels = {
            "delivery": self.env._("Delivery"),
            "customer": self.env._("Customer"),
            "receipt": self.env._("Receipt"),
            "vendor": self.env._("Vendor"),
        }
        for picking_id, name in pickings.items():
            self._trace_graph_node(
                graph, f"picking:{picking_id}", kind, kind_labels[kind], "stock.picking", picking_id, name, column
            )
        for partner_id, name in partners.items():
            node_id, label = f"partner:{partner_id}", kind_labels[partner_kind]
            self._trace_graph_node(graph, node_id, partner_kind, label, "res.partner", partner_id, name, partner_column)
        for lot_id, picking_id, partner_id, quantity, count in part["lines"] or ():
            lot = f"lot:{lot_id}"
            uom = products.get(graph["lots"].get(lot_id), {}).get("uom")
            picking = f"picking:{picking_id}" if picking_id else None
            partner = f"partner:{partner_id}" if partner_id else None
            document = (pickings[picking_id], "stock.picking", picking_id) if picking_id else (None, None, None)
            ends = [lot, picking or partner] if forward else [picking or partner, lot]
            if ends[0] and ends[1]:
                self._trace_graph_edge(graph, *ends, kind, *document, quantity, uom, count)
            if picking and partner:
                ends = [picking, partner] if forward else [partner, picking]
                self._trace_graph_edge(graph, *ends, kind, *document, None, None, 0)

    @api.model
    def _trace_graph_node(self, graph, node_id, kind, kind_label, res_model, res_id, label, column):
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
    def _trace_graph_edge(self, graph, source, target, kind, document, res_model, res_id, quantity, uom, count):
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
    def _trace_graph_group(self, graph, products, threshold, expand=()):
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
                if len(bucket) < 2 or self._trace_graph_group_id(column, kind, product_id) in expand:
                    continue
                group = self._trace_graph_group_node(column, kind, product_id, bucket, products)
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
    def _trace_graph_group_id(self, column, kind, product_id):
        return f"group:{column}:{kind}:{product_id or 0}"

    @api.model
    def _trace_graph_group_node(self, column, kind, product_id, members, products):
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
            "id": self._trace_graph_group_id(column, kind, product_id),
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

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    @api.model
    def _readable_query(self, model_name, ids_query, *columns):
        """``SELECT id, *columns`` (or every column, with ``"*"``) of the records of
        ``model_name`` with an id given by ``ids_query`` that the current user may read
        (access rights and record rules), archived ones included."""
        Model = self.env[model_name].with_context(active_test=False)
        if not Model.has_access("read"):
            if columns == ("*",):
                return SQL("SELECT * FROM %s WHERE FALSE", SQL.identifier(Model._table))
            return SQL(
                "SELECT %s WHERE FALSE",
                SQL(", ").join(SQL("NULL::int AS %s", SQL.identifier(column)) for column in ("id", *columns)),
            )
        query = Model._search([])
        query.add_where(SQL("%s = ANY(ARRAY(%s))", SQL.identifier(query.table, "id"), ids_query))
        if columns == ("*",):
            return query.select(SQL("%s.*", SQL.identifier(query.table)))
        return query.select(*(SQL.identifier(query.table, column) for column in ("id", *columns)))

    @api.model
    def _readable(self, model_name, ids):
        """The sorted subset of ``ids`` the current user may read (access rights and record rules)."""
        if not ids:
            return []
        self.env.cr.execute(
            SQL("%s ORDER BY 1", self._readable_query(model_name, SQL("SELECT unnest(%s::int[])", list(ids))))
        )
        return [row[0] for row in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # arguments
    # ------------------------------------------------------------------
    @api.model
    def _check_arguments(self, lots, max_depth):
        """Refuse a trace of no lots, of lots that do not exist or that the caller may not
        read, or with a depth that is not a whole number of levels."""
        max_depth = self._check_depth(lots, max_depth)
        self._check_lots_exist(lots)
        lots.check_access("read")
        return max_depth

    @api.model
    def _check_direction(self, direction):
        if direction not in GRAPH_DIRECTIONS:
            raise UserError(
                self.env._(
                    "A trace direction is %(directions)s (got %(direction)r).",
                    directions=", ".join(f'"{way}"' for way in GRAPH_DIRECTIONS),
                    direction=direction,
                )
            )

    @api.model
    def _check_group_threshold(self, group_threshold):
        """The number of nodes of a column of a trace map above which it is grouped: the
        argument (0: never), else the system parameter, else :data:`GRAPH_GROUP_THRESHOLD`."""
        if group_threshold is None:
            value = self.env["ir.config_parameter"].sudo().get_param("trace_compliance.map_group_threshold")
            try:
                return max(int(value), 0) if value else GRAPH_GROUP_THRESHOLD
            except ValueError:
                return GRAPH_GROUP_THRESHOLD
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
    def _check_depth(self, lots, max_depth):
        """The checks of a trace's arguments that need no query: lots given, ids and depth."""
        if not lots:
            raise UserError(self.env._("Choose at least one lot or serial number to trace."))
        if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1):
            raise UserError(
                self.env._("A trace depth is a whole number of levels, 1 or more (got %(depth)r).", depth=max_depth)
            )
        check_records(lots, "stock.lot", required=False, exist=False)
        return max_depth

    @api.model
    def _check_lots_exist(self, lots):
        check_records(lots, "stock.lot", required=False, exist=False)
        self._raise_missing_lots(lots - lots.exists())

    @api.model
    def _raise_missing_lots(self, missing):
        if missing:
            raise UserError(
                self.env._("These lots/serial numbers do not exist: %(ids)s", ids=", ".join(map(str, missing._ids)))
            )


def _graph_levels(start_ids, arcs):
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


def _domain_paths(domain, prefix=""):
    """The field paths the leaves of ``domain`` read (through ``any`` / ``not any`` too)."""
    for leaf in domain:
        if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
            path = prefix + leaf[0]
            yield path
            if leaf[1] in ("any", "not any") and isinstance(leaf[2], (list, tuple)):
                yield from _domain_paths(leaf[2], path + ".")
