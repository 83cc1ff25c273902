import io

import xlsxwriter

from odoo import api, models
from odoo.tools import SQL

BATCH = 5000
# The models of the transformation events of the exports (``transformation_kind``).
TRANSFORMATION_MODELS = {"mrp": "mrp.production", "trf": "trace.lot.transformation"}
# The "Reported upstream" sheet: what partners' EPCIS events report above our lots.
REPORTED_SHEET = "Reported upstream"
REPORTED_COLUMNS = [
    ("Our lot", 20),
    ("Reported code (EPC / EPC class)", 50),
    ("GTIN", 16),
    ("Lot/Serial", 18),
    ("Product", 28),
    ("Reported by", 28),
    ("Facility", 40),
    ("Event time (UTC)", 20),
    ("Level", 8),
    ("Quantity", 10),
    ("Unit", 8),
    ("Made into", 50),
]


class TraceRecallExport(models.AbstractModel):
    """What the recall's exports share (one model per format inherits it: the recall
    workbook, the FSMA 204 sheet, the EPCIS document): rows streamed from SQL in batches
    into xlsxwriter's constant-memory mode, so a recall of 100,000 delivery lines exports
    without a Python object per line, and the critical tracking events of the recall's
    lots, read from the trace engine."""

    _name = "trace.recall.export"
    _description = "Recall Exports"

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    @api.model
    def _rows(self, query):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(query)
        while rows := cr.fetchmany(BATCH):
            yield from rows

    @api.model
    def _workbook(self):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"constant_memory": True, "remove_timezone": True})
        return output, workbook, workbook.add_format({"bold": True, "bg_color": "#DDEBF7"})

    @api.model
    def _sheet(self, workbook, bold, name, headers, rows, widths=None, autofilter=True):
        """A sheet ``name``: ``headers`` in bold, then ``rows`` (any iterable of rows), each
        column ``widths`` wide, filterable (``autofilter``). Returns the number of rows."""
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, headers, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_row(count, 0, [self._cell(value) for value in row])
        if autofilter:
            sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
        for column, width in enumerate(widths or [18] * len(headers)):
            sheet.set_column(column, column, width)
        return count

    @api.model
    def _reported_rows(self, lot_ids):
        """The rows of :data:`REPORTED_COLUMNS`: what partners' captured EPCIS events report
        the lots ``lot_ids`` (those the caller may read) were made from, level by level (the
        trace engine's ``reported``, see ``trace.engine._trace_extra``)."""
        engine = self.env["trace.engine"]
        lots = self.env["stock.lot"].browse(engine._readable("stock.lot", lot_ids))
        if not lots:
            return []
        names = {lot.id: lot.name for lot in lots}
        return [
            tuple(None if value is False else value for value in row)
            for row in self._reported_item_rows(engine._trace(lots, "backward")["reported"], names)
        ]

    @api.model
    def _reported_item_rows(self, reported, names):
        """The rows of the ``reported`` items (``names``: our lots' names by id)."""
        return [
            (
                names.get(item["lot_id"], ""),
                item["code"],
                item["gtin"],
                item["lot"] or item["serial"],
                item["product_name"],
                item["partner_name"],
                item["facility"],
                item["event_time"] and item["event_time"].replace("T", " "),
                item["depth"],
                item["quantity"],
                item["uom"],
                item["into_code"],
            )
            for item in reported
        ]

    @api.model
    def _cell(self, value):
        if value is None:
            return ""
        if isinstance(value, dict):  # translated jsonb names
            return value.get(self.env.lang) or value.get("en_US") or next(iter(value.values()), "")
        return value

    # ------------------------------------------------------------------
    # critical tracking events (FSMA 204 and EPCIS)
    # ------------------------------------------------------------------
    @api.model
    def _render(self, recall):
        """The file of ``recall`` (bytes); the formats of events render their events."""
        return self._render_events(self._recall_events(recall), recall.company_id)

    @api.model
    def _render_events(self, events, company):
        raise NotImplementedError  # each format of tracking events implements it

    @api.model
    def _recall_events(self, recall):
        """The tracking events of the recall's lots (suspect and affected)."""
        lots = sorted(set(recall.affected_lot_ids.ids) | set(recall.lot_ids.ids))
        return self._tracking_events(lots, recall.company_id)

    @api.model
    def _tracking_events(self, lot_ids, company, date_from=None, date_to=None):
        """Receiving, transformation and shipping events of the lots ``lot_ids`` in
        ``company`` (between ``date_from`` and ``date_to`` when given), oldest first: dicts
        with the key data elements. Receipts, productions and deliveries are the trace
        engine's (one definition of each)."""
        engine = self.env["trace.engine"]
        extra = [SQL("trace_move.production_id AS mo_id"), SQL("trace_move.trace_transformation_id AS trf_id")]
        lines = SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s AS event, kind_line.* FROM (%s) kind_line",
                event,
                engine._lot_lines_query(kind, sorted(lot_ids), extra),
            )
            for event, kind in (("receiving", "receipt"), ("transformation", "production"), ("shipping", "delivery"))
        )
        period = SQL("TRUE")
        if date_from:
            period = SQL("%s AND ev.date >= %s", period, date_from)
        if date_to:
            period = SQL("%s AND ev.date <= %s", period, date_to)
        query = SQL(
            """
            SELECT ev.event, ev.date, lot.name AS lot, lot.id AS lot_id, tmpl.name AS product, product.barcode,
                   tmpl.default_code, tmpl.tracking, ev.quantity, uom.name AS uom, uom.id AS uom_id,
                   uom.trace_unece_code AS uom_code,
                   src.complete_name AS source, dest.complete_name AS destination,
                   ev.location_id, ev.location_dest_id,
                   COALESCE(picking.name, mo.name, trf.name) AS reference,
                   CASE WHEN picking.id IS NOT NULL THEN 'Transfer' WHEN mo.id IS NOT NULL THEN 'Manufacturing Order'
                        ELSE 'Lot Transformation' END AS reference_type,
                   partner.complete_name AS partner, partner.id AS partner_id, company.name AS company,
                   ev.company_id, ev.line_id, COALESCE(mo.id, trf.id) AS transformation_id,
                   CASE WHEN mo.id IS NOT NULL THEN 'mrp' ELSE 'trf' END AS transformation_kind,
                   lot.product_id AS product_id
              FROM (%(lines)s) ev
              JOIN stock_lot lot ON lot.id = ev.lot_id
              JOIN product_product product ON product.id = ev.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              LEFT JOIN uom_uom uom ON uom.id = tmpl.uom_id
              JOIN stock_location src ON src.id = ev.location_id
              JOIN stock_location dest ON dest.id = ev.location_dest_id
              LEFT JOIN stock_picking picking ON picking.id = ev.picking_id
              LEFT JOIN mrp_production mo ON mo.id = ev.mo_id AND ev.event = 'transformation'
              LEFT JOIN trace_lot_transformation trf ON trf.id = ev.trf_id AND ev.event = 'transformation'
              LEFT JOIN res_partner partner ON partner.id = ev.partner_id
              JOIN res_company company ON company.id = ev.company_id
             WHERE ev.company_id = %(company)s AND %(period)s
          ORDER BY ev.date, ev.line_id, ev.event
            """,
            lines=lines,
            company=company.id,
            period=period,
        )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(query)
        names = [column.name for column in cr.description]
        while rows := cr.fetchmany(BATCH):
            for row in rows:
                event = dict(zip(names, row, strict=True))
                event["product"] = self._cell(event["product"])
                event["uom"] = self._cell(event["uom"])
                yield event

    @api.model
    def _transformation_inputs(self, kind, record_id):
        """What the manufacturing order (``kind`` ``mrp``) or the lot transformation (``trf``)
        ``record_id`` consumed: dicts of lot, lot_id, product, barcode, tracking, product_id,
        quantity, uom, uom_code, oldest lot first."""
        lines = self.env["trace.engine"]._input_lines_query(TRANSFORMATION_MODELS[kind], record_id)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
            SELECT lot.name AS lot, lot.id AS lot_id, tmpl.name AS product, product.barcode, tmpl.tracking,
                   lot.product_id, SUM(line.quantity) AS quantity, uom.name AS uom, uom.id AS uom_id,
                   uom.trace_unece_code AS uom_code
              FROM (%s) line
              JOIN stock_lot lot ON lot.id = line.lot_id
              JOIN product_product product ON product.id = line.product_id
              JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
              LEFT JOIN uom_uom uom ON uom.id = tmpl.uom_id
          GROUP BY lot.id, tmpl.id, product.id, uom.id
          ORDER BY lot.id
                """,
                lines,
            )
        )
        names = [column.name for column in self.env.cr.description]
        inputs = [dict(zip(names, row, strict=True)) for row in self.env.cr.fetchall()]
        for item in inputs:
            item["product"] = self._cell(item["product"])
            item["uom"] = self._cell(item["uom"])
        return inputs

    @api.model
    def _unece_code(self, item):
        """The UN/CEFACT code of the unit of an event or input; an error naming the unit
        when it has none."""
        if not item["uom_code"]:
            return self.env["uom.uom"].browse(item["uom_id"])._trace_get_unece_code()  # raises
        return item["uom_code"]

    # ------------------------------------------------------------------
    # parties and locations (FSMA 204 location descriptions, EPCIS GLNs)
    # ------------------------------------------------------------------
    @api.model
    def _party(self, partner, gln=None):
        """What a location description says of ``partner``: ``name``, ``phone``, ``address``,
        ``gln`` (``gln`` given, else the partner's own) and ``description``, all in one line."""
        partner = partner.sudo()
        gln = gln or partner.trace_gln or partner.commercial_partner_id.trace_gln or ""
        address = ", ".join(
            part
            for part in (
                partner.street,
                partner.street2,
                " ".join(filter(None, (partner.zip, partner.city))),
                partner.state_id.name,
                partner.country_id.name,
            )
            if part
        )
        name = partner.commercial_partner_id.name if partner.parent_id and partner.type != "contact" else partner.name
        if partner.parent_id and partner.name and partner.name != name:
            name = f"{name}, {partner.name}"
        description = "; ".join(
            filter(
                None,
                (
                    name,
                    address,
                    partner.phone and self.env._("Phone %(phone)s", phone=partner.phone),
                    gln and self.env._("GLN %(gln)s", gln=gln),
                ),
            )
        )
        return {"name": name, "phone": partner.phone or "", "address": address, "gln": gln, "description": description}

    @api.model
    def _facility(self, location_id, cache):
        """The location description of one of our stock locations: its warehouse's address
        (else its company's), the location's GLN (else its warehouse's, else the company's).
        ``cache`` (a dict the caller keeps for one file) keeps each location's."""
        if location_id in cache:
            return cache[location_id]
        location = self.env["stock.location"].sudo().browse(location_id)
        warehouse = location.warehouse_id
        company = location.company_id or self.env.company
        partner = warehouse.partner_id or company.partner_id
        facility = self._party(partner, location._trace_get_gln())
        if warehouse and warehouse.name not in facility["name"]:
            facility["name"] = f"{facility['name']} ({warehouse.name})"
            facility["description"] = f"{warehouse.name}: {facility['description']}"
        cache[location_id] = facility
        return facility
