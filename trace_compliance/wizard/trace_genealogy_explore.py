from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import escape_psql

# The web view lists at most this many links per direction; traces have no limit.
MAX_LINES = 2000
# Levels followed when the user sets no depth: far beyond any real bill of materials,
# and a bound on the (lot, level) pairs a rework cycle can produce.
MAX_LEVELS = 100


class TraceGenealogyExplore(models.TransientModel):
    """The genealogy of lots, upstream and downstream, level by level."""

    _name = "trace.genealogy.explore"
    _description = "Explore Lot Genealogy"

    search_term = fields.Char(
        "Lot, Serial or Vendor Lot", help="A lot or serial number, an internal reference or a vendor lot number."
    )
    lot_ids = fields.Many2many("stock.lot", string="Lots/Serial Numbers")
    max_depth = fields.Integer("Levels", default=0, help="0 follows every level.")
    upstream_line_ids = fields.One2many(
        "trace.genealogy.explore.line", "explore_id", domain=[("direction", "=", "backward")], readonly=True
    )
    downstream_line_ids = fields.One2many(
        "trace.genealogy.explore.line", "explore_id", domain=[("direction", "=", "forward")], readonly=True
    )
    truncated = fields.Boolean(readonly=True)
    production_count = fields.Integer("Manufacturing Orders", readonly=True)
    delivery_count = fields.Integer("Deliveries", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)
    receipt_count = fields.Integer("Receipts", readonly=True)
    vendor_count = fields.Integer("Vendors", readonly=True)
    forward_json = fields.Json(readonly=True)
    backward_json = fields.Json(readonly=True)

    @api.depends("lot_ids")
    def _compute_display_name(self):
        for explore in self:
            names = explore.lot_ids[:3].mapped("name")
            more = len(explore.lot_ids) - len(names)
            label = ", ".join(names) + (f" (+{more})" if more > 0 else "")
            explore.display_name = self.env._("Genealogy of %(lots)s", lots=label) if names else self.env._("Genealogy")

    def action_search(self):
        """Find the lots matching the search term, then explore them."""
        self.ensure_one()
        term = (self.search_term or "").strip()
        if not term:
            raise UserError(self.env._("Type a lot or serial number, or a vendor lot number."))
        # Case-insensitive but exact: % and _ in a lot number are characters, not wildcards.
        exact = escape_psql(term)
        lots = self.env["stock.lot"].search(
            ["|", "|", ("name", "=ilike", exact), ("ref", "=ilike", exact), ("vendor_lot_number", "=ilike", exact)]
        )
        if not lots:
            raise UserError(self.env._("No lot, serial number or vendor lot number is %(term)s.", term=term))
        self.lot_ids = lots
        return self._action_open()

    def action_explore(self):
        self.ensure_one()
        return self._action_open()

    def _action_open(self):
        self._explore()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Genealogy"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def _explore(self):
        self.ensure_one()
        if not self.lot_ids:
            raise UserError(self.env._("Choose at least one lot or serial number."))
        depth = self.max_depth or None
        forward = self.lot_ids.trace_forward(depth)
        backward = self.lot_ids.trace_backward(depth)
        self._clear_lines()
        readable_lots = set(forward["lot_ids"]) | set(backward["lot_ids"]) | set(self.lot_ids.ids)
        vals, truncated = [], False
        for direction in ("forward", "backward"):
            rows = self._genealogy_rows(direction, depth or MAX_LEVELS)
            truncated = truncated or len(rows) > MAX_LINES
            vals += [
                self._prepare_line_vals(direction, *row)
                for row in rows[:MAX_LINES]
                if row[1] in readable_lots and row[2] in readable_lots
            ]
        self.env["trace.genealogy.explore.line"].create(vals)
        self.write(
            {
                "truncated": truncated,
                "production_count": len(set(forward["production_ids"]) | set(backward["production_ids"])),
                "delivery_count": len(forward["picking_ids"]),
                "customer_count": len(forward["partner_ids"]),
                "receipt_count": len(backward["picking_ids"]),
                "vendor_count": len(backward["partner_ids"]),
                "forward_json": forward,
                "backward_json": backward,
            }
        )

    def _clear_lines(self):
        (self.upstream_line_ids | self.downstream_line_ids).unlink()

    def _prepare_line_vals(self, direction, level, lot_id, from_lot_id, link_id):
        """Hook: the line of the explorer for one link followed (``_genealogy_rows``)."""
        return {
            "explore_id": self.id,
            "direction": direction,
            "level": level,
            "lot_id": lot_id,
            "from_lot_id": from_lot_id,
            "link_id": link_id,
        }

    def _genealogy_rows(self, direction, max_depth):
        """(level, lot reached, lot it was reached from, link) for every link followed,
        each link once at the first level it is met, nearest levels first."""
        engine = self.env["trace.engine"]
        source, target = engine._get_link_columns(direction)
        self.env["trace.lot.link"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH RECURSIVE %(reached)s, first_level AS (
                    SELECT lot_id, MIN(depth) AS depth FROM trace_reached GROUP BY lot_id
                )
                SELECT first_level.depth + 1, link.%(target)s, link.%(source)s, link.id
                  FROM first_level JOIN trace_lot_link link ON link.%(source)s = first_level.lot_id
                 WHERE first_level.depth < %(max_depth)s
              ORDER BY first_level.depth, link.id
                 LIMIT %(limit)s
                """,
                reached=engine._reach_sql(self.lot_ids.ids, direction, max_depth),
                source=source,
                target=target,
                max_depth=max_depth,
                limit=MAX_LINES + 1,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _open_records(self, model, ids, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("id", "in", ids or [])],
        }

    def action_open_productions(self):
        self.ensure_one()
        ids = sorted(set(self.forward_json["production_ids"]) | set(self.backward_json["production_ids"]))
        return self._open_records("mrp.production", ids, self.env._("Manufacturing Orders"))

    def action_open_deliveries(self):
        self.ensure_one()
        return self._open_records("stock.picking", self.forward_json["picking_ids"], self.env._("Deliveries"))

    def action_open_customers(self):
        self.ensure_one()
        return self._open_records("res.partner", self.forward_json["partner_ids"], self.env._("Customers"))

    def action_open_receipts(self):
        self.ensure_one()
        return self._open_records("stock.picking", self.backward_json["picking_ids"], self.env._("Receipts"))

    def action_open_trace_map(self):
        self.ensure_one()
        return self.lot_ids._action_trace_map()

    def action_open_vendors(self):
        self.ensure_one()
        return self._open_records("res.partner", self.backward_json["partner_ids"], self.env._("Vendors"))
