from odoo import api, models


class TraceEngine(models.AbstractModel):
    _inherit = "trace.engine"

    @api.model
    def _get_link_documents(self):
        """The service event of a component installed in a serial, on the edges of a trace map."""
        return {**super()._get_link_documents(), "service": ("service_event_id", "trace.service.event")}
