from odoo import models

from ..compat import domain_and

# Context keys a move sets while it reserves (stock.move._trace_reservation_context):
# only quants of released lots (or of no lot), and only quants whose lot's removal date is
# after the given datetime.
RELEASED_ONLY = "trace_released_lots_only"
REMOVAL_AFTER = "trace_removal_after"


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _get_gather_domain(self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False):
        """Reserving for a move that must not take lots on hold (or past their removal date)
        leaves their quants out of the search: the filter is part of the quant query (a
        subquery on the lots' indexed status), so Odoo's removal strategy orders what is left."""
        domain = super()._get_gather_domain(product_id, location_id, lot_id, package_id, owner_id, strict)
        extra = self._trace_reservation_domain(product_id)
        return domain_and([domain, extra]) if extra else domain

    def _gather(self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False, qty=0):
        quants = super()._gather(product_id, location_id, lot_id, package_id, owner_id, strict, qty)
        if self._trace_reservation_domain(product_id) and self.env.context.get("quants_cache") is not None:
            # Odoo takes these quants from a cache filled before the move asked (moves with an
            # origin, strict): the same filter, in Python, on the few quants of that cache.
            quants = quants.filtered_domain(self._trace_reservation_domain(product_id))
        return quants

    def _trace_reservation_domain(self, product):
        """The quants a reserving move may take, as a domain; empty when it may take any."""
        context = self.env.context
        if product.tracking == "none":
            return []
        domains = []
        if context.get(RELEASED_ONLY):
            domains.append(["|", ("lot_id", "=", False), ("lot_id.quality_status", "=", "released")])
        if context.get(REMOVAL_AFTER):
            domains.append(["|", ("removal_date", "=", False), ("removal_date", ">", context[REMOVAL_AFTER])])
        return domain_and(domains) if domains else []
