"""Across company walls, over HTTP: a vendor exports its events with our own EPCIS export
(its own records: wheat received, milled into flour, the flour shipped to us), we capture
them with the vendor's API key, and our backward trace, our trace map and a recall started
from the vendor's raw lot (a code we never held) reach across.

The vendor is a second company of this database, its records its own (lots, transfers,
manufacturing order), so the document is what its own database would export; a round trip
between two databases is the same document over the same endpoint."""

import io
import json

import openpyxl

from odoo.tests import HttpCase, get_db_name, tagged

from odoo.addons.trace_compliance import gs1

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestEpcisRoundTrip(RecallCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gtin_flour = "0871000000101" + str(gs1.check_digit("0871000000101"))
        cls.gtin_wheat = "0871000000202" + str(gs1.check_digit("0871000000202"))
        cls.flour.barcode = cls.gtin_flour
        cls.wheat = cls._create_product("Test Wheat", "lot", cls.uom_kg)
        cls.wheat.barcode = cls.gtin_wheat
        cls.farm = cls.env["res.partner"].create({"name": "Test Farm", "is_company": True})
        cls.our_company = cls.company
        cls.mill = cls.env["res.company"].create({"name": "Round Trip Mill"})
        cls._as_the_mill()
        # Our side: the mill's flour (its lot MILL-77) received as our lot FL-RT-1, made into
        # dough, sold to the grocer.
        cls._receive(cls.vendor_salt, [(cls.salt, "SA-RT-1", 5)])
        receipt = cls._receive(cls.mill.partner_id, [(cls.flour, "FL-RT-1", 100)], validate=False)
        receipt.move_line_ids.vendor_lot_number = "MILL-77"
        receipt.button_validate()
        cls._produce(cls.bom_dough, 100, "DO-RT-1", {cls.flour: [("FL-RT-1", 98)], cls.salt: [("SA-RT-1", 2)]})
        cls._deliver(cls.customer_shop, [(cls.dough, "DO-RT-1", 30)])
        cls.our_flour = cls._lot(cls.flour, "FL-RT-1")
        cls.our_dough = cls._lot(cls.dough, "DO-RT-1")
        dispatcher = cls.env["res.partner"].create({"name": "Mill Dispatcher", "parent_id": cls.mill.partner_id.id})
        cls.sender = cls._user(
            "rt_mill_sender",
            "base.group_portal,trace_compliance.group_trace_epcis_capture",
            partner_id=dispatcher.id,
        )
        cls.key = cls.env["res.users.apikeys"].with_user(cls.sender).sudo()._generate("rpc", "EPCIS", None)
        cls.recall_user = cls._user(
            "rt_recall_user", "trace_recall.group_recall_user,trace_compliance.group_trace_user"
        )

    @classmethod
    def _as_the_mill(cls):
        """The mill's own records, in its company: wheat WH-3 received from the farm, milled
        into flour MILL-77, 100 kg of it shipped to us; then its EPCIS export of them."""
        env, company = cls.env, cls.company
        cls.env = env(context=dict(env.context, allowed_company_ids=cls.mill.ids))
        cls.company = cls.env.company
        warehouse = cls.env["stock.warehouse"].search([("company_id", "=", cls.mill.id)], limit=1)
        stock = warehouse.lot_stock_id
        try:
            cls._transfer(warehouse.in_type_id, cls.farm, cls.supplier_location, stock, [(cls.wheat, "WH-3", 150)])
            bom_flour = cls._create_bom(cls.flour, 100, [(cls.wheat, 120)])
            cls._produce(bom_flour, 100, "MILL-77", {cls.wheat: [("WH-3", 120)]})
            cls._transfer(
                warehouse.out_type_id, company.partner_id, stock, cls.customer_location, [(cls.flour, "MILL-77", 100)]
            )
            lots = cls._lot(cls.wheat, "WH-3") | cls._lot(cls.flour, "MILL-77")
            export = cls.env["trace.recall.export.epcis"]
            cls.document = export._render_events(export._tracking_events(lots.ids, cls.mill), cls.mill)
        finally:
            cls.env, cls.company = env, company

    def _capture(self):
        response = self.url_open(
            "/epcis/capture",
            data=self.document,
            headers={"Content-Type": "application/ld+json", "Authorization": f"Bearer {self.key}"},
        )
        self.assertEqual(response.status_code, 202, response.text)
        job = self.url_open(response.headers["Location"], headers={"Authorization": f"Bearer {self.key}"}).json()
        self.assertEqual((job["running"], job["success"], job["storedCount"]), (False, True, 3), job)

    def test_round_trip(self):
        events = json.loads(self.document)["epcisBody"]["eventList"]
        self.assertEqual(
            sorted((event["type"], event["bizStep"]) for event in events),
            [("ObjectEvent", "receiving"), ("ObjectEvent", "shipping"), ("TransformationEvent", "commissioning")],
        )
        wheat_code = gs1.digital_link(self.gtin_wheat, lot="WH-3")
        # Before the capture, nothing is reported and the code finds nothing.
        self.assertEqual(self.our_dough.with_user(self.recall_user).trace_backward()["reported"], [])
        self._capture()
        # Our backward trace reaches the mill's raw lot, reported by the mill.
        reported = self.our_dough.with_user(self.recall_user).trace_backward()["reported"]
        self.assertEqual(
            [(item["code"], item["lot_id"], item["depth"]) for item in reported], [(wheat_code, self.our_flour.id, 1)]
        )
        self.assertEqual(
            (reported[0]["partner_id"], reported[0]["product_name"]), (self.mill.partner_id.id, "Test Wheat")
        )
        # The same over XML-RPC, which has no None.
        db, login = get_db_name(), self.recall_user.login
        uid = self.xmlrpc_common.authenticate(db, login, login, {})
        remote = self.xmlrpc_object.execute_kw(db, uid, login, "stock.lot", "trace_backward", [self.our_dough.ids])
        self.assertEqual([item["code"] for item in remote["reported"]], [wheat_code])
        self.assertIs(remote["reported"][0]["serial"], False)
        # The trace map draws it, left of the mill as our vendor.
        graph = self.our_dough.with_user(self.recall_user).trace_graph("backward")
        node = next(node for node in graph["nodes"] if node["kind"] == "reported")
        self.assertEqual((node["label"], node["kind_label"]), ("WH-3", "Reported by Round Trip Mill"))
        # A recall from the mill's raw lot finds our flour, our dough and the grocer.
        wizard = (
            self.env["trace.recall.start"]
            .with_user(self.recall_user)
            .create(
                {"reason": "Mycotoxin in the mill's wheat", "selection_mode": "reported", "reported_code": wheat_code}
            )
        )
        recall = self.env["trace.recall"].browse(wizard.action_start()["res_id"])
        self.assertEqual(recall.lot_ids, self.our_flour)
        self.assertEqual(set(recall.affected_lot_ids.mapped("name")), {"FL-RT-1", "DO-RT-1"})
        self.assertEqual(recall.affected_partner_ids, self.customer_shop)
        self.assertIn(wheat_code, recall.reason)
        # The recall workbook and the FSMA 204 sheet list what the mill reported.
        recall = recall.with_user(self.recall_user)
        for action in (recall.action_export_xlsx(), recall.action_export_fsma()):
            attachment = self.env["ir.attachment"].browse(int(action["url"].split("/web/content/")[1].split("?")[0]))
            book = openpyxl.load_workbook(io.BytesIO(attachment.raw), read_only=True)
            rows = list(book["Reported upstream"].iter_rows(values_only=True))
            self.assertEqual(rows[0][:2], ("Our lot", "Reported code (EPC / EPC class)"))
            self.assertEqual(
                [row[:6] for row in rows[1:]],
                [("FL-RT-1", wheat_code, self.gtin_wheat, "WH-3", "Test Wheat", "Round Trip Mill")],
            )

    def test_a_code_nobody_reported_is_refused_by_name(self):
        wizard = (
            self.env["trace.recall.start"]
            .with_user(self.recall_user)
            .create({"reason": "Test", "selection_mode": "reported", "reported_code": f"{self.gtin_wheat} NOPE-1"})
        )
        with self.assertRaisesRegex(Exception, f"{self.gtin_wheat} NOPE-1"):
            wizard.action_start()
