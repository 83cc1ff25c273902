import io
import json
from urllib.parse import unquote

import openpyxl

from odoo import Command
from odoo.tests import tagged

from .common import WarrantyCase

# Lot and serial numbers are data: quotes, SQL, LIKE wildcards, backslashes, placeholders
# and unicode go through every SQL statement of the suite unchanged.
HOSTILE = [
    "O'Brien; DROP TABLE stock_lot; --",
    "100% _wild_",
    "back\\slash \\'",
    'ünïcödé ✓ "quoted"',
    "$1 %s %(x)s {0} ?",
]
DECOY = "100X-Xwild_"  # what "100% _wild_" would match as a LIKE pattern


@tagged("post_install", "-at_install")
class TestHostileNames(WarrantyCase):
    """Hostile lot, serial and vendor lot numbers through every SQL path: genealogy sync,
    traces, the explorer, the audit trail, recall start, compute and exports, the serial
    registry, service-event links and the warranty lookup."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.flour_lots = cls.env["stock.lot"]
        for name in [*HOSTILE, DECOY]:
            cls._receive(cls.vendor_mill, [(cls.flour, name, 10)])
            lot = cls._lot(cls.flour, name)
            lot.vendor_lot_number = name
            cls.flour_lots |= lot
        cls.decoy = cls.flour_lots.filtered(lambda lot: lot.name == DECOY)
        cls.hostile_flour = cls.flour_lots - cls.decoy
        cls._receive(cls.vendor_salt, [(cls.salt, "W-HN-SALT", 1)])
        cls._produce(
            cls.bom_dough,
            5,
            "W-HN-DOUGH %'",
            {cls.flour: [(name, 1) for name in HOSTILE], cls.salt: [("W-HN-SALT", 0.1)]},
        )
        cls.dough_lot = cls._lot(cls.dough, "W-HN-DOUGH %'")
        cls._deliver(cls.customer_shop, [(cls.dough, "W-HN-DOUGH %'", 2)])
        # Serials: a board and a monitor with hostile numbers, sold; a hostile spare board.
        cls.serial = cls._build_device(HOSTILE[0], HOSTILE[1])
        cls._sell(cls.customer_clinic, [(cls.device, HOSTILE[0], 1)])
        cls._receive(cls.vendor_mill, [(cls.board, HOSTILE[3], 1)])
        cls.spare = cls._lot(cls.board, HOSTILE[3])

    def test_traces_and_explorer(self):
        for lot in self.hostile_flour:
            forward = lot.trace_forward()
            self.assertEqual(forward["lot_ids"], self.dough_lot.ids, lot.name)
            self.assertEqual(self.env["res.partner"].browse(forward["partner_ids"]), self.customer_shop)
        self.assertFalse(self.decoy.trace_forward()["lot_ids"])
        self.assertEqual(
            set(self.dough_lot.trace_backward(max_depth=1)["lot_ids"]),
            set((self.hostile_flour | self._lot(self.salt, "W-HN-SALT")).ids),
        )
        for lot in self.hostile_flour | self.dough_lot:
            explore = self.env["trace.genealogy.explore"].create({"search_term": lot.name})
            explore.action_search()
            # Exact: the monitor and the board that share the number are found too, the decoy is not.
            expected = self.env["stock.lot"].search([]).filtered(lambda other, name=lot.name: other.name == name)
            self.assertEqual(explore.lot_ids, expected, f"exact match for {lot.name!r}")

    def test_audit_trail(self):
        for lot in self.hostile_flour:
            lot.set_quality_status("on_hold", f"reason {lot.name}")
        entries = self.env["trace.audit.log"].search(
            [
                ("model", "=", "stock.lot"),
                ("res_id", "in", self.hostile_flour.ids),
                ("field_name", "=", "quality_status"),
            ]
        )
        entries = entries.filtered(lambda entry: entry.reason and entry.reason.startswith("reason "))
        self.assertEqual(len(entries), len(HOSTILE))
        self.assertEqual(set(entries.mapped("reason")), {f"reason {name}" for name in HOSTILE})
        self.assertEqual(set(entries.mapped("record_name")), set(self.hostile_flour.mapped("display_name")))
        self.assertTrue(self.env["trace.audit.log"].verify_chain()["ok"])

    def test_recall_start_compute_and_exports(self):
        wizard = self.env["trace.recall.start"].create(
            {"selection_mode": "vendor_lot", "vendor_lot_number": "100% _wild_", "reason": "Hostile"}
        )
        recall = self.env["trace.recall"].browse(wizard.action_start()["res_id"])
        self.assertEqual(recall.lot_ids.mapped("name"), ["100% _wild_"], "% and _ are not wildcards")
        # The same recall from every hostile lot, and from the hostile board serial.
        recall = self.env["trace.recall"].create(
            {
                "reason": "Hostile",
                "lot_ids": [Command.set((self.hostile_flour | self._lot(self.board, HOSTILE[1])).ids)],
            }
        )
        recall.action_compute()
        self.assertEqual(recall.affected_partner_ids, self.customer_shop | self.customer_clinic)
        self.assertIn(self.serial, recall.affected_lot_ids)
        recall.action_export_xlsx()
        recall.action_export_fsma()
        recall.action_export_epcis()
        attachments = self.env["ir.attachment"].search([("res_model", "=", "trace.recall"), ("res_id", "=", recall.id)])
        cells = set()
        for attachment in attachments.filtered(lambda a: a.name.endswith(".xlsx")):
            book = openpyxl.load_workbook(io.BytesIO(attachment.raw), read_only=True)
            for sheet in book.worksheets:
                for row in sheet.iter_rows(values_only=True):
                    cells.update(str(value) for value in row if value is not None)
        for name in [*HOSTILE, "W-HN-DOUGH %'"]:
            self.assertTrue(any(name in cell for cell in cells), f"{name!r} in the spreadsheets")
        # EPCIS names lots in URIs: percent-encoded, and decoded back exactly.
        epcis = json.loads(attachments.filtered(lambda a: a.name.endswith(".jsonld")).raw)
        classes = {
            unquote(quantity["epcClass"].rsplit("/", 1)[1])
            for event in epcis["epcisBody"]["eventList"]
            for key in ("quantityList", "inputQuantityList", "outputQuantityList")
            for quantity in event.get(key, [])
        }
        self.assertLessEqual({*HOSTILE, "W-HN-DOUGH %'"}, classes)
        self.assertNotIn(DECOY, "".join(cells))

    def test_registry_lookup_and_service_links(self):
        self.assertEqual(self.serial.customer_id, self.customer_clinic)
        result = self.env["stock.lot"].warranty_lookup(HOSTILE[0])
        self.assertEqual((result["id"], result["serial"]), (self.serial.id, HOSTILE[0]))
        self.assertEqual(self.env["stock.lot"]._warranty_update_registry(self.serial.ids), self.env["stock.lot"])
        event = self.env["trace.service.event"].create(
            {"lot_id": self.serial.id, "event_type": "replacement", "installed_lot_ids": [Command.set(self.spare.ids)]}
        )
        event.action_done()
        self.assertIn(self.serial.id, self.spare.trace_forward()["lot_ids"])
        check = self.env["trace.warranty.check"].create({"serial_name": HOSTILE[0], "date": "2030-01-01"})
        self.assertEqual(check.lot_id, self.serial)
