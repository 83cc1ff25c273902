"""The recall's and the FSMA 204 request's files checked against their standards: EPCIS 2.0
documents validated by GS1's own JSON Schema, the FSMA 204 sheet read back for every key
data element its event type requires."""

import io
import json
from datetime import datetime, timedelta

import openpyxl

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.trace_compliance import epcis, gs1

from .common import RecallCase

# GS1's schema, with formats checked: the validator the capture endpoint uses (compiled once).
VALIDATOR = epcis.schema_validator()
KDE_BY_EVENT = {
    # The columns the rule requires filled for each critical tracking event.
    "Receiving": [
        "Traceability Lot Code",
        "Product Description",
        "Quantity",
        "Unit of Measure",
        "Event Date",
        "Location Description (Event)",
        "Immediate Previous Source (Ship-From)",
        "Traceability Lot Code Source",
        "Reference Document Type",
        "Reference Document Number",
    ],
    "Transformation": [
        "Traceability Lot Code",
        "Product Description",
        "Quantity",
        "Unit of Measure",
        "Event Date",
        "Location Description (Event)",
        "Traceability Lot Code Source",
        "Input Traceability Lot Codes",
        "Reference Document Type",
        "Reference Document Number",
    ],
    "Shipping": [
        "Traceability Lot Code",
        "Product Description",
        "Quantity",
        "Unit of Measure",
        "Event Date",
        "Location Description (Event)",
        "Immediate Subsequent Recipient (Ship-To)",
        "Traceability Lot Code Source",
        "Reference Document Type",
        "Reference Document Number",
    ],
}


def gln(base):
    """A valid GLN from 12 digits."""
    return base + str(gs1.check_digit(base))


def schema_errors(document):
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in VALIDATOR.iter_errors(document)]


@tagged("post_install", "-at_install")
class TestStandardsExport(RecallCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.flour.barcode = "4006381999991"  # a valid GTIN-13
        cls.bread.barcode = "5901234999991"
        cls.device.barcode = "09506000999999"  # a valid GTIN-14
        cls.company.partner_id.write(
            {
                "street": "2 Mill Lane",
                "city": "York",
                "zip": "YO1 7HH",
                "phone": "+44 1904 000",
                "trace_gln": gln("950600000001"),
            }
        )
        cls.warehouse.trace_gln = gln("950600000002")
        cls.vendor_mill.write(
            {"street": "9 Quay", "city": "Hull", "phone": "+44 1482 000", "trace_gln": gln("950600000003")}
        )
        cls.customer_shop.write({"street": "1 Main St", "city": "Leeds", "phone": "+44 113 000"})
        cls.customer_clinic.write({"street": "5 Park Rd", "city": "Bath", "phone": "+44 1225 000"})
        cls.chain = cls._bakery_chain()
        cls._sell(cls.customer_clinic, [(cls.bread, "T-BR-2", 10)])
        cls.recall_user = cls._user("std_recall", "trace_recall.group_recall_user")
        cls.recall = cls._start_recall(cls.chain["T-FL-1"])

    @classmethod
    def _start_recall(cls, lots, reason="Allergen not declared"):
        wizard = (
            cls.env["trace.recall.start"].with_user(cls.recall_user).create({"reason": reason, "lot_ids": lots.ids})
        )
        return cls.env["trace.recall"].browse(wizard.action_start()["res_id"]).with_user(cls.recall_user)

    def _attachment(self, action):
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        return self.env["ir.attachment"].browse(attachment_id)

    def _epcis(self, recall):
        return json.loads(self._attachment(recall.action_export_epcis()).raw)

    def _fsma_rows(self, raw):
        book = openpyxl.load_workbook(io.BytesIO(raw))
        sheet = book["FSMA 204 KDEs"]
        rows = list(sheet.iter_rows(values_only=True))
        return book, sheet, [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    # ------------------------------------------------------------------
    # EPCIS 2.0
    # ------------------------------------------------------------------
    def test_epcis_of_the_multi_level_scenario_passes_the_gs1_schema(self):
        document = self._epcis(self.recall)
        self.assertEqual(schema_errors(document), [])
        events = document["epcisBody"]["eventList"]
        quantities = [
            q for event in events for key, value in event.items() if key.endswith("uantityList") for q in value
        ]
        self.assertEqual({q["uom"] for q in quantities}, {"KGM", "C62"})
        classes = {q["epcClass"] for q in quantities}
        self.assertIn("https://id.gs1.org/01/04006381999991/10/T-FL-1", classes)
        self.assertIn("https://id.gs1.org/01/05901234999991/10/T-BR-2", classes)
        # Products without a GTIN keep a stable URI of this database.
        self.assertTrue(any(f"/lot/{self.dough.id}/T-DO-1" in epc_class for epc_class in classes))
        receiving = next(event for event in events if event.get("bizStep") == "receiving")
        self.assertEqual(receiving["bizLocation"]["id"], f"https://id.gs1.org/414/{self.warehouse.trace_gln}")
        self.assertIn(
            {"type": "owning_party", "source": f"https://id.gs1.org/417/{self.vendor_mill.trace_gln}"},
            receiving["sourceList"],
        )
        shipping = [event for event in events if event.get("bizStep") == "shipping"]
        for event in shipping:
            types = {entry["type"] for entry in event["sourceList"]}
            self.assertEqual(types, {"owning_party", "possessing_party", "location"})
            self.assertIn(
                f"https://id.gs1.org/417/{self.company.trace_gln}", {e["source"] for e in event["sourceList"]}
            )
            self.assertEqual(
                {entry["type"] for entry in event["destinationList"]}, {"owning_party", "possessing_party"}
            )
        transformations = [event for event in events if event["type"] == "TransformationEvent"]
        self.assertEqual(len(transformations), 4, "one per manufacturing order")
        bread_2 = next(
            event for event in transformations if any("T-BR-2" in q["epcClass"] for q in event["outputQuantityList"])
        )
        inputs = sorted(
            (q["epcClass"].rsplit("/", 1)[1], q["quantity"], q["uom"]) for q in bread_2["inputQuantityList"]
        )
        self.assertEqual(inputs, [("T-DO-1", 20, "KGM"), ("T-DO-2", 60, "KGM")])

    def test_epcis_of_a_serial_device_recall_passes_the_gs1_schema(self):
        self._receive(self.vendor_mill, [(self.board, "STD-SB-1", 1)])
        self._produce(self.bom_device, 1, "STD-DEV-1", {self.board: [("STD-SB-1", 1)]})
        self._deliver(self.customer_clinic, [(self.device, "STD-DEV-1", 1)])
        recall = self._start_recall(self._lot(self.board, "STD-SB-1"), "Solder defect")
        document = self._epcis(recall)
        self.assertEqual(schema_errors(document), [])
        events = document["epcisBody"]["eventList"]
        device_epc = "https://id.gs1.org/01/09506000999999/21/STD-DEV-1"
        shipping = next(event for event in events if event.get("bizStep") == "shipping")
        self.assertEqual(shipping["epcList"], [device_epc])
        self.assertNotIn("quantityList", shipping)
        transformation = next(event for event in events if event["type"] == "TransformationEvent")
        self.assertEqual(transformation["outputEPCList"], [device_epc])
        self.assertTrue(transformation["inputEPCList"][0].endswith(f"/serial/{self.board.id}/STD-SB-1"))

    def test_epcis_of_the_demo_story_passes_the_gs1_schema(self):
        drill = self.env.ref("trace_recall.demo_recall_drill", raise_if_not_found=False)
        if not drill:
            self.skipTest("the demo story is not installed (make test installs it)")
        document = self._epcis(drill.with_user(self.recall_user))
        self.assertEqual(schema_errors(document), [])
        kinds = {(event["type"], event.get("bizStep")) for event in document["epcisBody"]["eventList"]}
        self.assertEqual(
            kinds, {("ObjectEvent", "receiving"), ("ObjectEvent", "shipping"), ("TransformationEvent", "commissioning")}
        )

    def test_the_schema_check_can_fail(self):
        document = self._epcis(self.recall)
        self.assertEqual(schema_errors(document), [])
        event = next(event for event in document["epcisBody"]["eventList"] if event.get("quantityList"))
        event["quantityList"][0]["uom"] = "Units"  # an Odoo unit name, not a UN/CEFACT code
        errors = schema_errors(document)
        self.assertTrue(any("quantityList/0/uom: 'Units' does not match" in error for error in errors), errors)
        event["quantityList"][0]["uom"] = "KGM"
        event["bizStep"] = "baking"
        self.assertTrue(schema_errors(document))

    def test_a_unit_without_code_is_named(self):
        self.uom_kg.sudo().trace_unece_code = False
        with self.assertRaisesRegex(ValidationError, "kg has no UN/CEFACT code"):
            self.recall.action_export_epcis()
        with self.assertRaisesRegex(ValidationError, "not a UN/CEFACT"):
            self.uom_kg.sudo().trace_unece_code = "kilo"

    def test_standard_units_have_their_codes(self):
        self.assertEqual(
            (
                self.uom_unit.trace_unece_code,
                self.uom_kg.trace_unece_code,
                self.env.ref("uom.product_uom_litre").trace_unece_code,
            ),
            ("C62", "KGM", "LTR"),
        )

    # ------------------------------------------------------------------
    # FSMA 204 sortable spreadsheet
    # ------------------------------------------------------------------
    def test_fsma_sheet_has_every_key_data_element(self):
        raw = self._attachment(self.recall.action_export_fsma()).raw
        book, sheet, rows = self._fsma_rows(raw)
        self.assertEqual(book.sheetnames, ["FSMA 204 KDEs", "Column Descriptions"])
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertTrue(sheet.auto_filter.ref)
        self.assertFalse(sheet.merged_cells.ranges)
        described = {row[0] for row in book["Column Descriptions"].iter_rows(min_row=2, values_only=True)}
        self.assertEqual(described, set(rows[0]))
        self.assertEqual({row["Critical Tracking Event"] for row in rows}, set(KDE_BY_EVENT))
        for row in rows:
            for column in KDE_BY_EVENT[row["Critical Tracking Event"]]:
                self.assertNotIn(row[column], (None, ""), f"{column} empty in {row}")
            self.assertIsInstance(row["Event Date"], datetime)
        receiving = next(row for row in rows if row["Critical Tracking Event"] == "Receiving")
        source = receiving["Immediate Previous Source (Ship-From)"]
        for text in ("Test Mill", "9 Quay", "Hull", "+44 1482 000", self.vendor_mill.trace_gln):
            self.assertIn(text, source)
        self.assertEqual(receiving["Traceability Lot Code Source"], source)
        for text in ("2 Mill Lane", "York", self.warehouse.trace_gln):
            self.assertIn(text, receiving["Location Description (Event)"])
        bread_2 = next(
            row
            for row in rows
            if (row["Critical Tracking Event"], row["Traceability Lot Code"]) == ("Transformation", "T-BR-2")
        )
        self.assertIn("T-DO-1 (Test Dough): 20 kg", bread_2["Input Traceability Lot Codes"])
        self.assertIn("T-DO-2 (Test Dough): 60 kg", bread_2["Input Traceability Lot Codes"])
        shipped_to = {
            row["Immediate Subsequent Recipient (Ship-To)"]
            for row in rows
            if row["Critical Tracking Event"] == "Shipping"
        }
        self.assertTrue(any("1 Main St" in text and "Test Grocer" in text for text in shipped_to))
        self.assertTrue(any("5 Park Rd" in text and "Test Clinic" in text for text in shipped_to))
        shipping = next(row for row in rows if row["Critical Tracking Event"] == "Shipping")
        self.assertIn("2 Mill Lane", shipping["Traceability Lot Code Source"], "the loaves were made here")

    # ------------------------------------------------------------------
    # FSMA 204 request
    # ------------------------------------------------------------------
    def _request(self, **values):
        return self.env["trace.fsma.request"].with_user(self.recall_user).create(values)

    def test_request_by_lot_codes(self):
        request = self._request(reference="FDA 24h", lot_codes="T-BR-2\n  \nT-FL-1\n")
        request.action_generate()
        self.assertEqual(request.state, "done")
        self.assertEqual(set(request.lot_ids.mapped("name")), {"T-BR-2", "T-FL-1"})
        _book, _sheet, rows = self._fsma_rows(request.fsma_attachment_id.raw)
        self.assertEqual(
            {(row["Critical Tracking Event"], row["Traceability Lot Code"]) for row in rows},
            {("Receiving", "T-FL-1"), ("Transformation", "T-BR-2"), ("Shipping", "T-BR-2")},
        )
        self.assertEqual(request.event_count, len(rows))
        self.assertEqual(schema_errors(json.loads(request.epcis_attachment_id.raw)), [])
        self.assertEqual(
            request.action_download_fsma()["url"].split("?")[0], f"/web/content/{request.fsma_attachment_id.id}"
        )

    def test_request_by_category_and_period(self):
        now = datetime.now()
        request = self._request(
            categ_ids=self.bread.categ_id.ids, date_from=now - timedelta(days=1), date_to=now + timedelta(days=1)
        )
        request.action_generate()
        self.assertIn("T-BR-2", request.lot_ids.mapped("name"))
        old = self._request(product_ids=self.bread.ids, date_to=now - timedelta(days=30))
        with self.assertRaisesRegex(UserError, "no lot has a critical tracking event"):
            old.action_generate()

    def test_bad_requests_are_refused(self):
        with self.assertRaisesRegex(UserError, "choose products, product categories or traceability lot codes"):
            self._request().action_generate()
        with self.assertRaisesRegex(UserError, "is called NO-SUCH-LOT"):
            self._request(lot_codes="T-BR-2\nNO-SUCH-LOT").action_generate()
        now = datetime.now()
        with self.assertRaisesRegex(ValidationError, "ends before it starts"):
            self._request(product_ids=self.bread.ids, date_from=now, date_to=now - timedelta(days=1))
        with self.assertRaisesRegex(UserError, "no files yet"):
            self._request(lot_codes="T-BR-2").action_download_epcis()

    def test_large_request_runs_in_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_recall.fsma_background_threshold", "1")
        request = self._request(lot_codes="T-BR-2\nT-FL-1")
        request.action_generate()
        self.assertEqual((request.state, request.fsma_attachment_id.id), ("pending", False))
        self.env["trace.fsma.request"]._cron_generate_pending()
        self.assertEqual((request.state, request.progress), ("done", 100))
        self.assertTrue(request.fsma_attachment_id and request.epcis_attachment_id)

    def test_request_access(self):
        request = self._request(lot_codes="T-BR-2")
        plain = self._user("std_plain", "stock.group_stock_user")
        with self.assertRaises(AccessError):
            request.with_user(plain).read(["name"])
        other_company = self.env["res.company"].create({"name": "Std Other Co"})
        stranger = self._user("std_other", "trace_recall.group_recall_user", company=other_company)
        self.assertFalse(self.env["trace.fsma.request"].with_user(stranger).search([("id", "=", request.id)]))
