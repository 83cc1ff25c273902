import io

import xlsxwriter

from odoo import api, models
from odoo.tools import SQL

BATCH = 5000


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
    def _sheet(self, workbook, bold, name, headers, rows, widths=None):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, headers, bold)
        count = 0
        for count, row in enumerate(rows, start=1):
            sheet.write_row(count, 0, [self._cell(value) for value in row])
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)
        for column, width in enumerate(widths or [18] * len(headers)):
            sheet.set_column(column, column, width)
        return count

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
    def _tracking_events(self, recall):
        """Receiving, transformation and shipping events of the recall's lots, oldest first:
        dicts with the key data elements. Receipts, productions and deliveries are the
        trace engine's (one definition of each)."""
        lots = sorted(set(recall.affected_lot_ids.ids) | set(recall.lot_ids.ids))
        engine = self.env["trace.engine"]
        extra = [SQL("trace_move.production_id AS mo_id"), SQL("trace_move.trace_transformation_id AS trf_id")]
        lines = SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s AS event, kind_line.* FROM (%s) kind_line", event, engine._lot_lines_query(kind, lots, extra)
            )
            for event, kind in (("receiving", "receipt"), ("transformation", "production"), ("shipping", "delivery"))
        )
        query = SQL(
            """
            SELECT ev.event, ev.date, lot.name AS lot, tmpl.name AS product, product.barcode, tmpl.default_code,
                   ev.quantity, uom.name AS uom,
                   src.complete_name AS source, dest.complete_name AS destination,
                   COALESCE(picking.name, mo.name, trf.name) AS reference,
                   CASE WHEN picking.id IS NOT NULL THEN 'Transfer' WHEN mo.id IS NOT NULL THEN 'Manufacturing Order'
                        ELSE 'Lot Transformation' END AS reference_type,
                   partner.complete_name AS partner, partner.id AS partner_id, company.name AS company,
                   ev.line_id, COALESCE(mo.id, trf.id) AS transformation_id,
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
             WHERE ev.company_id = %(company)s
          ORDER BY ev.date, ev.line_id, ev.event
            """,
            lines=lines,
            company=recall.company_id.id,
        )
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(query)
        names = [column.name for column in cr.description]
        while rows := cr.fetchmany(BATCH):
            for row in rows:
                event = dict(zip(names, row, strict=True))
                event["product"] = self._cell(event["product"])
                yield event
