from odoo import api, models
from odoo.tools import SQL

from .. import epcis

# What a partner's events are followed by: the roles of what a shipping ObjectEvent sent,
# of a TransformationEvent's outputs and inputs (instances and classes).
SHIPPED_ROLES = ["epc", "quantity"]
OUTPUT_ROLES = ["output", "output_quantity"]
INPUT_ROLES = ["input", "input_quantity"]


class TraceEngine(models.AbstractModel):
    """The trace across company walls: what partners' captured EPCIS events
    (``trace.epcis.event``, ``POST /epcis/capture``) say our lots were made from, and the
    other way round.

    A vendor's shipping ObjectEvent (``bizStep`` ``shipping``, sent by that vendor: its
    commercial partner is the event's sender) whose class (GTIN + lot: our lot's name or its
    ``vendor_lot_number``) or instance (GTIN + serial) is what one of our receipts from that
    vendor brought in (the engine's receipts, :meth:`_lot_lines_query`; our product's GTIN
    is its barcode) is that receipt's upstream. The TransformationEvents, of any sender,
    whose outputs are those classes or instances are the genealogy above our lot: their
    inputs, then the transformations that output those, level by level (a recursive CTE over
    ``trace_epcis_event_key`` joined on (gtin, lot), (gtin, serial) or the identifier as sent;
    bounded by the trace's depth or :meth:`_get_reported_max_depth`, each path using a
    transformation once, so cycles end). Commissioning ObjectEvents and AggregationEvents are
    not followed (yet).

    Only events of the caller's companies are followed, and only the events the caller may
    read are reported (the access rights and record rules of ``trace.epcis.event``)."""

    _inherit = "trace.engine"

    @api.model
    def _get_reported_max_depth(self):
        """How many levels of partners' transformations a trace follows when it has no depth."""
        return 20

    @api.model
    def _gtin_sql(self, barcode):
        """SQL of the GTIN-14 of a product ``barcode`` column (NULL when it is no GTIN)."""
        return SQL("CASE WHEN %s ~ '^([0-9]{8}|[0-9]{12,14})$' THEN lpad(%s, 14, '0') END", barcode, barcode)

    @api.model
    def _barcodes_sql(self, gtin):
        """SQL: the barcodes a product with the GTIN-14 ``gtin`` may carry (GTIN-14, -13, -12,
        -8), so that its barcode index finds it."""
        return SQL("ARRAY[%s, substr(%s, 2), substr(%s, 3), substr(%s, 7)]", gtin, gtin, gtin, gtin)

    @api.model
    def _key_match_sql(self, known, key):
        """SQL: the event key alias ``key`` is the class or instance of the row alias ``known``
        (columns ``gtin, lot, serial, value``): the same identifier, or the same GTIN and lot
        (serial)."""
        known, key = SQL.identifier(known), SQL.identifier(key)
        return SQL(
            "(%(key)s.value = %(known)s.value OR (%(key)s.gtin = %(known)s.gtin"
            " AND (%(key)s.lot = %(known)s.lot OR %(key)s.serial = %(known)s.serial)))",
            key=key,
            known=known,
        )

    @api.model
    def _trace_extra(self, direction, max_depth, steps):
        """Hook of :meth:`_run_trace`: the columns added to a trace's statement, their steps
        added to ``steps``. Backward (a trace, a trace map), the ``reported`` column: what
        partners' events say the lots reached were made from (:meth:`_reported_item_json`),
        from the trace's readable receipts (``trace_readable_line``)."""
        if direction != "backward":
            return {}
        companies = list(self.env.companies.ids)
        limit = max_depth or self._get_reported_max_depth()
        receipt = SQL(
            """SELECT DISTINCT line.lot_id, lot.name, lot.vendor_lot_number,
                      vendor.commercial_partner_id AS vendor_id, %s AS gtin
                 FROM trace_readable_line line
                 JOIN stock_lot lot ON lot.id = line.lot_id
                 JOIN product_product product ON product.id = lot.product_id
                 JOIN res_partner vendor ON vendor.id = line.partner_id
                WHERE product.barcode IS NOT NULL""",
            self._gtin_sql(SQL("product.barcode")),
        )
        shipped = SQL(
            """SELECT receipt.lot_id, key.gtin, key.lot, key.serial, key.value, key.epcis_event_id AS event_id
                 FROM trace_epcis_receipt receipt
                 JOIN trace_epcis_event_key key
                   ON key.gtin = receipt.gtin AND key.role = ANY(%(roles)s)
                  AND (key.lot = receipt.name OR key.lot = receipt.vendor_lot_number OR key.serial = receipt.name)
                 JOIN trace_epcis_event event
                   ON event.id = key.epcis_event_id AND event.partner_id = receipt.vendor_id
                  AND event.event_type = 'ObjectEvent' AND event.biz_step = 'shipping'
                WHERE key.company_id = ANY(%(companies)s)""",
            roles=SHIPPED_ROLES,
            companies=companies,
        )
        up = SQL(
            """SELECT shipped.lot_id, NULL::int AS key_id, shipped.gtin, shipped.lot, shipped.serial, shipped.value,
                          shipped.event_id, NULL::varchar AS into_value, 0 AS depth, ARRAY[]::int[] AS path
                     FROM trace_epcis_shipped shipped
                    WHERE shipped.event_id IN (SELECT id FROM trace_epcis_shipping)
               UNION ALL
                   SELECT up.lot_id, input.id, input.gtin, input.lot, input.serial, input.value,
                          input.epcis_event_id, up.value, up.depth + 1, up.path || output.epcis_event_id
                     FROM trace_epcis_up up
                     JOIN trace_epcis_event_key output
                       ON %(match)s AND output.role = ANY(%(outputs)s) AND output.company_id = ANY(%(companies)s)
                     JOIN trace_epcis_event_key input
                       ON input.epcis_event_id = output.epcis_event_id AND input.role = ANY(%(inputs)s)
                    WHERE up.depth < %(limit)s AND output.epcis_event_id <> ALL(up.path)""",
            match=self._key_match_sql("up", "output"),
            outputs=OUTPUT_ROLES,
            inputs=INPUT_ROLES,
            companies=companies,
            limit=limit,
        )
        steps |= {
            "trace_epcis_receipt": receipt,
            "trace_epcis_shipped": shipped,
            "trace_epcis_shipping": self._readable_query(
                "trace.epcis.event", SQL("SELECT event_id FROM trace_epcis_shipped")
            ),
            # Recursive: the levels above each shipped class or instance.
            "trace_epcis_up": up,
            "trace_epcis_reported": self._readable_query(
                "trace.epcis.event", SQL("SELECT event_id FROM trace_epcis_up WHERE depth > 0")
            ),
        }
        return {"reported": self._reported_item_json()}

    @api.model
    def _reported_item_json(self):
        """SQL of the ``reported`` list of a backward trace, one JSON object per item a
        partner's readable event reports above one of our lots (the nearest level when it is
        reached by several paths): ``lot_id`` (ours, above which it is), ``code`` (the EPC or
        EPC class as sent), ``gtin``, ``lot``, ``serial``, ``quantity``, ``uom``,
        ``product_id`` and ``product_name`` (a product of ours with that GTIN),
        ``partner_id`` and ``partner_name`` (the reporting partner: the event's sender),
        ``facility`` (the event's bizLocation, else its readPoint), ``event_time`` (UTC),
        ``epcis_event_id`` (the ``trace.epcis.event``), ``event_id`` (its eventID),
        ``transformation_id``, ``into_code`` (what it was made into: the code of the level
        below, or the class our lot was shipped as) and ``depth`` (1: an input of what the
        vendor shipped us). A value unknown is ``False`` (XML-RPC has no ``None``)."""
        lang = self.env.lang or "en_US"
        return SQL(
            """(SELECT json_agg((
                 -- XML-RPC has no None: a value unknown is false, as in Odoo's reads.
                 SELECT jsonb_object_agg(field.key, CASE WHEN field.value = 'null'::jsonb THEN 'false'::jsonb
                                                         ELSE field.value END)
                   FROM jsonb_each(jsonb_build_object(
                        'lot_id', item.lot_id, 'code', item.value, 'gtin', item.gtin, 'lot', item.lot,
                        'serial', item.serial, 'quantity', key.quantity, 'uom', key.uom,
                        'product_id', product.id, 'product_name', product.name,
                        'partner_id', event.partner_id, 'partner_name', sender.complete_name,
                        'facility', COALESCE(event.biz_location, event.read_point),
                        'event_time', event.event_time, 'epcis_event_id', event.id, 'event_id', event.event_id,
                        'transformation_id', event.transformation_id, 'into_code', item.into_value,
                        'depth', item.depth)) field)
                        ORDER BY item.lot_id, item.depth, item.value, event.id)
                 FROM (SELECT DISTINCT ON (up.lot_id, up.key_id) up.*
                         FROM trace_epcis_up up
                        WHERE up.depth > 0 AND up.event_id IN (SELECT id FROM trace_epcis_reported)
                     ORDER BY up.lot_id, up.key_id, up.depth) item
                 JOIN trace_epcis_event event ON event.id = item.event_id
                 JOIN trace_epcis_event_key key ON key.id = item.key_id
                 JOIN res_partner sender ON sender.id = event.partner_id
            LEFT JOIN LATERAL (
                    SELECT product.id, COALESCE(tmpl.name->>%(lang)s, tmpl.name->>'en_US') AS name
                      FROM product_product product JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
                     WHERE product.barcode = ANY(%(barcodes)s) AND lpad(product.barcode, 14, '0') = item.gtin
                       AND (tmpl.company_id IS NULL OR tmpl.company_id = ANY(%(companies)s))
                  ORDER BY product.id LIMIT 1) product ON TRUE)""",
            lang=lang,
            barcodes=self._barcodes_sql(SQL("item.gtin")),
            companies=list(self.env.companies.ids),
        )

    @api.model
    def _reported_forward(self, codes, max_depth=None):
        """Ids of our lots (readable) made, by what partners' events report, from ``codes``:
        codes we may never have held (GS1 Digital Links, EPC URNs, ``(01)…(10)…`` element
        strings, "GTIN lot", or ``(gtin, lot)`` pairs: :func:`epcis.parse_code`). Followed
        in one statement: the transformations (any sender, of the caller's companies) that
        took them in, their outputs, level by level (bounded, cycle-safe), then the shipping
        events of what was reached, and our receipts from each event's sender of a lot with
        that GTIN (our product's barcode) and lot (its name or ``vendor_lot_number``) or
        serial (:meth:`_lot_lines_query`)."""
        items = []
        for code in codes:
            if isinstance(code, tuple | list):
                gtin, lot = code
                code = f"{gtin} {lot}"
            item = epcis.parse_code(code)
            if item:
                items.append(item)
        if not items:
            return set()
        companies = list(self.env.companies.ids)
        match_input = self._key_match_sql("down", "input")
        match_sent = self._key_match_sql("down", "key")
        shipping = self._readable_query(
            "trace.epcis.event",
            SQL(
                """SELECT key.epcis_event_id FROM trace_epcis_down down
                     JOIN trace_epcis_event_key key
                       ON %s AND key.role = ANY(%s) AND key.company_id = ANY(%s)""",
                match_sent,
                SHIPPED_ROLES,
                companies,
            ),
        )
        candidate = SQL(
            """SELECT DISTINCT lot.id AS lot_id, event.partner_id
                 FROM trace_epcis_down down
                 JOIN trace_epcis_event_key key ON %(match)s AND key.role = ANY(%(roles)s)
                 JOIN trace_epcis_event event
                   ON event.id = key.epcis_event_id AND event.event_type = 'ObjectEvent'
                  AND event.biz_step = 'shipping' AND event.id IN (SELECT id FROM trace_epcis_shipping)
                 JOIN product_product product
                   ON product.barcode = ANY(%(barcodes)s) AND %(gtin)s = key.gtin
                 JOIN stock_lot lot
                   ON lot.product_id = product.id
                  AND (lot.name = key.lot OR lot.vendor_lot_number = key.lot OR lot.name = key.serial)""",
            match=match_sent,
            roles=SHIPPED_ROLES,
            barcodes=self._barcodes_sql(SQL("key.gtin")),
            gtin=self._gtin_sql(SQL("product.barcode")),
        )
        receipts = self._lot_lines_query("receipt", SQL("SELECT lot_id FROM trace_epcis_candidate"))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH RECURSIVE trace_epcis_down(gtin, lot, serial, value, depth, path) AS (
                       SELECT code.gtin, code.lot, code.serial, code.value, 0, ARRAY[]::int[]
                         FROM unnest(%(gtin)s::varchar[], %(lot)s::varchar[], %(serial)s::varchar[],
                                     %(value)s::varchar[]) code(gtin, lot, serial, value)
                   UNION ALL
                       SELECT output.gtin, output.lot, output.serial, output.value, down.depth + 1,
                              down.path || input.epcis_event_id
                         FROM trace_epcis_down down
                         JOIN trace_epcis_event_key input
                           ON %(match)s AND input.role = ANY(%(inputs)s) AND input.company_id = ANY(%(companies)s)
                         JOIN trace_epcis_event_key output
                           ON output.epcis_event_id = input.epcis_event_id AND output.role = ANY(%(outputs)s)
                        WHERE down.depth < %(limit)s AND input.epcis_event_id <> ALL(down.path)
                   ),
                   trace_epcis_shipping AS MATERIALIZED (%(shipping)s),
                   trace_epcis_candidate AS MATERIALIZED (%(candidate)s)
                   SELECT DISTINCT line.lot_id
                     FROM (%(receipts)s) line
                     JOIN res_partner vendor ON vendor.id = line.partner_id
                     JOIN trace_epcis_candidate candidate
                       ON candidate.lot_id = line.lot_id AND candidate.partner_id = vendor.commercial_partner_id""",
                gtin=[item[0] for item in items],
                lot=[item[1] for item in items],
                serial=[item[2] for item in items],
                value=[item[3] for item in items],
                match=match_input,
                inputs=INPUT_ROLES,
                outputs=OUTPUT_ROLES,
                companies=companies,
                limit=max_depth or self._get_reported_max_depth(),
                shipping=shipping,
                candidate=candidate,
                receipts=receipts,
            )
        )
        return set(self._readable("stock.lot", {row[0] for row in self.env.cr.fetchall()}))
