from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

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
# The directions of a trace; "both" is the forward and the backward trace together (a trace map).
DIRECTIONS = ("forward", "backward", "both")


class TraceEngine(models.AbstractModel):
    """The trace engine: the one place that answers "which lots, documents, deliveries and
    customers does this reach", and nothing else.

    Everything that follows a lot asks it: ``stock.lot.trace_forward/trace_backward`` (thin
    wrappers), the trace map (``trace.map`` lays it out), the genealogy explorer, the
    recalls, their exports, FSMA 204 requests and ``trace_warranty``'s serial registry.
    Another add-on changes what they all see by overriding a hook, the way
    ``stock_dropshipping`` extends ``stock.lot._get_outgoing_domain``:

    - :meth:`_get_delivery_domain`, :meth:`_get_receipt_domain`,
      :meth:`_get_customer_return_domain`, :meth:`_get_production_domain`: which done move
      lines are a delivery, a receipt, a return from a customer, a production output
      (``stock.move.line`` domains, used in SQL and in Python: a transfer not done yet is
      judged by its move lines, or by its moves before it has any);
    - :meth:`_get_partner_fields`: who the customer of a delivery (the vendor of a receipt)
      is, from the line's move and transfer;
    - :meth:`_get_link_columns`, :meth:`_get_link_documents`: the genealogy edge followed in
      each direction, the document of each kind of link;
    - :meth:`_open_document_ids`, :meth:`_input_lines_query`, :meth:`_event_lot_ids`: what
      is still open on lots, what an order consumed, the lots of products' tracking events.

    What each move line is, and its customer and vendor, are stored on the line, computed
    from these hooks (a trace reads them with the line); an add-on that overrides a hook
    stores them again for the lines already there: ``env["trace.engine"]._store_line_kinds()``
    in its ``post_init_hook`` and ``uninstall_hook`` (one statement).

    The answers are set-based SQL (one statement per trace, each step an index lookup by
    key), their arguments checked by :meth:`_check_arguments` and what they return filtered
    by the caller's access rights and record rules (:meth:`_readable_query`).
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
        genealogy link, shown on the edges of a trace map (:meth:`_trace_map_data`) with its
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
    def _lines_query(self, kind, where, columns=(), every=False):
        """``SELECT line_id, lot_id, move_id, picking_id, partner_id, product_id, quantity,
        date, company_id, location_id, location_dest_id, is_kind, *columns`` of the done move
        lines of ``kind`` matching ``where`` (SQL on the move line alias ``stock_move_line``,
        its move ``trace_move`` and its transfer ``stock_move_line__picking_id``); with
        ``every`` (or ``kind`` None), of every done line matching ``where``, ``is_kind``
        telling which are of ``kind`` (the trace reads each line once: :meth:`_trace`).

        Kinds and partners (``partner_id``: as a line of ``kind``) are the ones stored on the
        lines; record rules are not applied: callers filter (:meth:`_readable_query`)."""
        line = "stock_move_line"
        if kind is not None:
            self._get_line_domain(kind)  # checks the kind
        is_kind = SQL.identifier(line, f"trace_is_{kind}") if kind else SQL("FALSE")
        partner = SQL.identifier(line, PARTNER_COLUMNS[kind]) if kind in PARTNER_COLUMNS else SQL("NULL::int")
        query = self.env["stock.move.line"].sudo()._search([])
        # Left joins on unique keys, left out by PostgreSQL where nothing reads them (a done
        # line always has a move: its state is its move's).
        self._path_sql(query, "picking_id.id")
        query.add_join("LEFT JOIN", "trace_move", "stock_move", SQL("trace_move.id = %s.move_id", SQL.identifier(line)))
        if kind and not every:
            query.add_where(is_kind)
        query.add_where(SQL("%s = 'done'", SQL.identifier(line, "state")))
        query.add_where(where)
        return query.select(
            SQL("%s AS line_id", SQL.identifier(line, "id")),
            *(SQL.identifier(line, name) for name in ("lot_id", "move_id", "picking_id")),
            SQL("%s AS partner_id", partner),
            SQL.identifier(line, "product_id"),
            SQL("%s AS quantity", SQL.identifier(line, "quantity_product_uom")),
            *(SQL.identifier(line, name) for name in ("date", "company_id", "location_id", "location_dest_id")),
            SQL("%s AS is_kind", is_kind),
            *columns,
        )

    @api.model
    def _lot_lines_query(self, kind, lot_ids, columns=(), every=False):
        """:meth:`_lines_query` of the lots ``lot_ids`` (a list, or SQL selecting ids): each
        lot's lines read through the move line lot index. A list is passed as an array the
        planner cannot size, so thousands of lots never tip it into scanning every line."""
        return self._lines_query(
            kind, SQL("%s = ANY(ARRAY(%s))", SQL.identifier("stock_move_line", "lot_id"), _ids(lot_ids)), columns, every
        )

    @api.model
    def _filter_lines(self, lines, kind):
        """The move lines (or moves) of ``lines`` that are of ``kind``, whatever their state (a
        transfer being validated asks whether it is a delivery); same definition as in SQL."""
        domain = self._get_line_domain(kind)
        return lines.sudo().with_context(active_test=False).filtered_domain(domain).with_env(lines.env)

    @api.model
    def _open_document_ids(self, lot_ids, company):
        """``(transfer ids, manufacturing order ids)`` open on the lots ``lot_ids`` in ``company``:
        of their move lines neither done nor cancelled (the orders they are components of),
        readable or not (callers filter)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT line.picking_id, move.raw_material_production_id
                     FROM stock_move_line line JOIN stock_move move ON move.id = line.move_id
                    WHERE line.lot_id = ANY(ARRAY(%s)) AND line.state NOT IN ('done', 'cancel')
                      AND line.company_id = %s""",
                _ids(lot_ids),
                company.id,
            )
        )
        rows = self.env.cr.fetchall()
        return {picking for picking, _order in rows if picking}, {order for _picking, order in rows if order}

    @api.model
    def _input_lines_query(self, res_model, res_id):
        """:meth:`_lines_query` (of no kind) of what the manufacturing order (``res_model``
        ``mrp.production``) or the lot transformation (``trace.lot.transformation``) ``res_id``
        consumed: its done component lines (a transformation's, into production)."""
        into_production = SQL(
            "stock_move_line.location_dest_id IN (SELECT id FROM stock_location WHERE usage = 'production')"
        )
        where = {
            "mrp.production": SQL("trace_move.raw_material_production_id = %s", res_id),
            "trace.lot.transformation": SQL("trace_move.trace_transformation_id = %s AND %s", res_id, into_production),
        }
        return self._lines_query(None, where[res_model])

    @api.model
    def _event_lot_ids(self, product_ids, company, date_from=None, date_to=None):
        """Ids of the lots of the products ``product_ids`` with a receipt, a production or a
        delivery (FSMA 204's receiving, transformation and shipping events) in ``company``,
        from ``date_from`` to ``date_to`` when given, readable or not (:meth:`_readable`)."""
        kinds = ("receipt", "production", "delivery")
        line = "stock_move_line"
        date = SQL.identifier(line, "date")
        where = [
            SQL("%s IS NOT NULL", SQL.identifier(line, "lot_id")),
            SQL("%s = ANY(%s)", SQL.identifier(line, "product_id"), list(product_ids)),
            SQL("%s = %s", SQL.identifier(line, "company_id"), company.id),
            SQL("(%s)", SQL(" OR ").join(SQL.identifier(line, f"trace_is_{kind}") for kind in kinds)),
            *([SQL("%s >= %s", date, date_from)] if date_from else []),
            *([SQL("%s <= %s", date, date_to)] if date_to else []),
        ]
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT DISTINCT lot_id FROM (%s) line", self._lines_query(None, SQL(" AND ").join(where)))
        )
        return {row[0] for row in self.env.cr.fetchall()}

    # ------------------------------------------------------------------
    # the trace
    # ------------------------------------------------------------------
    @api.model
    def _reach_sql(self, lot_ids, direction, max_depth=None):
        """The recursive ``trace_reached(lot_id[, depth])`` of a ``WITH RECURSIVE``: the lots
        ``lot_ids`` and every lot reached from them over the genealogy links in ``direction``.
        ``UNION`` keeps each lot once, so cycles (rework) end; with ``max_depth`` each
        (lot, level) is kept once."""
        source, target = self._get_link_columns(direction)
        depth = max_depth is not None
        return SQL(
            """trace_reached(lot_id%(depth_column)s) AS (
                    SELECT unnest(%(start)s::int[])%(depth_start)s
                UNION
                    SELECT link.%(target)s%(depth_next)s
                      FROM trace_reached reached JOIN trace_lot_link link ON link.%(source)s = reached.lot_id
                     WHERE %(depth_limit)s
            )""",
            start=list(lot_ids),
            source=source,
            target=target,
            depth_column=SQL(", depth") if depth else SQL(),
            depth_start=SQL(", 0") if depth else SQL(),
            depth_next=SQL(", reached.depth + 1") if depth else SQL(),
            depth_limit=SQL("reached.depth < %s", max_depth) if depth else SQL("TRUE"),
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
        self._check_arguments(lots, "forward")
        return set(self._run_trace(lots, "forward", None, {"lots": SQL("ARRAY(SELECT id FROM trace_lot)")})["lots"])

    @api.model
    def _trace(self, lots, direction, max_depth=None):
        """The trace of ``lots`` (what ``stock.lot.trace_forward/trace_backward`` return) in one
        statement (:meth:`_run_trace`): the lots reached, the manufacturing orders of their
        done lines' moves (that consumed them forward, that produced them backward), their
        deliveries (forward) or receipts (backward) and those documents' partners, each one
        the caller may read, so nothing of another company leaks through; backward, ``reported``."""
        order = SQL.identifier("raw_material_production_id" if direction == "forward" else "production_id")
        orders = SQL(
            "SELECT %s FROM stock_move WHERE id = ANY(ARRAY(SELECT move_id FROM trace_line)) AND %s IS NOT NULL",
            order,
            order,
        )
        found = self._run_trace(
            lots,
            direction,
            self._check_arguments(lots, direction, max_depth, DIRECTIONS[:2]),
            {
                "lot_ids": SQL("ARRAY(SELECT id FROM trace_lot WHERE id <> ALL(%s::int[]))", list(lots._ids)),
                "production_ids": SQL("ARRAY(SELECT id FROM trace_production)"),
                "picking_ids": SQL("ARRAY(SELECT id FROM trace_picking)"),
                "partner_ids": SQL("ARRAY(SELECT id FROM trace_partner)"),
            },
            {"trace_production": self._readable_query("mrp.production", orders)},
            every=True,
            lines=("move_id", "lot_id"),
        )
        return {key: sorted(ids) if key.endswith("_ids") else ids or [] for key, ids in found.items()}

    @api.model
    def _trace_map_data(self, lots, direction, max_depth):
        """What a trace map of ``lots`` in ``direction`` (``forward`` or ``backward``) shows, in
        one statement (:meth:`_run_trace`), as lists: ``lots`` (readable, ``[id, name,
        product_id, quality_status]``), ``arcs`` (the genealogy between the lots reached,
        readable or not, for the columns: ``[from, to]``), ``links`` (readable, between
        readable lots: ``[parent, child, link_type, document_id, quantity, count]``),
        ``lines`` (``trace_readable_line``: ``[lot, picking, partner or null, quantity,
        count]``), ``pickings``, ``partners`` and ``documents`` (of the links) readable:
        ``[id, name]``, ``[link_type, id, name]`` for documents (:meth:`_get_link_documents`)."""
        source, target = self._get_link_columns(direction)
        cases = [SQL("WHEN NULL THEN NULL::int")]
        documents = [SQL("SELECT NULL AS link_type, NULL::int AS id, NULL AS name WHERE FALSE")]
        for kind, (column, model) in self._get_link_documents().items():
            cases.append(SQL("WHEN %s THEN link.%s", kind, SQL.identifier(column)))
            doc = self._readable_query(
                model, SQL("SELECT document_id FROM trace_link WHERE link_type = %s", kind), "name"
            )
            documents.append(SQL("SELECT %s, id, name::varchar FROM (%s) doc", kind, doc))

        def rows(columns, source):  # the rows of ``source`` as a JSON array of arrays
            return SQL("(SELECT json_agg(json_build_array(%s)) FROM %s)", SQL(columns), SQL(source))

        found = self._run_trace(
            lots,
            direction,
            max_depth,
            {
                "lots": rows("lot.id, name, product_id, quality_status", "trace_lot JOIN stock_lot lot USING (id)"),
                "arcs": rows("from_id, to_id", "(SELECT DISTINCT from_id, to_id FROM trace_link) arc"),
                "links": rows(
                    "parent_lot_id, child_lot_id, link_type, document_id, quantity, n",
                    """(SELECT parent_lot_id, child_lot_id, link_type, document_id, SUM(quantity) AS quantity,
                               COUNT(*) AS n
                          FROM trace_link WHERE id IN (SELECT id FROM trace_readable_link)
                      GROUP BY parent_lot_id, child_lot_id, link_type, document_id) edge""",
                ),
                "lines": rows(
                    "lot_id, picking_id, partner_id, quantity, n",
                    """(SELECT line.lot_id, line.picking_id, trace_partner.id AS partner_id,
                               SUM(line.quantity) AS quantity, COUNT(*) AS n
                          FROM trace_readable_line line LEFT JOIN trace_partner ON trace_partner.id = line.partner_id
                      GROUP BY line.lot_id, line.picking_id, trace_partner.id) line""",
                ),
                "pickings": rows("picking.id, name", "trace_picking JOIN stock_picking picking USING (id)"),
                "partners": rows("partner.id, complete_name", "trace_partner JOIN res_partner partner USING (id)"),
                "documents": rows("link_type, id, name", "trace_document"),
            },
            {
                "trace_all": SQL("SELECT DISTINCT lot_id AS id FROM trace_reached"),
                "trace_link": SQL(
                    """SELECT link.id, link.parent_lot_id, link.child_lot_id, link.link_type, link.quantity,
                              link.%(source)s AS from_id, link.%(target)s AS to_id, %(document)s AS document_id
                         FROM trace_all reached JOIN trace_lot_link link ON link.%(source)s = reached.id
                        WHERE link.%(target)s IN (SELECT id FROM trace_all)""",
                    source=source,
                    target=target,
                    document=SQL("CASE link.link_type %s END", SQL(" ").join(cases)),
                ),
                # The readable links between readable lots.
                "trace_readable_link": self._readable_query(
                    "trace.lot.link",
                    SQL(
                        "SELECT id FROM trace_link WHERE parent_lot_id IN (SELECT id FROM trace_lot)"
                        " AND child_lot_id IN (SELECT id FROM trace_lot)"
                    ),
                ),
                "trace_document": SQL(" UNION ALL ").join(documents),
            },
        )
        return {key: value or [] for key, value in found.items()}

    @api.model
    def _run_trace(self, lots, direction, max_depth, columns, ctes=None, every=False, lines=("lot_id", "quantity")):
        """Run one trace statement of ``lots`` in ``direction`` (arguments checked by the
        caller: :meth:`_check_arguments`), refusing starting lots that do not exist or that
        the caller may not read; return its row, ``{name: value}`` of ``columns`` (``{name:
        SQL}``) over the steps below and ``ctes`` (``{name: SQL}``, more steps).

        The steps, materialized, of ids: ``trace_reached`` (:meth:`_reach_sql`),
        ``trace_lot`` (the readable lots reached), ``trace_line`` (their deliveries (forward)
        or receipts (backward), with ``every`` every done line: :meth:`_lot_lines_query`;
        ``picking_id, partner_id, is_kind`` and the columns ``lines``: the fewer, the less
        to hold), ``trace_picking`` (their readable transfers), ``trace_readable_line``
        (those lines in a readable transfer or in none: not materialized), ``trace_partner``
        (their readable partners); backward, ``reported`` (:meth:`_trace_extra`). A step no
        column reads is not run.

        Each step is an index lookup by key, its ids passed on as an array the planner cannot
        size (``ARRAY(SELECT ...)``: sized, thousands of lots tip it into hash joins scanning
        every move or transfer); one statement keeps a trace of nothing one round trip."""
        start = list(dict.fromkeys(lots._ids))
        kind = "delivery" if direction == "forward" else "receipt"
        readable = self._readable_query
        line_columns = SQL(", ").join(SQL.identifier(name) for name in ("picking_id", "partner_id", "is_kind", *lines))
        lines_query = self._lot_lines_query(kind, SQL("SELECT id FROM trace_lot"), every=every)
        steps = {
            "trace_lot": readable("stock.lot", SQL("SELECT lot_id FROM trace_reached")),
            "trace_line": SQL("SELECT %s FROM (%s) line", line_columns, lines_query),
            "trace_picking": readable("stock.picking", SQL("SELECT picking_id FROM trace_line WHERE is_kind")),
            "trace_partner": readable("res.partner", SQL("SELECT partner_id FROM trace_readable_line")),
            **(ctes or {}),
        }
        columns = {**columns, **self._trace_extra(direction, max_depth, steps)}  # backward: "reported"
        exists = SQL("EXISTS (SELECT FROM stock_lot WHERE stock_lot.id = start.id)")
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH RECURSIVE %s, %s,
                   -- The access clause of a document's partner: the lines of a kind in a transfer
                   -- the caller may read, or in none (cheaper joined again than held).
                   trace_readable_line AS NOT MATERIALIZED (
                       SELECT line.* FROM trace_line line LEFT JOIN trace_picking ON trace_picking.id = line.picking_id
                        WHERE line.is_kind AND (line.picking_id IS NULL OR trace_picking.id IS NOT NULL))
                   SELECT %s,
                          (SELECT array_agg(start.id) FROM unnest(%s::int[]) start(id) WHERE NOT %s),
                          (SELECT array_agg(start.id) FROM unnest(%s::int[]) start(id)
                            WHERE %s AND start.id NOT IN (SELECT id FROM trace_lot))""",
                self._reach_sql(start, direction, max_depth),
                SQL(", ").join(
                    SQL("%s AS MATERIALIZED (%s)", SQL.identifier(name), step) for name, step in steps.items()
                ),
                SQL(", ").join(columns.values()),
                start,
                exists,
                start,
                exists,
            )
        )
        *values, missing, denied = self.env.cr.fetchone()
        if missing:
            self._check_lots_exist(lots, lots.browse(missing))
        if denied:
            lots.check_access("read")  # the record rules: raises their AccessError
        return dict(zip(columns, values, strict=True))

    # ------------------------------------------------------------------
    # access and arguments
    # ------------------------------------------------------------------
    @api.model
    def _readable_query(self, model_name, ids_query, *columns):
        """``SELECT id, *columns`` of the records of ``model_name`` with an id given by
        ``ids_query`` that the current user may read (access rights and record rules),
        archived ones included: the one access clause of every trace."""
        Model = self.env[model_name].with_context(active_test=False)
        if not Model.has_access("read"):
            return SQL(
                "SELECT %s WHERE FALSE",
                SQL(", ").join(SQL("NULL::int AS %s", SQL.identifier(column)) for column in ("id", *columns)),
            )
        query = Model._search([])
        query.add_where(SQL("%s = ANY(ARRAY(%s))", SQL.identifier(query.table, "id"), ids_query))
        return query.select(*(SQL.identifier(query.table, column) for column in ("id", *columns)))

    @api.model
    def _readable(self, model_name, ids):
        """The sorted subset of ``ids`` the current user may read (access rights and record rules)."""
        if not ids:
            return []
        self.env.cr.execute(SQL("%s ORDER BY 1", self._readable_query(model_name, _ids(ids))))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _check_arguments(self, lots, direction, max_depth=None, directions=DIRECTIONS):
        """The checks of a trace's arguments that need no query, for every trace: a direction
        of ``directions``, lots given by ids, a depth that is a whole number of levels (or
        None), read access to lots. Returns ``max_depth``. Lots that do not exist, or that
        record rules hide, are refused by the trace's own statement (:meth:`_run_trace`)."""
        if direction not in directions:
            ways = ", ".join(f'"{way}"' for way in directions)
            raise UserError(
                self.env._(
                    "A trace direction is %(directions)s (got %(direction)r).", directions=ways, direction=direction
                )
            )
        if not lots:
            raise UserError(self.env._("Choose at least one lot or serial number to trace."))
        if max_depth is not None and (isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1):
            raise UserError(
                self.env._("A trace depth is a whole number of levels, 1 or more (got %(depth)r).", depth=max_depth)
            )
        check_records(lots, "stock.lot", required=False, exist=False)
        if not lots.browse().has_access("read"):
            lots.check_access("read")  # the model's access rights: raises
        if not all(isinstance(lot_id, int) for lot_id in lots._ids):
            self._check_lots_exist(lots)  # new records: raises
        return max_depth

    @api.model
    def _check_lots_exist(self, lots, missing=None):
        """Refuse ``lots`` not all given by ids, or the ``missing`` ones (default: those that do not exist)."""
        check_records(lots, "stock.lot", required=False, exist=False)
        missing = lots - lots.exists() if missing is None else missing
        if missing:
            raise UserError(
                self.env._("These lots/serial numbers do not exist: %(ids)s", ids=", ".join(map(str, missing._ids)))
            )


def _ids(ids):
    """SQL selecting ``ids`` (a list or set, or SQL already selecting them)."""
    return ids if isinstance(ids, SQL) else SQL("SELECT unnest(%s::int[])", sorted(ids))


def _domain_paths(domain, prefix=""):
    """The field paths the leaves of ``domain`` read (through ``any`` / ``not any`` too)."""
    for leaf in domain:
        if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
            path = prefix + leaf[0]
            yield path
            if leaf[1] in ("any", "not any") and isinstance(leaf[2], (list, tuple)):
                yield from _domain_paths(leaf[2], path + ".")
