from odoo import fields, models


class StockLocation(models.Model):
    _name = "stock.location"
    _inherit = ["stock.location", "trace.gln.mixin"]

    trace_gln = fields.Char(
        help="GS1 Global Location Number (13 digits) of this location; when empty, its parent's, its "
        "warehouse's or its company's is used (see _trace_get_gln)."
    )
    trace_quality_location = fields.Boolean(
        "Quality Location",
        help="A quarantine area or a laboratory: lots that are not released may be moved here (and reserved for "
        "the move), as they may be scrapped or returned to their vendor. Every other move reserves released lots "
        "only.",
    )

    def _trace_get_gln(self):
        """The GLN that identifies this location in exports: its own, else the nearest
        parent location's, else its warehouse's, else its company's; ``False`` when none."""
        self.ensure_one()
        location = self.sudo()
        # parent_path is "root/.../self/": self first, then the parents, nearest first.
        chain = [int(location_id) for location_id in reversed((location.parent_path or "").split("/")[:-1])]
        for parent in location.browse(chain or location.ids):
            if parent.trace_gln:
                return parent.trace_gln
        return location.warehouse_id.trace_gln or location.company_id.trace_gln or False
