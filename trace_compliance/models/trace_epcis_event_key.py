from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

from .. import epcis
from .trace_epcis_capture import SYSTEM_WRITE

ROLES = [
    ("epc", "EPC"),
    ("parent", "Parent"),
    ("child", "Child"),
    ("input", "Input"),
    ("output", "Output"),
    ("quantity", "Quantity (class)"),
    ("child_quantity", "Child Quantity (class)"),
    ("input_quantity", "Input Quantity (class)"),
    ("output_quantity", "Output Quantity (class)"),
    ("biz_transaction", "Business Transaction"),
    ("source", "Source"),
    ("destination", "Destination"),
]


class TraceEpcisEventKey(models.Model):
    """What a captured EPCIS event is found by: one row per EPC (instance), EPC class (with
    its quantity and unit), business transaction, source and destination of the event,
    under its ``role`` (see ``epcis.EPC_ROLES`` / ``epcis.TYPED_ROLES``). ``value`` is the
    identifier as sent; ``gtin`` (GTIN-14), ``lot`` and ``serial`` are read from GS1
    Digital Link URIs and SGTIN / LGTIN EPC URNs, so that a set-based trace or query joins
    on them whichever form the partner used.

    Rows are inserted by :meth:`_store` only (one statement per batch) and never change."""

    _name = "trace.epcis.event.key"
    _description = "EPCIS Event Key"
    _order = "epcis_event_id, id"
    _rec_name = "value"
    _log_access = False

    epcis_event_id = fields.Many2one(
        "trace.epcis.event", "Event", required=True, index=True, readonly=True, ondelete="restrict"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True, ondelete="restrict")
    partner_id = fields.Many2one("res.partner", "Sender", required=True, readonly=True, ondelete="restrict")
    role = fields.Selection(ROLES, required=True, readonly=True)
    value = fields.Char(required=True, readonly=True, index=True)
    key_type = fields.Char(
        "Type", readonly=True, help="The CBV type of a business transaction, source or destination (po, owning_party)."
    )
    quantity = fields.Float(readonly=True, digits=(16, 6))
    uom = fields.Char("Unit", readonly=True, help="UN/CEFACT Recommendation 20 code, as sent.")
    gtin = fields.Char("GTIN", readonly=True)
    lot = fields.Char(readonly=True)
    serial = fields.Char(readonly=True)

    def init(self):
        create_index(self.env.cr, "trace_epcis_event_key_gtin_lot_index", self._table, ["gtin", "lot"])
        create_index(self.env.cr, "trace_epcis_event_key_gtin_serial_index", self._table, ["gtin", "serial"])
        self._refuse_changes_trigger(self._table)

    @api.model
    def _refuse_changes_trigger(self, table):
        """A PostgreSQL trigger refusing UPDATE and DELETE on ``table`` (captured events and
        their keys are evidence), as the audit trail has."""
        # A plain string (no parameters): the PL/pgSQL body has its own "%" placeholder.
        self.env.cr.execute(
            """
            CREATE OR REPLACE FUNCTION trace_epcis_refuse() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql;
            """
        )
        name = SQL.identifier(f"{table}_no_change")
        self.env.cr.execute(
            SQL(
                """
            DROP TRIGGER IF EXISTS %(name)s ON %(table)s;
            CREATE TRIGGER %(name)s BEFORE UPDATE OR DELETE ON %(table)s
                FOR EACH ROW EXECUTE FUNCTION trace_epcis_refuse();
                """,
                name=name,
                table=SQL.identifier(table),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get(SYSTEM_WRITE):
            raise UserError(self.env._("EPCIS event keys are stored by the capture endpoint only."))
        return super().create(vals_list)

    def write(self, vals):
        if vals:
            raise UserError(self.env._("EPCIS events are evidence: their keys cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("EPCIS events are evidence: their keys cannot be deleted."))

    @api.model
    def _store(self, job, keys):
        """Insert ``keys`` (``(event row id, key dict of epcis.event_keys)``) of the capture
        ``job``'s events in one statement."""
        if not keys:
            return

        def column(name):
            return [key[name] for _event, key in keys]

        self.env.cr.execute(
            SQL(
                """
            INSERT INTO trace_epcis_event_key (
                epcis_event_id, company_id, partner_id, role, value, key_type, quantity, uom, gtin, lot, serial)
            SELECT k.event, %(company)s, %(partner)s, k.role, k.value, k.key_type, k.quantity, k.uom,
                   k.gtin, k.lot, k.serial
              FROM unnest(%(event)s::int[], %(role)s::varchar[], %(value)s::varchar[], %(key_type)s::varchar[],
                          %(quantity)s::numeric[], %(uom)s::varchar[], %(gtin)s::varchar[], %(lot)s::varchar[],
                          %(serial)s::varchar[])
                AS k(event, role, value, key_type, quantity, uom, gtin, lot, serial)
                """,
                company=job.company_id.id,
                partner=job.partner_id.id,
                event=[event for event, _key in keys],
                role=column("role"),
                value=column("value"),
                key_type=column("key_type"),
                quantity=column("quantity"),
                uom=column("uom"),
                gtin=column("gtin"),
                lot=column("lot"),
                serial=column("serial"),
            )
        )


# Roles the later readers (trace, query) join on, named once.
INSTANCE_ROLES = (*(role for role, (_prop, kind) in epcis.EPC_ROLES.items() if kind == "epc"), "parent")
CLASS_ROLES = tuple(role for role, (_prop, kind) in epcis.EPC_ROLES.items() if kind == "class")
