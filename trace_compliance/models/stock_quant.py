from odoo import fields, models
from odoo.tools.sql import column_exists, create_column

from ..compat import domain_and

# Context keys a move sets while it reserves (stock.move._trace_reservation_context):
# only quants of released lots (or of no lot), and only quants whose lot's removal date is
# after the given datetime.
RELEASED_ONLY = "trace_released_lots_only"
REMOVAL_AFTER = "trace_removal_after"


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # The lot's status on the quant itself: reserving filters on a column of the quant query,
    # not a subquery over every lot (measured: tools/bench/reserve.py, docs/performance.md).
    trace_lot_quality_status = fields.Selection(
        related="lot_id.quality_status", string="Lot Quality Status", store=True, readonly=True
    )

    def _auto_init(self):
        # On a database with quants, the column is filled in one statement once every model
        # is ready, instead of the ORM computing each quant.
        cr = self.env.cr
        if not column_exists(cr, self._table, "trace_lot_quality_status"):
            create_column(cr, self._table, "trace_lot_quality_status", "varchar")
            self.pool.post_init(self._trace_fill_lot_quality_status)
        return super()._auto_init()

    def _trace_fill_lot_quality_status(self):
        self.env.cr.execute(
            """
            UPDATE stock_quant quant SET trace_lot_quality_status = lot.quality_status
              FROM stock_lot lot WHERE lot.id = quant.lot_id
            """
        )

    def _get_gather_domain(self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False):
        """Reserving for a move that must not take lots on hold (or past their removal date)
        leaves their quants out of the search: the filter is part of the quant query (a
        subquery on the lots' indexed status), so Odoo's removal strategy orders what is left."""
        domain = super()._get_gather_domain(product_id, location_id, lot_id, package_id, owner_id, strict)
        extra = self._trace_reservation_domain(product_id)
        return domain_and([domain, extra]) if extra else domain

    def _gather(self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False, qty=0):
        quants = super()._gather(product_id, location_id, lot_id, package_id, owner_id, strict, qty)
        domain = self._trace_reservation_domain(product_id) if strict else []
        if domain and self.env.context.get("quants_cache") is not None:
            # Odoo takes these quants from a cache filled before the move asked (moves with an
            # origin, strict): the same filter, in Python, on the few quants of that cache.
            quants = quants.filtered_domain(domain)
        return quants

    def _trace_reservation_domain(self, product):
        """The quants a reserving move may take, as a domain; empty when it may take any."""
        context = self.env.context
        if product.tracking == "none":
            return []
        domains = []
        if context.get(RELEASED_ONLY):
            domains.append(["|", ("lot_id", "=", False), ("trace_lot_quality_status", "=", "released")])
        if context.get(REMOVAL_AFTER):
            domains.append(["|", ("removal_date", "=", False), ("removal_date", ">", context[REMOVAL_AFTER])])
        return domain_and(domains) if domains else []
