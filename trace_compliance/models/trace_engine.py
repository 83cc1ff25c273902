from odoo import api, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

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
            condition = expression.expression(self._get_line_domain(kind), MoveLine, query=query).result
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


def _domain_paths(domain, prefix=""):
    """The field paths the leaves of ``domain`` read (through ``any`` / ``not any`` too)."""
    for leaf in domain:
        if isinstance(leaf, (list, tuple)) and len(leaf) == 3 and isinstance(leaf[0], str):
            path = prefix + leaf[0]
            yield path
            if leaf[1] in ("any", "not any") and isinstance(leaf[2], (list, tuple)):
                yield from _domain_paths(leaf[2], path + ".")
