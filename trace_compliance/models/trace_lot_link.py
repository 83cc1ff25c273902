from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, create_index


class TraceLotLink(models.Model):
    """One edge of the lot genealogy: ``parent_lot_id`` went into ``child_lot_id``.

    Links are written set-based from Odoo's own consumed/produced move lines when a
    manufacturing order is done (and on install, for the orders already done), by unbuild
    orders (the component recovered from the unbuilt lot) and by lot transformations.
    They are evidence: never written after creation and never deleted.
    """

    _name = "trace.lot.link"
    _inherit = ["trace.audit.mixin"]
    _description = "Lot Genealogy Link"
    _order = "date desc, id desc"
    _rec_name = "child_lot_id"

    parent_lot_id = fields.Many2one(
        "stock.lot", "Component Lot/Serial", required=True, index=True, ondelete="restrict", readonly=True
    )
    child_lot_id = fields.Many2one(
        "stock.lot", "Produced Lot/Serial", required=True, index=True, ondelete="restrict", readonly=True
    )
    parent_product_id = fields.Many2one(related="parent_lot_id.product_id", string="Component")
    child_product_id = fields.Many2one(related="child_lot_id.product_id", string="Product")
    quantity = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity of the component lot that went into the produced lot, in the component's unit.",
    )
    product_uom_id = fields.Many2one(related="parent_lot_id.product_id.uom_id", string="Unit")
    link_type = fields.Selection(
        [
            ("production", "Manufacturing"),
            ("unbuild", "Unbuild (recovered)"),
            ("transformation", "Transformation"),
            # Written by trace_warranty (a component installed in a serial in service); part of
            # the base so the links outlive that add-on.
            ("service", "Installed in Service"),
        ],
        required=True,
        readonly=True,
    )
    production_id = fields.Many2one(
        "mrp.production", "Manufacturing Order", index="btree_not_null", ondelete="restrict", readonly=True
    )
    unbuild_id = fields.Many2one(
        "mrp.unbuild", "Unbuild Order", index="btree_not_null", ondelete="restrict", readonly=True
    )
    transformation_id = fields.Many2one(
        "trace.lot.transformation", index="btree_not_null", ondelete="restrict", readonly=True
    )
    date = fields.Datetime(readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)

    def init(self):
        # One link per pair and document: the syncs below are idempotent (ON CONFLICT). Links
        # of service events are trace_warranty's, unique per event (its own index).
        self.env.cr.execute("DROP INDEX IF EXISTS trace_lot_link_document_uniq")  # its key left service events out
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS trace_lot_link_document_key ON trace_lot_link
                   (parent_lot_id, child_lot_id, link_type, COALESCE(production_id, 0), COALESCE(unbuild_id, 0),
                    COALESCE(transformation_id, 0))
                WHERE link_type <> 'service'"""
        )
        # Covering indexes: each step of a trace is an index-only scan.
        create_index(self.env.cr, "trace_lot_link_down_idx", self._table, ["parent_lot_id", "child_lot_id"])
        create_index(self.env.cr, "trace_lot_link_up_idx", self._table, ["child_lot_id", "parent_lot_id"])

    def write(self, vals):
        if vals:
            raise UserError(self.env._("Genealogy links are evidence: they cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Genealogy links are evidence: they are never deleted."))

    # ------------------------------------------------------------------
    # set-based writers
    # ------------------------------------------------------------------
    @api.model
    def _sync_productions(self, production_ids=None):
        """Link component lots to produced lots for done manufacturing orders.

        Reads Odoo's own consumed -> produced move line relation; ``production_ids`` None
        means every order in the database (the install backfill). One statement,
        idempotent. Returns the number of links created.
        """
        where = SQL("TRUE")
        if production_ids is not None:
            where = SQL("cm.raw_material_production_id = ANY(%s)", list(production_ids))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_lot_link (parent_lot_id, child_lot_id, quantity, link_type, production_id,
                                        date, company_id, create_uid, create_date, write_uid, write_date)
            SELECT pair.parent_lot_id, pair.child_lot_id, SUM(pair.quantity), 'production', pair.production_id,
                   MAX(pair.date), pair.company_id, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM (
                    -- one row per consumed line and produced lot, so a consumed line linked
                    -- to several produced lines of one lot counts once
                    SELECT c.lot_id AS parent_lot_id, p.lot_id AS child_lot_id,
                           c.quantity_product_uom AS quantity, cm.raw_material_production_id AS production_id,
                           MAX(p.date) AS date, c.company_id
                      FROM stock_move_line_consume_rel rel
                      JOIN stock_move_line p ON p.id = rel.consume_line_id
                      JOIN stock_move_line c ON c.id = rel.produce_line_id
                      JOIN stock_move cm ON cm.id = c.move_id
                     WHERE %(where)s
                       AND cm.raw_material_production_id IS NOT NULL
                       AND c.lot_id IS NOT NULL AND p.lot_id IS NOT NULL
                       AND c.state = 'done' AND p.state = 'done'
                  GROUP BY c.id, c.lot_id, p.lot_id, c.quantity_product_uom, cm.raw_material_production_id, c.company_id
                   ) pair
          GROUP BY pair.parent_lot_id, pair.child_lot_id, pair.production_id, pair.company_id
            ON CONFLICT DO NOTHING
         RETURNING id, production_id
                """,
                uid=self.env.uid,
                where=where,
            )
        )
        return self._insert_links(backfill=production_ids is None)

    @api.model
    def _sync_unbuilds(self, unbuild_ids):
        """Link each unbuilt lot to the component lots recovered from it.

        The original manufacturing links stay: a trace keeps every customer that received
        the product while it contained the component (recall-safe); the unbuild adds the
        reverse edge, so the recovered component traces back to the lot it came out of.
        """
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_lot_link (parent_lot_id, child_lot_id, quantity, link_type, production_id, unbuild_id,
                                        date, company_id, create_uid, create_date, write_uid, write_date)
            SELECT x.lot_id, c.lot_id, SUM(c.quantity_product_uom), 'unbuild', u.mo_id, u.id,
                   MAX(c.date), u.company_id, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM mrp_unbuild u
              -- the unbuilt product goes into the production location...
              JOIN stock_move xm ON xm.unbuild_id = u.id AND xm.product_id = u.product_id
              JOIN stock_location xl ON xl.id = xm.location_dest_id AND xl.usage = 'production'
              JOIN stock_move_line x ON x.move_id = xm.id
              -- ... and the components come out of it
              JOIN stock_move cm ON cm.unbuild_id = u.id AND cm.product_id <> u.product_id
              JOIN stock_location cl ON cl.id = cm.location_id AND cl.usage = 'production'
              JOIN stock_move_line c ON c.move_id = cm.id
             WHERE u.id = ANY(%(ids)s)
               AND c.lot_id IS NOT NULL AND x.lot_id IS NOT NULL
               AND c.state = 'done' AND x.state = 'done'
          GROUP BY x.lot_id, c.lot_id, u.mo_id, u.id, u.company_id
            ON CONFLICT DO NOTHING
         RETURNING id, unbuild_id
                """,
                uid=self.env.uid,
                ids=list(unbuild_ids),
            )
        )
        return self._insert_links(document_model="mrp.unbuild")

    @api.model
    def _insert_links(self, document_model="mrp.production", backfill=False):
        """After an ``INSERT … RETURNING id, <document id>`` of links: refresh the cache,
        audit the new links (one entry per document) and return how many there are."""
        rows = self.env.cr.fetchall()
        self.invalidate_model()
        self._audit_created(rows, backfill, document_model=document_model)
        return len(rows)

    @api.model
    def _audit_created(self, rows, backfill, document_model="mrp.production"):
        """One audit entry per document (or one for a backfill) for links inserted in SQL."""
        if not rows or not self.env["trace.audit.rule"]._rule_for(self._name):
            return
        by_document = {}
        for link_id, document_id in rows:
            by_document.setdefault(None if backfill else document_id, []).append(link_id)
        documents = self.env[document_model].sudo().browse([key for key in by_document if key])
        names = {document.id: document.display_name for document in documents}
        self.env["trace.audit.log"]._append(
            [
                {
                    "model": document_model if document_id else self._name,
                    "res_id": document_id or 0,
                    "record_name": names.get(document_id) or self.env._("Genealogy backfill"),
                    "operation": "create",
                    "field_name": "trace_lot_link",
                    "field_description": self.env._("Genealogy links"),
                    "new_value": self.env._(
                        "%(count)s links (ids %(first)s-%(last)s)", count=len(ids), first=min(ids), last=max(ids)
                    ),
                }
                for document_id, ids in by_document.items()
            ]
        )
