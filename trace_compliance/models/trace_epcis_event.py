import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .. import epcis
from ..compat import Constraint
from .trace_epcis_capture import SYSTEM_WRITE


class TraceEpcisEvent(models.Model):
    """One EPCIS event a partner sent (``POST /epcis/capture``), stored as it came (its
    JSON, who sent it, when), with what it is searched by in columns of its own and its
    keys (EPCs, classes, transactions, parties) in ``trace.epcis.event.key``.

    Events are evidence: inserted by the capture only (:meth:`_store`, set-based), never
    changed nor deleted (the ORM refuses, and so does a PostgreSQL trigger). One per
    ``eventID`` and company: the same event sent again is counted as a duplicate and not
    stored twice."""

    _name = "trace.epcis.event"
    _description = "EPCIS Event (captured)"
    _order = "event_time desc, id desc"
    _rec_name = "event_id"

    event_id = fields.Char(
        "Event ID",
        required=True,
        readonly=True,
        help="The event's eventID; for an event sent without one, ni:///sha-256;<hex>?ver=CBV2.0 over the "
        "event's JSON with its keys sorted (our canonicalisation, not CBV 2.0's pre-hash string).",
    )
    capture_id = fields.Many2one(
        "trace.epcis.capture", "Capture Job", required=True, index=True, readonly=True, ondelete="restrict"
    )
    sequence = fields.Integer("Position", readonly=True, help="The event's position in its document.")
    partner_id = fields.Many2one("res.partner", "Sender", required=True, index=True, readonly=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="restrict")
    event_type = fields.Char("Type", required=True, readonly=True, index=True)
    action = fields.Selection([("ADD", "Add"), ("OBSERVE", "Observe"), ("DELETE", "Delete")], readonly=True)
    biz_step = fields.Char("Business Step", readonly=True, index=True, help="CBV short name (shipping, receiving).")
    disposition = fields.Char(readonly=True, help="CBV short name (in_transit, in_progress).")
    event_time = fields.Datetime(required=True, readonly=True, index=True)
    event_time_zone_offset = fields.Char("Time Zone Offset", readonly=True)
    record_time = fields.Datetime(required=True, readonly=True, help="When the event was stored here.")
    read_point = fields.Char(readonly=True, index=True)
    biz_location = fields.Char("Business Location", readonly=True, index=True)
    transformation_id = fields.Char("Transformation ID", readonly=True, index=True)
    event_json = fields.Json("Event (JSON)", readonly=True)
    event_text = fields.Text("Event", compute="_compute_event_text")
    key_ids = fields.One2many("trace.epcis.event.key", "epcis_event_id", "Keys", readonly=True)

    _event_uniq = Constraint(
        "UNIQUE(company_id, event_id)", "An EPCIS event is stored once per company (its eventID is unique)."
    )

    @api.depends("event_json")
    def _compute_event_text(self):
        for event in self:
            event.event_text = json.dumps(event.event_json, indent=2, ensure_ascii=False) if event.event_json else ""

    def init(self):
        self.env["trace.epcis.event.key"]._refuse_changes_trigger(self._table)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(SYSTEM_WRITE):
            raise UserError(self.env._("EPCIS events are stored by the capture endpoint only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("EPCIS events are evidence: they cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("EPCIS events are evidence: they cannot be deleted."))

    # ------------------------------------------------------------------
    # storing
    # ------------------------------------------------------------------
    @api.model
    def _prepare_event_row(self, event, position):
        """The columns of ``event`` (the ``position``-th of its document), as a dict."""
        return {
            "sequence": position,
            "event_id": event.get("eventID") or epcis.event_hash_id(event),
            "event_type": event.get("type"),
            "action": event.get("action") if event.get("action") in ("ADD", "OBSERVE", "DELETE") else None,
            "biz_step": epcis.cbv_short(event.get("bizStep"), "bizStep"),
            "disposition": epcis.cbv_short(event.get("disposition"), "disposition"),
            "event_time": epcis.event_time(event),
            "event_time_zone_offset": event.get("eventTimeZoneOffset"),
            "read_point": (event.get("readPoint") or {}).get("id"),
            "biz_location": (event.get("bizLocation") or {}).get("id"),
            "transformation_id": event.get("transformationID"),
            "event_json": json.dumps(event, ensure_ascii=False),
        }

    @api.model
    def _store(self, job, events, offset=0):
        """Store ``events`` (the document's from position ``offset``) of the capture ``job``
        with their keys: one ``INSERT … ON CONFLICT DO NOTHING`` for the events (an
        ``eventID`` already stored for the company, by this job or another, is skipped; so is
        a repeat within ``events``), one for their keys. Returns how many were stored."""
        rows, seen = [], set()
        for position, event in enumerate(events, start=offset):
            row = self._prepare_event_row(event, position)
            if row["event_id"] in seen:
                continue
            seen.add(row["event_id"])
            rows.append(row)
        if not rows:
            return 0
        self.env.flush_all()
        now = fields.Datetime.now()

        def column(name):
            return [row[name] for row in rows]

        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_epcis_event (
                capture_id, company_id, partner_id, sequence, event_id, event_type, action, biz_step,
                disposition, event_time, event_time_zone_offset, record_time, read_point, biz_location,
                transformation_id, event_json, create_uid, create_date, write_uid, write_date)
            SELECT %(capture)s, %(company)s, %(partner)s, e.sequence, e.event_id, e.event_type, e.action,
                   e.biz_step, e.disposition, e.event_time, e.tz, %(now)s, e.read_point, e.biz_location,
                   e.transformation_id, e.event_json::jsonb, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(sequence)s::int[], %(event_id)s::varchar[], %(event_type)s::varchar[],
                          %(action)s::varchar[], %(biz_step)s::varchar[], %(disposition)s::varchar[],
                          %(event_time)s::timestamp[], %(tz)s::varchar[], %(read_point)s::varchar[],
                          %(biz_location)s::varchar[], %(transformation_id)s::varchar[], %(event_json)s::text[])
                AS e(sequence, event_id, event_type, action, biz_step, disposition, event_time, tz,
                     read_point, biz_location, transformation_id, event_json)
             ORDER BY e.sequence
                ON CONFLICT (company_id, event_id) DO NOTHING
         RETURNING id, sequence
                """,
                capture=job.id,
                company=job.company_id.id,
                partner=job.partner_id.id,
                now=now,
                uid=self.env.uid,
                sequence=column("sequence"),
                event_id=column("event_id"),
                event_type=column("event_type"),
                action=column("action"),
                biz_step=column("biz_step"),
                disposition=column("disposition"),
                event_time=column("event_time"),
                tz=column("event_time_zone_offset"),
                read_point=column("read_point"),
                biz_location=column("biz_location"),
                transformation_id=column("transformation_id"),
                event_json=column("event_json"),
            )
        )
        stored = self.env.cr.fetchall()
        keys = [
            (record_id, key) for record_id, position in stored for key in epcis.event_keys(events[position - offset])
        ]
        self.env["trace.epcis.event.key"]._store(job, keys)
        return len(stored)
