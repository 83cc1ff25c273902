"""The trace across company walls: what vendors' captured EPCIS events say our lots were
made from (``trace_backward()["reported"]``), and our lots found from a code we never held
(``trace.engine._reported_forward``)."""

import json
import uuid

from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.trace_compliance import gs1

from .common import TraceCase


def gtin(seed):
    """A valid GTIN-14 made of ``seed`` (13 digits) and its check digit."""
    return seed + str(gs1.check_digit(seed))


def link(gtin14, lot=None, serial=None):
    """The GS1 Digital Link of a class (``lot``) or an instance (``serial``)."""
    return f"https://id.gs1.org/01/{gtin14}" + (f"/10/{lot}" if lot else f"/21/{serial}")


@tagged("post_install", "-at_install")
class TestEpcisTrace(TraceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gtin_flour, cls.gtin_wheat, cls.gtin_seed = (
            gtin("0871000000101"),
            gtin("0871000000202"),
            gtin("87100000030"),
        )
        cls.gtin_board, cls.gtin_chip = gtin("0871000000404"), gtin("0871000000505")
        cls.gtin_salt = gtin("0871000000606")
        cls.flour.barcode = cls.gtin_flour[1:]  # a GTIN-13, as products usually carry it
        cls.board.barcode = cls.gtin_board
        cls.salt.barcode = cls.gtin_salt
        Partner = cls.env["res.partner"]
        cls.farm = Partner.create({"name": "Test Farm", "is_company": True})
        cls.senders = {
            partner: cls._user(
                f"epcis_trace_{index}",
                "base.group_portal,trace_compliance.group_trace_epcis_capture",
                partner_id=Partner.create({"name": f"{partner.name} dispatcher", "parent_id": partner.id}).id,
            )
            for index, partner in enumerate((cls.vendor_mill, cls.vendor_salt, cls.farm))
        }
        # Our side: the mill's flour lot (its own code MILL-77) and board serial, received,
        # the flour made into dough; salt received from the mill too.
        receipt = cls._receive(cls.vendor_mill, [(cls.flour, "FL-EP-1", 100)], validate=False)
        receipt.move_line_ids.vendor_lot_number = "MILL-77"
        receipt.button_validate()
        cls._receive(cls.vendor_mill, [(cls.board, "SN-1", 1), (cls.salt, "SALT-1", 5)])
        cls.flour_lot = cls._lot(cls.flour, "FL-EP-1")
        cls.serial = cls._lot(cls.board, "SN-1")
        cls.salt_lot = cls._lot(cls.salt, "SALT-1")
        cls._produce(cls.bom_dough, 100, "DO-EP-1", {cls.flour: [("FL-EP-1", 98)], cls.salt: [("SALT-1", 2)]})
        cls.dough_lot = cls._lot(cls.dough, "DO-EP-1")
        # The mill's events: wheat WH-3 milled into its flour MILL-77 at its plant, shipped to
        # us; chip CH-9 built into board SN-1, shipped.
        cls._capture(
            cls.vendor_mill,
            [
                cls._transformation([link(cls.gtin_wheat, "WH-3")], [link(cls.gtin_flour, "MILL-77")], "MILL-PLANT"),
                cls._shipping([link(cls.gtin_flour, "MILL-77")]),
                cls._transformation([link(cls.gtin_chip, serial="CH-9")], [link(cls.gtin_board, serial="SN-1")], "BP"),
                cls._shipping([link(cls.gtin_board, serial="SN-1")], instances=True),
            ],
        )
        # The farm's: seed SEED-1 grown into wheat WH-3 (a second partner, a level above).
        cls._capture(
            cls.farm, [cls._transformation([link(cls.gtin_seed, "SEED-1")], [link(cls.gtin_wheat, "WH-3")], "FARM")]
        )
        # The salt works' events about salt SALT-1, which we received from the mill, not from it.
        cls._capture(
            cls.vendor_salt,
            [
                cls._transformation([link(cls.gtin_salt, "BRINE-1")], [link(cls.gtin_salt, "SALT-1")], "PANS"),
                cls._shipping([link(cls.gtin_salt, "SALT-1")]),
            ],
        )
        cls.tracer = cls._user("epcis_tracer", "stock.group_stock_user,trace_compliance.group_trace_user")

    # ------------------------------------------------------------------
    # events
    # ------------------------------------------------------------------
    @classmethod
    def _transformation(cls, inputs, outputs, site):
        def items(codes, role):
            instances = [code for code in codes if "/21/" in code]
            classes = [{"epcClass": code, "quantity": 10, "uom": "KGM"} for code in codes if "/21/" not in code]
            return {f"{role}EPCList": instances} if instances else {f"{role}QuantityList": classes}

        return {
            "type": "TransformationEvent",
            "eventID": f"urn:uuid:{uuid.uuid4()}",
            "eventTime": "2026-01-04T15:30:00Z",
            "eventTimeZoneOffset": "+00:00",
            "bizStep": "commissioning",
            "transformationID": f"urn:test:{site}:{uuid.uuid4()}",
            **items(inputs, "input"),
            **items(outputs, "output"),
            "bizLocation": {"id": f"urn:test:site:{site}"},
        }

    @classmethod
    def _shipping(cls, codes, instances=False):
        event = {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{uuid.uuid4()}",
            "eventTime": "2026-01-05T09:00:00Z",
            "eventTimeZoneOffset": "+00:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "readPoint": {"id": "urn:test:site:DOCK"},
        }
        if instances:
            event["epcList"] = codes
        else:
            event["quantityList"] = [{"epcClass": code, "quantity": 10, "uom": "KGM"} for code in codes]
        return event

    @classmethod
    def _capture(cls, partner, events):
        document = {"type": "EPCISDocument", "schemaVersion": "2.0", "epcisBody": {"eventList": events}}
        body = json.dumps(document).encode()
        cls.env["trace.epcis.capture"]._capture(cls.senders[partner], document, body, "application/ld+json")

    def _reported(self, lot, **kwargs):
        return {
            (item["lot"] or item["serial"], item["depth"]): item
            for item in lot.with_user(self.tracer).trace_backward(**kwargs)["reported"]
        }

    # ------------------------------------------------------------------
    # backward
    # ------------------------------------------------------------------
    def test_a_lot_received_reports_what_the_vendors_made_it_from(self):
        reported = self._reported(self.dough_lot)
        self.assertEqual(set(reported), {("WH-3", 1), ("SEED-1", 2)})
        wheat, seed = reported["WH-3", 1], reported["SEED-1", 2]
        self.assertEqual(wheat["lot_id"], self.flour_lot.id)
        self.assertEqual((wheat["gtin"], wheat["code"]), (self.gtin_wheat, link(self.gtin_wheat, "WH-3")))
        self.assertEqual((wheat["partner_id"], wheat["partner_name"]), (self.vendor_mill.id, "Test Mill"))
        self.assertEqual(wheat["facility"], "urn:test:site:MILL-PLANT")
        self.assertEqual(wheat["event_time"], "2026-01-04T15:30:00")
        self.assertEqual((wheat["quantity"], wheat["uom"]), (10, "KGM"))
        self.assertEqual(wheat["into_code"], link(self.gtin_flour, "MILL-77"))
        self.assertEqual((seed["partner_id"], seed["facility"]), (self.farm.id, "urn:test:site:FARM"))
        self.assertEqual(seed["into_code"], link(self.gtin_wheat, "WH-3"))
        self.assertIs(wheat["product_id"], False)  # no None: XML-RPC has none
        self.assertIs(wheat["serial"], False)
        # The existing keys are unchanged.
        trace = self.dough_lot.with_user(self.tracer).trace_backward()
        self.assertEqual(set(trace["lot_ids"]), {self.flour_lot.id, self.salt_lot.id})
        self.assertEqual(trace["partner_ids"], self.vendor_mill.ids)

    def test_a_serial_matches_by_instance(self):
        reported = self._reported(self.serial)
        self.assertEqual(set(reported), {("CH-9", 1)})
        self.assertEqual(reported["CH-9", 1]["code"], link(self.gtin_chip, serial="CH-9"))
        self.assertEqual(reported["CH-9", 1]["lot_id"], self.serial.id)

    def test_another_vendors_events_do_not_match_our_receipt(self):
        """The salt works' shipping of SALT-1 is not the mill's: our SALT-1 came from the mill."""
        self.assertEqual(self._reported(self.salt_lot), {})

    def test_our_product_is_named_when_its_gtin_is_ours(self):
        self.dough.barcode = self.gtin_wheat
        self.assertEqual(self._reported(self.flour_lot)["WH-3", 1]["product_name"], "Test Dough")

    def test_depth_limits_the_reported_levels(self):
        self.assertEqual(set(self._reported(self.flour_lot, max_depth=1)), {("WH-3", 1)})
        self.assertEqual(set(self._reported(self.flour_lot)), {("WH-3", 1), ("SEED-1", 2)})

    def test_a_cycle_in_the_partners_events_ends(self):
        """The farm says its seed was grown from the mill's flour: the trace goes round once."""
        self._capture(
            self.farm,
            [self._transformation([link(self.gtin_flour, "MILL-77")], [link(self.gtin_seed, "SEED-1")], "FARM")],
        )
        reported = self._reported(self.flour_lot)
        self.assertEqual(set(reported), {("WH-3", 1), ("SEED-1", 2), ("MILL-77", 3)})

    def test_only_traceability_users_see_reported_events(self):
        stock_user = self._user("epcis_stock", "stock.group_stock_user")
        trace = self.dough_lot.with_user(stock_user).trace_backward()
        self.assertEqual(trace["reported"], [])
        self.assertTrue(trace["lot_ids"])
        self.assertNotIn("reported", self.flour_lot.with_user(self.tracer).trace_forward())

    def test_a_vendor_sees_no_trace(self):
        """A vendor's sender may capture, not trace: nothing of another vendor reaches it."""
        sender = self.senders[self.vendor_salt]
        with self.assertRaises(AccessError):
            self.dough_lot.with_user(sender).trace_backward()
        self.assertFalse(self.env["trace.epcis.event"].with_user(sender).has_access("read"))

    def test_the_trace_stays_one_statement(self):
        lot = self.dough_lot.with_user(self.tracer)
        expected = lot.trace_backward()
        with self.assertQueryCount(1):
            self.assertEqual(lot.trace_backward(), expected)

    def test_the_trace_map_draws_the_reported_items(self):
        graph = self.dough_lot.with_user(self.tracer).trace_graph("backward")
        nodes = {node["id"]: node for node in graph["nodes"]}
        wheat, seed = (
            nodes[f"reported:{link(self.gtin_wheat, 'WH-3')}"],
            nodes[f"reported:{link(self.gtin_seed, 'SEED-1')}"],
        )
        self.assertEqual(
            (wheat["kind"], wheat["kind_label"], wheat["label"]), ("reported", "Reported by Test Mill", "WH-3")
        )
        self.assertEqual(seed["kind_label"], "Reported by Test Farm")
        vendor = nodes[f"partner:{self.vendor_mill.id}"]
        self.assertLess(seed["column"], wheat["column"])
        self.assertLess(wheat["column"], vendor["column"])
        edges = {(edge["source"], edge["target"]): edge for edge in graph["edges"] if edge["kind"] == "reported"}
        self.assertEqual(set(edges), {(wheat["id"], f"lot:{self.flour_lot.id}"), (seed["id"], wheat["id"])})
        self.assertEqual(self.dough_lot.with_user(self.tracer).trace_graph("forward")["nodes"][0]["kind"], "lot")

    # ------------------------------------------------------------------
    # forward from a code we never held
    # ------------------------------------------------------------------
    def test_a_vendors_raw_lot_finds_our_lots(self):
        engine = self.env["trace.engine"].with_user(self.tracer)
        self.assertEqual(engine._reported_forward([link(self.gtin_seed, "SEED-1")]), {self.flour_lot.id})
        self.assertEqual(engine._reported_forward([f"(01){self.gtin_wheat}(10)WH-3"]), {self.flour_lot.id})
        self.assertEqual(engine._reported_forward([(self.gtin_wheat, "WH-3")]), {self.flour_lot.id})
        self.assertEqual(engine._reported_forward([link(self.gtin_chip, serial="CH-9")]), {self.serial.id})
        self.assertEqual(engine._reported_forward([link(self.gtin_seed, "SEED-1")], max_depth=1), set())
        self.assertEqual(engine._reported_forward([link(self.gtin_salt, "BRINE-1")]), set())
        self.assertEqual(engine._reported_forward(["nothing we know", ""]), set())
