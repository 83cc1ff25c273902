"""GS1 identifiers: GTIN and GLN checks, lot and serial numbers, element strings, Digital
Links, UDI labels (GS1 DataMatrix) and supplier barcodes scanned into receipts.

What we make is read back by independent readers, never only by our own code: ``biip``
parses element strings and Digital Links, ``zxing-cpp`` decodes the DataMatrix of the
rendered label.
"""

import base64
import datetime
import io
import re

import biip
import zxingcpp
from biip.gs1_messages import GS1Message
from PIL import Image

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.trace_compliance import gs1

from .common import TraceCase

GTIN_12 = "614141999996"  # GS1's own example (General Specifications)
GTIN_13 = "4006381333931"
GLN = "0614141000005"
# Every character of GS1 character set 82 but the letters and digits, and a slash first.
SYMBOLS = "!\"%&'()*+,-./:;<=>?_"


def by_ai(parsed):
    """biip's element strings of a message or Digital Link, by AI."""
    return {element.ai.ai: element for element in parsed.element_strings}


def decode_datamatrix(png):
    """The symbology identifier and the content of the one barcode in ``png`` (zxing-cpp)."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1, f"{len(results)} barcodes read"
    return results[0].symbology_identifier, results[0].bytes.decode()


@tagged("post_install", "-at_install")
class TestGs1(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.device.barcode = GTIN_12
        cls.flour.write({"barcode": GTIN_13, "use_expiration_date": True})
        cls.trace_user = cls._user("gs1_user", "stock.group_stock_user,trace_compliance.group_trace_user")
        cls.stock_user = cls._user("gs1_stock", "stock.group_stock_user,stock.group_production_lot")
        cls.expiry = datetime.date(2027, 3, 31)

    def _serial(self, name, expiry=None):
        lot = self._lot(self.device, name)
        if expiry:
            # Noon UTC: the same date in the user's time zone, wherever the test runs.
            lot.expiration_date = datetime.datetime.combine(expiry, datetime.time(12))
        return lot

    # ------------------------------------------------------------------
    # the pure module, checked against biip
    # ------------------------------------------------------------------
    def test_gtin_check(self):
        for value in ("96385074", GTIN_12, GTIN_13, "10614141999993"):
            self.assertIsNone(gs1.gtin_problem(value), value)
            self.assertEqual(gs1.gtin14(value), value.zfill(14))
            self.assertEqual(biip.parse(value).gtin.value.zfill(14), gs1.gtin14(value), value)
        for value, reason in (
            ("614141999997", "wrong check digit: 7, expected 6"),
            ("61414199999", "has 11 digits, not 8 or 12 or 13 or 14"),
            ("61414199999X", "not made of digits only"),
            ("٠٦١٤١٤١٩٩٩٩٩٦", "not made of digits only"),  # Arabic-Indic digits: isdigit() is true
            ("", "No GTIN given"),
            (False, "No GTIN given"),
        ):
            self.assertIn(reason, gs1.gtin_problem(value), value)
            self.assertFalse(gs1.gtin14(value))
        self.assertIsNone(biip.parse("00614141999997").gtin)
        self.assertIn("check digit", biip.parse("00614141999997").gtin_error)

    def test_gln_check(self):
        self.assertIsNone(gs1.gln_problem(GLN))
        self.assertEqual(biip.parse(f"414{GLN}").gs1_message.element_strings[0].gln.value, GLN)
        bad = "0614141000006"
        self.assertIn("wrong check digit: 6, expected 5", gs1.gln_problem(bad))
        self.assertIn("check digit", biip.parse(f"414{bad}").gs1_message.element_strings[0].gln_error)
        self.assertIn("has 12 digits, not 13", gs1.gln_problem(GLN[1:]))
        self.assertFalse(gs1.is_gln("061414100000A"))

    def test_lot_and_serial_numbers(self):
        self.assertIsNone(gs1.lot_problem("AZaz09" + SYMBOLS[:14]))
        self.assertIsNone(gs1.lot_problem(SYMBOLS[14:], gs1.AI_SERIAL))
        self.assertIn("21 characters long; GS1 AI (10) carries at most 20", gs1.lot_problem("L" * 21))
        self.assertIn("serial number", gs1.lot_problem("S" * 21, gs1.AI_SERIAL))
        self.assertIn("cannot encode: '#'", gs1.lot_problem("LOT#4"))
        self.assertIn("cannot encode: ' ' 'é'", gs1.lot_problem("Lot é 4"))
        self.assertIn("cannot encode: '~'", gs1.lot_problem("A~B", gs1.AI_SERIAL))
        # Odoo's own GS1 rule for AI 10 agrees on the character set.
        pattern = self.env.ref("barcodes_gs1_nomenclature.barcode_rule_gs1_10").pattern
        for char in map(chr, range(32, 127)):
            self.assertEqual(
                bool(re.fullmatch(pattern, "10" + char)), gs1.lot_problem(char) is None, f"character {char!r}"
            )

    def test_element_strings_and_digital_link_round_trip(self):
        lot = "AB/12%?&+"
        human = gs1.element_string(GTIN_12, lot=lot, expiry=self.expiry)
        self.assertEqual(human, "(01)00614141999996(17)270331(10)AB/12%?&+")
        barcode = gs1.barcode_string(GTIN_12, lot=lot, serial="SN-1.a_b", expiry=self.expiry)
        # FNC1 first; a GS after the lot only, since a serial follows it.
        self.assertEqual(barcode, "\x1d01006141419999961727033110AB/12%?&+\x1d21SN-1.a_b")
        link = gs1.digital_link(GTIN_12, lot=lot, serial="SN-1.a_b", expiry=self.expiry)
        self.assertEqual(link, "https://id.gs1.org/01/00614141999996/10/AB%2F12%25%3F%26%2B/21/SN-1.a_b?17=270331")
        expected = {"01": "00614141999996", "17": "270331", "10": lot, "21": "SN-1.a_b"}
        for parsed in (biip.parse(barcode).gs1_message, biip.parse(link).gs1_digital_link_uri):
            self.assertEqual({e.ai.ai: e.value for e in parsed.element_strings}, expected)
            self.assertEqual(by_ai(parsed)["17"].date, self.expiry)
            self.assertEqual(by_ai(parsed)["01"].gtin.value.zfill(14), "00614141999996")
        hri = GS1Message.parse_hri(gs1.element_string(GTIN_13, serial="SN/7", expiry=self.expiry))
        self.assertEqual(
            [(e.ai.ai, e.value) for e in hri.element_strings],
            [("01", "04006381333931"), ("17", "270331"), ("21", "SN/7")],
        )
        # Every character of set 82 survives the Digital Link's percent-encoding.
        for chunk in ("AZaz09" + SYMBOLS[:14], SYMBOLS[14:]):
            parsed = biip.parse(gs1.digital_link(GTIN_13, lot=chunk)).gs1_digital_link_uri
            self.assertEqual(by_ai(parsed)["10"].value, chunk)
            parsed = biip.parse(gs1.barcode_string(GTIN_13, lot=chunk)).gs1_message
            self.assertEqual(by_ai(parsed)["10"].value, chunk)

    # ------------------------------------------------------------------
    # GLN fields
    # ------------------------------------------------------------------
    def test_gln_fields(self):
        self.vendor_mill.trace_gln = GLN
        self.assertEqual(self.env["res.partner"].search([("trace_gln", "=", GLN)]), self.vendor_mill)
        with self.assertRaisesRegex(ValidationError, r"Test Mill: the GLN 0614141000006 is not valid.*check digit"):
            self.vendor_mill.trace_gln = "0614141000006"
        company_gln = "5412345000013"
        self.company.trace_gln = company_gln
        self.assertEqual(self.company.partner_id.trace_gln, company_gln)
        with self.assertRaisesRegex(ValidationError, r"the GLN 541234500001 is not valid.*12 digits"):
            self.company.trace_gln = "541234500001"
        with self.assertRaisesRegex(ValidationError, rf"{self.warehouse.name}: the GLN 12345 is not valid"):
            self.warehouse.trace_gln = "12345"
        with self.assertRaisesRegex(ValidationError, "not made of digits only"):
            self.stock_location.trace_gln = "541234500001X"

    def test_location_gln_falls_back_to_parent_warehouse_company(self):
        self.warehouse.trace_gln = False  # the demo story gives the main warehouse one
        self.company.trace_gln = "5412345000013"
        shelf = self.env["stock.location"].create({"name": "Shelf 1", "location_id": self.stock_location.id})
        bin_ = self.env["stock.location"].create({"name": "Bin 1", "location_id": shelf.id})
        self.assertEqual(bin_._trace_get_gln(), "5412345000013")
        self.warehouse.trace_gln = "5412345000020"
        self.assertEqual(bin_._trace_get_gln(), "5412345000020")
        self.stock_location.trace_gln = "5412345000037"
        self.assertEqual(bin_._trace_get_gln(), "5412345000037")
        shelf.trace_gln = "5412345000044"
        self.assertEqual(bin_._trace_get_gln(), "5412345000044")
        bin_.trace_gln = "5412345000051"
        self.assertEqual(bin_._trace_get_gln(), "5412345000051")
        self.assertEqual(self.stock_location._trace_get_gln(), "5412345000037")
        self.company.trace_gln = False
        self.assertFalse(self.customer_location._trace_get_gln())

    def test_gln_in_forms_for_traceability_groups_only(self):
        views = {
            "res.partner": "base.view_partner_form",
            "res.company": "base.view_company_form",
            "stock.warehouse": "stock.view_warehouse",
            "stock.location": "stock.view_location_form",
        }
        for model, view in views.items():
            arch = self.env[model].with_user(self.trace_user).get_view(self.env.ref(view).id)["arch"]
            self.assertIn('name="trace_gln"', arch, model)
            arch = self.env[model].with_user(self.stock_user).get_view(self.env.ref(view).id)["arch"]
            self.assertNotIn('name="trace_gln"', arch, model)

    # ------------------------------------------------------------------
    # batch records and device history records
    # ------------------------------------------------------------------
    def test_batch_record_checks_gtin_and_serial(self):
        self.device.trace_batch_record = True
        self._receive(self.vendor_mill, [(self.board, "T-SB-GS1", 1)])
        production = self._produce(self.bom_device, 1, "SN/2027", {self.board: [("T-SB-GS1", 1)]})
        record = production.trace_batch_record_ids
        self.assertEqual(record.gtin, "00614141999996")
        self.assertFalse(record.gs1_problem)
        self.assertEqual(
            record.gs1_digital_link, "https://id.gs1.org/01/00614141999996/21/SN%2F2027"
        )  # the slash percent-encoded
        parsed = biip.parse(record.gs1_digital_link).gs1_digital_link_uri
        self.assertEqual((by_ai(parsed)["01"].value, by_ai(parsed)["21"].value), ("00614141999996", "SN/2027"))

        def check(lot_name, gtin, problem):
            record.with_context(trace_batch_signing=True).write(
                {"lot_ids": [fields.Command.set(self._serial(lot_name).ids)], "gtin": gtin}
            )
            self.assertIn(problem, record.gs1_problem)
            self.assertFalse(record.gs1_element_string)
            self.assertFalse(record.gs1_digital_link)

        check("SN 2027", record.gtin, "cannot encode: ' '")
        check("SN-" + "9" * 18, record.gtin, "21 characters long; GS1 AI (21) carries at most 20")
        # A product barcode with a wrong check digit is no GTIN: the record says why.
        self.device.barcode = "00614141999997"
        self.assertFalse(record._gtin(self.device.barcode))
        check("SN-OK", False, "The GTIN 00614141999997 has a wrong check digit")
        self.device.barcode = "ABC"
        check("SN-OK", False, "not made of digits only")
        self.device.barcode = False
        check("SN-OK", False, "No GTIN given")

    # ------------------------------------------------------------------
    # UDI labels
    # ------------------------------------------------------------------
    def _label_images(self, report, ids):
        html = self.env["ir.actions.report"]._render_qweb_html(report, ids)[0].decode()
        return html, [
            base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
        ]

    def test_udi_label_of_a_serial(self):
        serial = self._serial("SN/0042(B)", self.expiry)
        action = serial.with_user(self.trace_user).action_print_udi_label()
        self.assertEqual(action["report_name"], "trace_compliance.report_udi_label")
        html, images = self._label_images("trace_compliance.action_report_udi_label", serial.ids)
        self.assertEqual(len(images), 1)
        symbology, content = decode_datamatrix(images[0])
        self.assertEqual(symbology, "]d2", "a GS1 DataMatrix: FNC1 in first position")
        expected = gs1.barcode_string(GTIN_12, serial="SN/0042(B)", expiry=self.expiry)
        self.assertEqual(gs1.GS + content, expected)
        parsed = biip.parse(gs1.GS + content).gs1_message
        self.assertEqual(by_ai(parsed)["01"].value, "00614141999996")
        self.assertEqual(by_ai(parsed)["21"].value, "SN/0042(B)")
        self.assertEqual(by_ai(parsed)["17"].date, self.expiry)
        text = re.sub(r"<[^>]+>", "", html)
        for line in (
            "GTIN 00614141999996",
            "EXP 2027-03-31",
            "SN SN/0042(B)",
            "(01)00614141999996(17)270331(21)SN/0042(B)",
        ):
            self.assertIn(line, text)

    def test_udi_labels_of_a_delivery_and_a_lot_with_separators(self):
        for name in ("T-FL-GS1-A", "T-FL-GS1-B"):
            self._lot(self.flour, name).expiration_date = datetime.datetime(2027, 1, 15, 12)
        self._receive(self.vendor_mill, [(self.flour, "T-FL-GS1-A", 10), (self.flour, "T-FL-GS1-B", 10)])
        delivery = self._deliver(
            self.customer_shop,
            [(self.flour, "T-FL-GS1-A", 4), (self.flour, "T-FL-GS1-B", 3), (self.flour, "T-FL-GS1-A", 2)],
        )
        lines = delivery._trace_udi_lines()
        self.assertEqual(len(lines), 3)
        action = delivery.with_user(self.trace_user).action_print_udi_labels()
        self.assertEqual(action["report_name"], "trace_compliance.report_udi_label_picking")
        _html, images = self._label_images("trace_compliance.action_report_udi_label_picking", delivery.ids)
        decoded = [decode_datamatrix(png) for png in images]
        self.assertEqual(
            decoded,
            [("]d2", f"01040063813339311727011510{line.lot_id.name}") for line in lines],
        )
        # A lot and a serial together: the lot, of variable length, is followed by a GS.
        png = gs1.datamatrix_png(gs1.barcode_string(GTIN_13, lot="L-1", serial="S-1"))
        self.assertEqual(decode_datamatrix(png), ("]d2", "010400638133393110L-1\x1d21S-1"))

    def test_udi_label_from_batch_record_and_refusals(self):
        self.device.trace_batch_record = True
        self._receive(self.vendor_mill, [(self.board, "T-SB-GS2", 1)])
        production = self._produce(self.bom_device, 1, "SN-DHR-1", {self.board: [("T-SB-GS2", 1)]})
        record = production.trace_batch_record_ids
        action = record.with_user(self.trace_user).action_print_udi_labels()
        self.assertEqual(action["report_name"], "trace_compliance.report_udi_label_batch_record")
        _html, images = self._label_images("trace_compliance.action_report_udi_label_batch_record", record.ids)
        self.assertEqual(decode_datamatrix(images[0]), ("]d2", "010061414199999621SN-DHR-1"))
        # No unreadable code: a lot GS1 cannot carry is refused, and says why.
        bad = self._serial("SN#1")
        with self.assertRaisesRegex(UserError, r"No UDI label can be printed for:\n.*SN#1.*cannot encode: '#'"):
            bad.with_user(self.trace_user).action_print_udi_label()
        html, images = self._label_images("trace_compliance.action_report_udi_label", bad.ids)
        self.assertFalse(images)
        self.assertIn("No UDI code for", html)
        self.board.barcode = "12345678"  # wrong check digit
        board_serial = self._lot(self.board, "T-SB-GS2")
        with self.assertRaisesRegex(UserError, "The GTIN 12345678 has a wrong check digit: 8, expected 0"):
            board_serial.with_user(self.trace_user).action_print_udi_label()

    # ------------------------------------------------------------------
    # receipts: a supplier's barcode scanned into the line
    # ------------------------------------------------------------------
    def _receipt_line(self, product, quantity=1):
        receipt = self._receive(self.vendor_salt, [], validate=False)
        move = self.env["stock.move"].create(
            {
                "picking_id": receipt.id,
                "product_id": product.id,
                "product_uom_qty": quantity,
                "product_uom": product.uom_id.id,
                "location_id": receipt.location_id.id,
                "location_dest_id": receipt.location_dest_id.id,
            }
        )
        receipt.action_confirm()
        return move.move_line_ids

    def test_receipt_scan_over_rpc(self):
        line = self._receipt_line(self.flour, 25).with_user(self.stock_user)
        content = "]d2" + gs1.barcode_string(GTIN_13, lot="VG-26/4471", expiry=self.expiry)[1:]
        result = line.trace_apply_gs1_scan(content)
        self.assertEqual(result["lot_name"], "VG-26/4471")
        self.assertEqual(
            (line.lot_name, line.vendor_lot_number, line.expiration_date.date(), line.trace_gs1_scan),
            ("VG-26/4471", "VG-26/4471", self.expiry, content),
        )
        line.picked = True
        line.picking_id.button_validate()
        lot = self.env["stock.lot"].search([("product_id", "=", self.flour.id), ("name", "=", "VG-26/4471")])
        self.assertEqual((lot.vendor_lot_number, lot.expiration_date.date()), ("VG-26/4471", self.expiry))

    def test_receipt_scan_of_a_serial_existing_lot_and_human_text(self):
        line = self._receipt_line(self.device)
        line.trace_apply_gs1_scan(f"(01)00{GTIN_12}(17)270331(10)BATCH-9(21)SN-77")
        self.assertEqual((line.lot_name, line.vendor_lot_number), ("SN-77", "BATCH-9"))
        existing = self._serial("SN-78")
        line.trace_apply_gs1_scan(gs1.barcode_string(GTIN_12, serial="SN-78"))
        self.assertEqual((line.lot_id, line.lot_name), (existing, False))

    def test_receipt_scan_errors_change_nothing(self):
        line = self._receipt_line(self.flour, 25).with_user(self.stock_user)
        for content, message in (
            (
                gs1.barcode_string(GTIN_12, lot="L1"),
                r"The scanned GTIN 00614141999996 is not the barcode of Test Flour",
            ),
            (gs1.barcode_string(GTIN_13, expiry=self.expiry), r"has no lot number \(10\) for Test Flour"),
            ("\x1d0104006381333932" + "10L1", "is not a GS1 barcode that can be read"),  # wrong check digit
            ("hello", "is not a GS1 barcode that can be read"),
            ("", "Give the content of a GS1 barcode"),
        ):
            with self.assertRaisesRegex(UserError, message):
                line.trace_apply_gs1_scan(content)
            self.assertFalse(line.lot_name or line.vendor_lot_number or line.trace_gs1_scan)
        device_line = self._receipt_line(self.device)
        with self.assertRaisesRegex(UserError, r"has no serial number \(21\) for Test Monitor"):
            device_line.trace_apply_gs1_scan(gs1.barcode_string(GTIN_12, lot="L1"))

    def test_receipt_scan_in_the_detailed_operations(self):
        line = self._receipt_line(self.flour, 25)
        move = line.move_id
        with Form(move.with_user(self.stock_user), view="stock.view_stock_move_operations") as form:
            with form.move_line_ids.edit(0) as row:
                row.trace_gs1_scan = gs1.barcode_string(GTIN_13, lot="VG-1", expiry=self.expiry)
                self.assertEqual(row.lot_name, "VG-1")
                self.assertEqual(row.vendor_lot_number, "VG-1")
                self.assertEqual(fields.Datetime.to_datetime(row.expiration_date).date(), self.expiry)
        self.assertEqual((line.lot_name, line.vendor_lot_number), ("VG-1", "VG-1"))
        # A wrong GTIN warns and fills nothing.
        new_line = self.env["stock.move.line"].new({"move_id": move.id, "product_id": self.flour.id})
        new_line.trace_gs1_scan = gs1.barcode_string(GTIN_12, lot="X")
        warning = new_line._onchange_trace_gs1_scan_fill()
        self.assertIn("is not the barcode of Test Flour", warning["warning"]["message"])
        self.assertFalse(new_line.lot_name)
        arch = self.env["stock.move.line"].get_view(self.env.ref("stock.view_stock_move_line_operation_tree").id)[
            "arch"
        ]
        self.assertIn('name="trace_gs1_scan"', arch)
