from odoo import api, fields, models
from odoo.tools import SQL


class TraceLotLink(models.Model):
    _inherit = "trace.lot.link"

    service_event_id = fields.Many2one(
        "trace.service.event", index="btree_not_null", ondelete="restrict", readonly=True
    )

    def init(self):
        res = super().init()
        # Each service event keeps its own link: installing the same component lot into the
        # same serial again is another document.
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS trace_lot_link_service_event_key ON trace_lot_link
                   (parent_lot_id, child_lot_id, service_event_id) WHERE link_type = 'service'"""
        )
        return res

    @api.model
    def _sync_service_events(self, event_ids):
        """Link the components installed by done service events (repairs, replacements) to the
        serial they went into, so a recall of the new component reaches the device."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_lot_link (parent_lot_id, child_lot_id, quantity, link_type, service_event_id,
                                        date, company_id, create_uid, create_date, write_uid, write_date)
            SELECT rel.lot_id, e.lot_id, 1, 'service', e.id, e.date, e.company_id,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM trace_service_event e
              JOIN trace_service_event_installed_rel rel ON rel.event_id = e.id
             WHERE e.id = ANY(%(ids)s) AND e.state = 'done'
            ON CONFLICT DO NOTHING
         RETURNING id, service_event_id
                """,
                uid=self.env.uid,
                ids=list(event_ids),
            )
        )
        return self._insert_links(document_model="trace.service.event")
