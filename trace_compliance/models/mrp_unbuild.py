from odoo import models


class MrpUnbuild(models.Model):
    _inherit = "mrp.unbuild"

    def action_unbuild(self):
        res = super().action_unbuild()
        self.env["trace.lot.link"]._sync_unbuilds(self.filtered(lambda u: u.state == "done").ids)
        return res
