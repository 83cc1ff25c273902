import io
import json

import openpyxl

from odoo.tests import tagged
from odoo.tools import SQL

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallExport(RecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls._bakery_chain()
        cls.customer_shop.write({"street": "1 Main St", "city": "Leeds", "email": "shop@example.com", "phone": "+44 1"})
        cls.order = cls._sell(cls.customer_clinic, [(cls.bread, "T-BR-2", 10)])
        cls.recall_user = cls._user("rclx_user", "trace_recall.group_recall_user")
        wizard = (
            cls.env["trace.recall.start"]
            .with_user(cls.recall_user)
            .create({"reason": "Allergen not declared", "lot_ids": cls.chain["T-FL-1"].ids})
        )
        cls.recall = cls.env["trace.recall"].browse(wizard.action_start()["res_id"]).with_user(cls.recall_user)

    def _attachment(self, action):
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        return self.env["ir.attachment"].browse(attachment_id)

    def test_xlsx_read_back(self):
        attachment = self._attachment(self.recall.action_export_xlsx())
        self.assertTrue(attachment.name.endswith(".xlsx"))
        self.assertEqual((attachment.res_model, attachment.res_id), ("trace.recall", self.recall.id))
        book = openpyxl.load_workbook(io.BytesIO(attachment.raw), read_only=True)
        self.assertEqual(book.sheetnames, ["Summary", "Affected lots", "Stock on hand", "Deliveries", "Genealogy"])
        deliveries = list(book["Deliveries"].iter_rows(values_only=True))
        self.assertEqual(
            deliveries[0],
            (
                "Customer",
                "Address",
                "Email",
                "Phone",
                "Delivery",
                "Date",
                "Product",
                "Lot/Serial",
                "Quantity",
                "Unit",
                "Sale order",
            ),
        )
        rows = {(row[0], row[7], row[8], row[10]) for row in deliveries[1:]}
        self.assertEqual(rows, {("Test Grocer", "T-BR-2", 40, None), ("Test Clinic", "T-BR-2", 10, self.order.name)})
        grocer = next(row for row in deliveries[1:] if row[0] == "Test Grocer")
        self.assertEqual((grocer[2], grocer[3]), ("shop@example.com", "+44 1"))
        self.assertIn("Leeds", grocer[1])
        lots = {row[2] for row in list(book["Affected lots"].iter_rows(values_only=True))[1:]}
        self.assertEqual(lots, {"T-FL-1", "T-DO-1", "T-DO-2", "T-BR-1", "T-BR-2"})
        genealogy = list(book["Genealogy"].iter_rows(values_only=True))[1:]
        self.assertIn(("T-DO-2", "Test Dough", "T-BR-2", "Test Loaf", 60), [row[:5] for row in genealogy])
        summary = dict(list(book["Summary"].iter_rows(values_only=True))[1:])
        self.assertEqual(summary["Customers"], 2)

    def test_fsma_204_sortable_spreadsheet(self):
        attachment = self._attachment(self.recall.action_export_fsma())
        rows = list(openpyxl.load_workbook(io.BytesIO(attachment.raw)).active.iter_rows(values_only=True))
        self.assertEqual(rows[0][:3], ("Critical Tracking Event", "Traceability Lot Code", "Product Description"))
        rows = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
        events = {(row["Critical Tracking Event"], row["Traceability Lot Code"]) for row in rows}
        self.assertIn(("Receiving", "T-FL-1"), events)
        self.assertIn(("Transformation", "T-DO-1"), events)
        self.assertIn(("Transformation", "T-BR-2"), events)
        self.assertIn(("Shipping", "T-BR-2"), events)
        receiving = next(row for row in rows if row["Critical Tracking Event"] == "Receiving")
        self.assertEqual(receiving["Quantity"], 300)
        self.assertTrue(receiving["Immediate Previous Source (Ship-From)"].startswith("Test Mill"))
        self.assertTrue(receiving["Traceability Lot Code Source"].startswith("Test Mill"))
        shipped_to = {
            row["Immediate Subsequent Recipient (Ship-To)"].split(";")[0]
            for row in rows
            if row["Critical Tracking Event"] == "Shipping"
        }
        self.assertEqual(shipped_to, {"Test Grocer", "Test Clinic"})

    def test_epcis_document(self):
        attachment = self._attachment(self.recall.action_export_epcis())
        document = json.loads(attachment.raw)
        self.assertEqual(document["type"], "EPCISDocument")
        self.assertEqual(document["schemaVersion"], "2.0")
        self.assertIn("https://ref.gs1.org/standards/epcis/epcis-context.jsonld", document["@context"])
        events = document["epcisBody"]["eventList"]
        kinds = {(event["type"], event.get("bizStep")) for event in events}
        self.assertEqual(
            kinds, {("ObjectEvent", "receiving"), ("ObjectEvent", "shipping"), ("TransformationEvent", "commissioning")}
        )
        transformations = [event for event in events if event["type"] == "TransformationEvent"]
        self.assertEqual(len(transformations), 4, "one per manufacturing order")
        bread_2 = next(
            event for event in transformations if any("T-BR-2" in q["epcClass"] for q in event["outputQuantityList"])
        )
        inputs = sorted((q["epcClass"].rsplit("/", 1)[1], q["quantity"]) for q in bread_2["inputQuantityList"])
        self.assertEqual(inputs, [("T-DO-1", 20), ("T-DO-2", 60)])
        for event in events:
            self.assertTrue(event["eventTime"].endswith("Z"))
            self.assertIn("readPoint", event)
        shipping = [event for event in events if event.get("bizStep") == "shipping"]
        self.assertTrue(all(event["destinationList"][0]["type"] == "owning_party" for event in shipping))

    def test_recall_pdf_report_and_notice(self):
        html = self.env["ir.actions.report"]._render_qweb_html("trace_recall.action_report_recall", self.recall.ids)[0]
        for text in (self.recall.name, "Allergen not declared", "T-BR-2", "Test Clinic", "Stock on hand", "Trace map"):
            self.assertIn(text, html.decode())
        # The map printed: forward from the suspect lots to the customers.
        printed = self._printed_map_texts(html.decode())
        for text in (*self.recall.lot_ids.mapped("name"), "T-BR-2", "Test Clinic"):
            self.assertIn(text, printed)
        notice = (
            self.env["ir.actions.report"]
            ._render_qweb_html("trace_recall.action_report_recall_notice", self.recall.partner_line_ids.ids[:1])[0]
            .decode()
        )
        self.assertIn("Product recall notice", notice)

    def test_large_recall_runs_in_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_recall.background_threshold", "2")
        recall = (
            self.env["trace.recall"]
            .with_user(self.recall_user)
            .create({"reason": "background", "lot_ids": self.chain["T-FL-1"].ids})
        )
        recall.action_compute()
        self.assertEqual((recall.compute_state, recall.delivery_count), ("pending", 0))
        self.env["trace.recall"]._cron_compute_pending()
        self.assertEqual((recall.compute_state, recall.progress, recall.delivery_count), ("done", 100, 2))

        # A computation interrupted by a crash (left running, half its lists committed) is
        # computed again by the next run of the scheduled action, to the same lists.
        def lines():
            return recall.delivery_ids.mapped(lambda d: (d.partner_id, d.lot_id, d.picking_id, d.quantity))

        before = lines()
        recall.write({"compute_state": "running", "progress": 40})
        recall.stock_ids.unlink()
        self.env["trace.recall"]._cron_compute_pending()
        self.assertEqual((recall.compute_state, recall.progress), ("done", 100))
        self.assertEqual(lines(), before)
        self.assertTrue(recall.stock_ids)

    def test_export_column_hooks(self):
        """An add-on adds a column to the Deliveries sheet and to the FSMA 204 sheet by
        overriding their column hooks."""
        xlsx = type(self.env["trace.recall.export.xlsx"])
        fsma = type(self.env["trace.recall.export.fsma"])
        xlsx_columns, fsma_columns = xlsx._get_delivery_columns, fsma._get_columns
        self.patch(
            xlsx,
            "_get_delivery_columns",
            lambda export: [*xlsx_columns(export), ("Customer ref", SQL("partner.ref"), 12)],
        )
        self.patch(fsma, "_get_columns", lambda export: [*fsma_columns(export), ("Line", lambda e: e["line_id"], 8)])
        self.customer_clinic.ref = "CLINIC-7"
        book = openpyxl.load_workbook(io.BytesIO(self._attachment(self.recall.action_export_xlsx()).raw))
        deliveries = list(book["Deliveries"].iter_rows(values_only=True))
        self.assertEqual(deliveries[0][-1], "Customer ref")
        self.assertIn(("Test Clinic", "CLINIC-7"), {(row[0], row[-1]) for row in deliveries[1:]})
        sheet = openpyxl.load_workbook(io.BytesIO(self._attachment(self.recall.action_export_fsma()).raw)).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][-1], "Line")
        self.assertTrue(all(isinstance(row[-1], int) for row in rows[1:]))

    def test_workbook_sheet_hooks(self):
        """An add-on adds a sheet to the recall workbook and changes the rows of another
        through their hooks."""
        xlsx = type(self.env["trace.recall.export.xlsx"])
        sheets, summary = xlsx._get_workbook_sheets, xlsx._get_summary_rows
        extra = {"name": "Notes", "headers": ["Note"], "widths": [40], "rows": lambda recall: [(recall.name,)]}
        self.patch(xlsx, "_get_workbook_sheets", lambda export: [*sheets(export), extra])
        self.patch(xlsx, "_get_summary_rows", lambda export, recall: [*summary(export, recall), ("Hook", "yes")])
        book = openpyxl.load_workbook(io.BytesIO(self._attachment(self.recall.action_export_xlsx()).raw))
        self.assertEqual(
            book.sheetnames, ["Summary", "Affected lots", "Stock on hand", "Deliveries", "Genealogy", "Notes"]
        )
        self.assertEqual(list(book["Notes"].iter_rows(values_only=True)), [("Note",), (self.recall.name,)])
        self.assertEqual(list(book["Summary"].iter_rows(values_only=True))[-1], ("Hook", "yes"))
