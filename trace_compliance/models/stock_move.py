from odoo import api, fields, models

from ..compat import name_new_moves
from .stock_quant import RELEASED_ONLY, REMOVAL_AFTER


class StockMove(models.Model):
    _inherit = "stock.move"

    # No field groups: Odoo's own code reads every field of a move as the current user, and
    # a many2one shows only the transformation's name (read as superuser).
    trace_transformation_id = fields.Many2one(
        "trace.lot.transformation", "Lot Transformation", index="btree_not_null", readonly=True
    )

    @api.model_create_multi
    def create(self, vals_list):
        return super().create(name_new_moves(self.env, vals_list))

    # ------------------------------------------------------------------
    # reservation: lots that are not released are never reserved
    # ------------------------------------------------------------------
    def _update_reserved_quantity(self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True):
        return super(StockMove, self._trace_reserving())._update_reserved_quantity(
            need, location_id, lot_id, package_id, owner_id, strict
        )

    def _update_reserved_quantity_vals(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        # Odoo 19.0 reserves through this method, a chained move (what its origin moves brought)
        # directly; 18.0 has none and never calls it.
        return super(StockMove, self._trace_reserving())._update_reserved_quantity_vals(
            need, location_id, lot_id, package_id, owner_id, strict
        )

    def _get_available_quantity(
        self, location_id, lot_id=None, package_id=None, owner_id=None, strict=False, allow_negative=False
    ):
        return super(StockMove, self._trace_reserving())._get_available_quantity(
            location_id, lot_id, package_id, owner_id, strict, allow_negative
        )

    def _trace_reserving(self):
        """This move, with the context that limits what it reserves (one definition for the
        methods through which Odoo reserves)."""
        context = self._trace_reservation_context()
        return self.with_context(**context) if context else self

    def _trace_reservation_context(self):
        """What this move may reserve, as context keys read by ``stock.quant``: lots that are
        not released are left out unless the move is a quality move; a delivery of a product
        with expiry dates leaves out lots past their removal date (at the later of now and
        the move's date)."""
        self.ensure_one()
        if self.product_id.tracking == "none":
            return {}
        context = {}
        if not self._trace_is_quality_move():
            context[RELEASED_ONLY] = True
        if self.product_id.use_expiration_date and self.env["trace.engine"]._filter_lines(self, "delivery"):
            context[REMOVAL_AFTER] = max(fields.Datetime.now(), self.date or fields.Datetime.now())
        return context

    def _trace_is_quality_move(self):
        """A move that may take lots that are not released: to scrap or another inventory-loss
        location, back to a vendor, or into a quality location (quarantine, laboratory)."""
        self.ensure_one()
        destination = self.location_dest_id
        return destination.usage in ("inventory", "supplier") or destination.trace_quality_location
