from odoo import api, fields, models


class TraceRecallExportFsma(models.AbstractModel):
    """The FSMA 204 electronic sortable spreadsheet: one row per critical tracking event."""

    _name = "trace.recall.export.fsma"
    _inherit = "trace.recall.export"
    _description = "Recall FSMA 204 Sheet"

    @api.model
    def _render(self, recall):
        output, workbook, bold = self._workbook()
        columns = self._get_columns()
        rows = (
            [self._cell(value(event)) for _header, value, _width in columns] for event in self._tracking_events(recall)
        )
        self._sheet(
            workbook,
            bold,
            "FSMA 204 KDEs",
            [header for header, _value, _width in columns],
            rows,
            [width for _header, _value, width in columns],
        )
        workbook.close()
        return output.getvalue()

    @api.model
    def _get_columns(self):
        """The sheet's columns: ``(header, function of a tracking event, width)`` (the event
        is a dict of :meth:`_tracking_events`). Override to add or change a column."""
        labels = {"receiving": "Receiving", "transformation": "Transformation", "shipping": "Shipping"}

        def receiving(event):
            return event["event"] == "receiving"

        def shipping(event):
            return event["event"] == "shipping"

        return [
            ("Critical Tracking Event", lambda event: labels[event["event"]], 16),
            ("Traceability Lot Code", lambda event: event["lot"], 20),
            ("Product Description", lambda event: event["product"], 30),
            ("Quantity", lambda event: event["quantity"], 10),
            ("Unit of Measure", lambda event: event["uom"], 8),
            (
                "Location Description",
                lambda event: event["source"] if shipping(event) else event["destination"],
                28,
            ),
            (
                "Ship-From / Immediate Previous Source",
                lambda event: event["partner"] if receiving(event) else event["source"],
                28,
            ),
            (
                "Ship-To / Immediate Subsequent Recipient",
                lambda event: event["partner"] if shipping(event) else event["destination"],
                28,
            ),
            ("Event Date", lambda event: fields.Datetime.to_string(event["date"]), 19),
            ("Reference Document Type", lambda event: event["reference_type"], 20),
            ("Reference Document Number", lambda event: event["reference"], 18),
            (
                "Traceability Lot Code Source",
                lambda event: event["partner"] if receiving(event) else event["company"],
                28,
            ),
        ]
