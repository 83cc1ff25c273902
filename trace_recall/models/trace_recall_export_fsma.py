from itertools import islice

from odoo import api, models
from odoo.tools import SQL

from .trace_recall_export import BATCH, REPORTED_COLUMNS, REPORTED_SHEET

EVENT_LABELS = {"receiving": "Receiving", "transformation": "Transformation", "shipping": "Shipping"}


class TraceRecallExportFsma(models.AbstractModel):
    """The FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455(c)(3)(ii)): one row per
    critical tracking event with the key data elements the rule lists for it (receiving
    1.1345, transformation 1.1350, shipping 1.1340), a sheet explaining every column, and,
    when there is any, what partners' EPCIS events report upstream of the lots (their
    transformations, facilities and dates: the key data elements they passed on to us)."""

    _name = "trace.recall.export.fsma"
    _inherit = "trace.recall.export"
    _description = "FSMA 204 Sortable Spreadsheet"

    @api.model
    def _render_events(self, events, company):
        output, workbook, bold = self._workbook()
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        columns = self._get_columns()
        sheet = workbook.add_worksheet("FSMA 204 KDEs")
        sheet.write_row(0, 0, [header for header, _value, _width in columns], bold)
        sheet.freeze_panes(1, 0)
        for column, (_header, _value, width) in enumerate(columns):
            sheet.set_column(column, column, width)
        facilities, origins, inputs = {}, {}, {}
        lot_ids = set()
        count = 0
        events = iter(events)
        while batch := list(islice(events, BATCH)):
            # Where each new lot's code was assigned: one query per batch of events.
            new_lots = {event["lot_id"] for event in batch} - origins.keys()
            if new_lots:
                origins.update(dict.fromkeys(new_lots))
                origins.update(self._lot_origins(sorted(new_lots), facilities))
            lot_ids.update(event["lot_id"] for event in batch)
            for event in batch:
                count += 1
                self._add_key_data_elements(event, company, facilities, origins, inputs)
                for column, (_header, value, _width) in enumerate(columns):
                    cell = value(event)
                    if hasattr(cell, "year"):
                        sheet.write_datetime(count, column, cell, date_format)
                    else:
                        sheet.write(count, column, self._cell(cell))
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
        explained = workbook.add_worksheet("Column Descriptions")
        explained.write_row(0, 0, ["Column", "Key data element (21 CFR part 1, subpart S)"], bold)
        explained.set_column(0, 0, 40)
        explained.set_column(1, 1, 110)
        descriptions = self._get_column_descriptions()
        for row, (header, _value, _width) in enumerate(columns, start=1):
            explained.write_row(row, 0, [header, descriptions.get(header, "")])
        if reported := self._reported_rows(lot_ids):
            headers = [header for header, _width in REPORTED_COLUMNS]
            widths = [width for _header, width in REPORTED_COLUMNS]
            self._sheet(workbook, bold, REPORTED_SHEET, headers, reported, widths)
        workbook.close()
        return output.getvalue()

    @api.model
    def _add_key_data_elements(self, event, company, facilities, origins, inputs):
        """Set on ``event`` the location descriptions the rule asks for its type, the source of
        its traceability lot code and, for a transformation, its inputs. ``facilities``,
        ``origins`` (filled by :meth:`_lot_origins` for the event's lot beforehand) and
        ``inputs`` are the file's caches."""
        kind = event["event"]
        partner = self.env["res.partner"].browse(event["partner_id"]) if event["partner_id"] else None
        if kind == "receiving":
            event["event_location"] = self._facility(event["location_dest_id"], facilities)
            event["previous_source"] = self._party(partner) if partner else None
            event["next_recipient"] = event["event_location"]
        elif kind == "shipping":
            event["event_location"] = self._facility(event["location_id"], facilities)
            event["previous_source"] = event["event_location"]
            event["next_recipient"] = self._party(partner) if partner else None
        else:
            event["event_location"] = self._facility(event["location_dest_id"], facilities)
            event["previous_source"] = event["next_recipient"] = None
            key = (event["transformation_kind"], event["transformation_id"])
            if key not in inputs:
                inputs[key] = self._transformation_inputs(*key)
            event["inputs"] = inputs[key]
        event["tlc_source"] = origins.get(event["lot_id"]) or event["event_location"]

    @api.model
    def _lot_origins(self, lot_ids, facilities):
        """Where each lot's traceability lot code was assigned: the facility that produced it,
        else the vendor it was received from (the engine's productions and receipts)."""
        engine = self.env["trace.engine"]
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT ON (line.lot_id) line.lot_id, line.kind, line.location_dest_id, line.partner_id
                     FROM (SELECT 1 AS rank, 'production' AS kind, production.* FROM (%s) production
                            UNION ALL
                           SELECT 2, 'receipt', receipt.* FROM (%s) receipt) line
                 ORDER BY line.lot_id, line.rank, line.date""",
                engine._lot_lines_query("production", lot_ids),
                engine._lot_lines_query("receipt", lot_ids),
            )
        )
        origins = {}
        for lot_id, kind, location_id, partner_id in self.env.cr.fetchall():
            if kind == "production" or not partner_id:
                origins[lot_id] = self._facility(location_id, facilities)
            else:
                origins[lot_id] = self._party(self.env["res.partner"].browse(partner_id))
        return origins

    @api.model
    def _get_columns(self):
        """The sheet's columns: ``(header, function of a tracking event, width)`` (the event
        is a dict of :meth:`_tracking_events` with the key data elements of
        :meth:`_add_key_data_elements`). Override to add or change a column; describe it in
        :meth:`_get_column_descriptions`."""

        def describe(key):
            return lambda event: (event.get(key) or {}).get("description", "")

        def inputs(event):
            return "; ".join(
                f"{item['lot']} ({item['product']}): {item['quantity']:g} {item['uom']}"
                for item in event.get("inputs") or ()
            )

        return [
            ("Critical Tracking Event", lambda event: EVENT_LABELS[event["event"]], 16),
            ("Traceability Lot Code", lambda event: event["lot"], 20),
            ("Product Description", lambda event: event["product"], 30),
            ("GTIN / Product Code", lambda event: event["barcode"] or event["default_code"] or "", 16),
            ("Quantity", lambda event: event["quantity"], 10),
            ("Unit of Measure", lambda event: event["uom"], 10),
            ("Event Date", lambda event: event["date"], 17),
            ("Location Description (Event)", describe("event_location"), 45),
            ("Immediate Previous Source (Ship-From)", describe("previous_source"), 45),
            ("Immediate Subsequent Recipient (Ship-To)", describe("next_recipient"), 45),
            ("Traceability Lot Code Source", describe("tlc_source"), 45),
            ("Traceability Lot Code Source GLN", lambda event: event["tlc_source"]["gln"], 16),
            ("Input Traceability Lot Codes", inputs, 45),
            ("Reference Document Type", lambda event: event["reference_type"], 20),
            ("Reference Document Number", lambda event: event["reference"], 18),
        ]

    @api.model
    def _get_column_descriptions(self):
        """What each column of :meth:`_get_columns` holds, and the clause it serves."""
        return {
            "Critical Tracking Event": "Receiving (21 CFR 1.1345), Transformation (1.1350) or Shipping (1.1340).",
            "Traceability Lot Code": "The traceability lot code (TLC) of the food: the lot or serial number.",
            "Product Description": "The product description (1.1345(a)(3), 1.1350(a)(2), 1.1340(a)(3)).",
            "GTIN / Product Code": "The product's GTIN when it has one, else its internal reference.",
            "Quantity": "The quantity received, produced (new TLC) or shipped.",
            "Unit of Measure": "The unit of measure of the quantity.",
            "Event Date": "The date received (1.1345(a)(6)), the date the transformation was completed "
            "(1.1350(a)(4)) or the date shipped (1.1340(a)(6)), in UTC.",
            "Location Description (Event)": "Where the food was received, transformed or shipped from: business "
            "name, physical address, phone number and GLN when known (1.1310 location description).",
            "Immediate Previous Source (Ship-From)": "Receiving: the location description of the immediate "
            "previous source (1.1345(a)(4)). Shipping: the location from which the food was shipped "
            "(1.1340(a)(5)).",
            "Immediate Subsequent Recipient (Ship-To)": "Shipping: the location description of the immediate "
            "subsequent recipient (1.1340(a)(4)). Receiving: where the food was received (1.1345(a)(5)).",
            "Traceability Lot Code Source": "The location description of the traceability lot code source: "
            "where the TLC was assigned (1.1345(a)(7), 1.1340(a)(7), 1.1350(a)(3)).",
            "Traceability Lot Code Source GLN": "The GLN of the TLC source, when known: a TLC source reference.",
            "Input Traceability Lot Codes": "Transformation: the TLC, product description, quantity and unit of "
            "each food used in the transformation (1.1350(a)(1)).",
            "Reference Document Type": "The type of the reference document (1.1345(a)(8), 1.1350(a)(5), "
            "1.1340(a)(8)): transfer, manufacturing order or lot transformation.",
            "Reference Document Number": "The reference document number.",
        }
