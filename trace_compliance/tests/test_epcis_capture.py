"""EPCIS 2.0 capture over HTTP (``POST /epcis/capture``, ``GET /epcis/capture/<id>``), as
GS1's REST binding defines it: a vendor's portal user sends its events with an API key;
what is refused stores nothing; the same eventID is stored once; large documents are
captured in the background."""

import json
import uuid

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.trace_compliance import epcis, gs1

GTIN = "09506000134352"


def gln(seed):
    """A valid GLN made of ``seed`` (12 digits) and its check digit."""
    return seed + str(gs1.check_digit(seed))


@tagged("post_install", "-at_install")
class TestEpcisCapture(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.vendor_gln, cls.site_gln, cls.other_gln, cls.our_gln = (
            gln("950600000001"),
            gln("950600000002"),
            gln("950600000003"),
            gln("950600000004"),
        )
        cls.vendor = Partner.create({"name": "EPCIS Test Mill", "is_company": True, "trace_gln": cls.vendor_gln})
        cls.vendor_site = Partner.create({"name": "Mill Plant", "parent_id": cls.vendor.id, "trace_gln": cls.site_gln})
        cls.vendor_contact = Partner.create({"name": "Mill Dispatcher", "parent_id": cls.vendor.id})
        cls.other_vendor = Partner.create({"name": "EPCIS Test Salt", "is_company": True, "trace_gln": cls.other_gln})
        cls.env.company.partner_id.trace_gln = cls.our_gln
        groups = "base.group_portal,trace_compliance.group_trace_epcis_capture"
        cls.sender = new_test_user(
            cls.env, login="epcis_mill", password="epcis_mill", groups=groups, partner_id=cls.vendor_contact.id
        )
        other_contact = Partner.create({"name": "Salt Dispatcher", "parent_id": cls.other_vendor.id})
        cls.other_sender = new_test_user(cls.env, login="epcis_salt", groups=groups, partner_id=other_contact.id)
        cls.no_right = new_test_user(cls.env, login="epcis_noright", groups="base.group_portal")
        cls.key = cls._api_key(cls.sender)
        cls.other_key = cls._api_key(cls.other_sender)
        cls.no_right_key = cls._api_key(cls.no_right)

    @classmethod
    def _api_key(cls, user):
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate("rpc", "EPCIS", None)

    # ------------------------------------------------------------------
    # documents
    # ------------------------------------------------------------------
    def _event(self, lot="M-LOT-1", event_id=True, **overrides):
        event = {
            "type": "ObjectEvent",
            "eventTime": "2026-01-05T09:00:00.000+01:00",
            "eventTimeZoneOffset": "+01:00",
            "action": "OBSERVE",
            "bizStep": "shipping",
            "disposition": "in_transit",
            "epcList": [f"urn:epc:id:sgtin:9506000.013435.{lot}-S1"],
            "quantityList": [{"epcClass": f"https://id.gs1.org/01/{GTIN}/10/{lot}", "quantity": 12.5, "uom": "KGM"}],
            "readPoint": {"id": f"https://id.gs1.org/414/{self.site_gln}"},
            "bizLocation": {"id": f"urn:epc:id:sgln:{self.site_gln[:7]}.{self.site_gln[7:12]}.0"},
            "bizTransactionList": [{"type": "po", "bizTransaction": "https://mill.example.com/po/PO-77"}],
            "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{self.vendor_gln}"}],
            "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{self.our_gln}"}],
        }
        if event_id:
            event["eventID"] = f"urn:uuid:{uuid.uuid4()}"
        event.update(overrides)
        return event

    def _transformation(self):
        return {
            "type": "TransformationEvent",
            "eventID": f"urn:uuid:{uuid.uuid4()}",
            "eventTime": "2026-01-04T15:30:00Z",
            "eventTimeZoneOffset": "+00:00",
            "bizStep": "commissioning",
            "transformationID": "https://mill.example.com/batch/B-9",
            "inputQuantityList": [
                {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/WHEAT-3", "quantity": 20, "uom": "KGM"}
            ],
            "outputQuantityList": [
                {"epcClass": f"https://id.gs1.org/01/{GTIN}/10/M-LOT-1", "quantity": 19, "uom": "KGM"}
            ],
            "readPoint": {"id": f"https://id.gs1.org/414/{self.site_gln}"},
        }

    def _document(self, events):
        return {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-01-05T10:00:00Z",
            "epcisBody": {"eventList": events},
        }

    def _post(self, document, key=None, content_type="application/ld+json", headers=None):
        body = document if isinstance(document, bytes) else json.dumps(document).encode()
        all_headers = {"Content-Type": content_type, **(headers or {})}
        if key is not False:
            all_headers["Authorization"] = f"Bearer {key or self.key}"
        return self.url_open("/epcis/capture", data=body, headers=all_headers)

    def _get(self, url, key=None):
        return self.url_open(url, headers={"Authorization": f"Bearer {key or self.key}"})

    def _counts(self):
        self.env.flush_all()
        cr = self.env.cr
        counts = {}
        for table in ("trace_epcis_event", "trace_epcis_event_key", "trace_epcis_capture"):
            cr.execute(SQL("SELECT COUNT(*) FROM %s", SQL.identifier(table)))
            counts[table] = cr.fetchone()[0]
        cr.execute("SELECT COUNT(*) FROM ir_attachment WHERE res_model = 'trace.epcis.capture'")
        counts["attachments"] = cr.fetchone()[0]
        return counts

    def _job(self, response):
        self.assertEqual(response.status_code, 202, response.text)
        location = response.headers["Location"]
        self.assertRegex(location, r"^/epcis/capture/\d+$")
        self.env.invalidate_all()
        return self.env["trace.epcis.capture"].browse(int(location.rsplit("/", 1)[1])), location

    # ------------------------------------------------------------------
    # capture
    # ------------------------------------------------------------------
    def test_capture_stores_events_and_keys(self):
        shipping, transformation = self._event(), self._transformation()
        anonymous = self._event(lot="M-LOT-2", event_id=False)
        document = self._document([shipping, transformation, anonymous])
        self.assertEqual(epcis.schema_errors(document), [])
        before = self._counts()
        job, location = self._job(self._post(document))
        self.assertEqual(self._counts()["trace_epcis_event"], before["trace_epcis_event"] + 3)
        answer = self._get(location)
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.headers["GS1-EPCIS-Version"], "2.0.0")
        state = answer.json()
        self.assertEqual(state["captureID"], str(job.id))
        self.assertIs(state["running"], False)
        self.assertIs(state["success"], True)
        self.assertEqual(state["captureErrorBehaviour"], "rollback")
        self.assertEqual(state["errors"], [])
        self.assertIn("finishedAt", state)
        self.assertEqual((job.state, job.progress, job.event_count, job.stored_count), ("done", 100, 3, 3))
        self.assertEqual(job.partner_id, self.vendor)
        self.assertEqual(job.user_id, self.sender)
        self.assertEqual(json.loads(job.attachment_id.raw), document)
        events = {event.event_type + (event.biz_step or ""): event for event in job.event_ids}
        shipped = job.event_ids.filtered(lambda event: event.event_id == shipping["eventID"])
        self.assertEqual(shipped.event_json, shipping)
        self.assertEqual(shipped.event_time.isoformat(), "2026-01-05T08:00:00")
        self.assertEqual((shipped.biz_step, shipped.disposition, shipped.action), ("shipping", "in_transit", "OBSERVE"))
        self.assertEqual(shipped.company_id, self.env.company)
        keys = {(key.role, key.value): key for key in shipped.key_ids}
        sgtin = keys[("epc", "urn:epc:id:sgtin:9506000.013435.M-LOT-1-S1")]
        self.assertEqual((sgtin.gtin, sgtin.serial, sgtin.lot), (GTIN, "M-LOT-1-S1", False))
        lot = keys[("quantity", f"https://id.gs1.org/01/{GTIN}/10/M-LOT-1")]
        self.assertEqual((lot.gtin, lot.lot, lot.quantity, lot.uom), (GTIN, "M-LOT-1", 12.5, "KGM"))
        self.assertEqual(keys[("biz_transaction", "https://mill.example.com/po/PO-77")].key_type, "po")
        self.assertEqual(keys[("source", f"https://id.gs1.org/417/{self.vendor_gln}")].key_type, "owning_party")
        self.assertIn(("destination", f"https://id.gs1.org/417/{self.our_gln}"), keys)
        made = events["TransformationEventcommissioning"]
        self.assertEqual(made.transformation_id, "https://mill.example.com/batch/B-9")
        self.assertEqual(
            sorted((key.role, key.lot) for key in made.key_ids),
            [("input_quantity", "WHEAT-3"), ("output_quantity", "M-LOT-1")],
        )
        hashed = job.event_ids.filtered(lambda event: event.event_id.startswith("ni:///sha-256;"))
        self.assertEqual(hashed.event_id, epcis.event_hash_id(anonymous))
        self.assertTrue(hashed.event_id.endswith("?ver=CBV2.0"))
        # The job's creation and its end are in the audit trail.
        trail = self.env["trace.audit.log"].search([("model", "=", job._name), ("res_id", "=", job.id)])
        self.assertIn("done", " ".join(trail.mapped("new_value")).lower())

    def test_duplicate_event_ids_are_stored_once(self):
        event = self._event()
        job, _location = self._job(self._post(self._document([event, dict(event), self._event(lot="M-LOT-3")])))
        self.assertEqual((job.event_count, job.stored_count, job.duplicate_count), (3, 2, 1))
        before = self._counts()
        again, location = self._job(self._post(self._document([event])))
        self.assertEqual((again.stored_count, again.duplicate_count), (0, 1))
        after = self._counts()
        self.assertEqual(after["trace_epcis_event"], before["trace_epcis_event"])
        self.assertEqual(after["trace_epcis_event_key"], before["trace_epcis_event_key"])
        self.assertEqual(self._get(location).json()["success"], True)
        self.assertEqual(self.env["trace.epcis.event"].search_count([("event_id", "=", event["eventID"])]), 1)
        # Sent without eventID twice: the same hash, stored once.
        anonymous = self._event(lot="M-LOT-4", event_id=False)
        first, _location = self._job(self._post(self._document([anonymous])))
        second, _location = self._job(self._post(self._document([anonymous])))
        self.assertEqual((first.stored_count, second.stored_count, second.duplicate_count), (1, 0, 1))

    def test_refused_documents_store_nothing(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_compliance.epcis_max_bytes", 4000)
        no_time = self._event()
        del no_time["eventTime"]
        other_party = self._event(
            sourceList=[
                {"type": "owning_party", "source": f"urn:epc:id:pgln:{self.other_gln[:7]}.{self.other_gln[7:12]}"}
            ]
        )
        other_place = self._event(readPoint={"id": f"https://id.gs1.org/414/{self.other_gln}"})
        nowhere = self._event(
            destinationList=[{"type": "location", "destination": f"https://id.gs1.org/414/{self.other_gln}"}]
        )
        huge = self._document([self._event(lot=f"M-BIG-{index}") for index in range(20)])
        before = self._counts()
        cases = {
            "schema-invalid": (
                self._post(self._document([no_time])),
                400,
                "ValidationException",
                "/epcisBody/eventList/0",
            ),
            "not JSON": (self._post(b"{not json"), 400, "ValidationException", None),
            "another party's PGLN": (
                self._post(self._document([other_party])),
                400,
                "ValidationException",
                "/epcisBody/eventList/0/sourceList",
            ),
            "another party's SGLN": (
                self._post(self._document([other_place])),
                400,
                "ValidationException",
                "/epcisBody/eventList/0/readPoint",
            ),
            "a destination of nobody known": (
                self._post(self._document([nowhere])),
                400,
                "ValidationException",
                "/epcisBody/eventList/0/destinationList",
            ),
            "over the size limit": (self._post(huge), 413, "CaptureLimitExceededException", None),
            "unknown key": (self._post(self._document([self._event()]), key="0" * 40), 401, "SecurityException", None),
            "no key": (self._post(self._document([self._event()]), key=False), 401, "SecurityException", None),
            "a key without the right": (
                self._post(self._document([self._event()]), key=self.no_right_key),
                403,
                "SecurityException",
                None,
            ),
            "another media type": (
                self._post(self._document([self._event()]), content_type="text/plain"),
                415,
                "UnsupportedMediaTypeException",
                None,
            ),
            "greedy capture asked": (
                self._post(self._document([self._event()]), headers={"GS1-Capture-Error-Behaviour": "proceed"}),
                400,
                "ValidationException",
                None,
            ),
        }
        self.assertEqual(self._counts(), before)
        for name, (response, status, kind, pointer) in cases.items():
            with self.subTest(name):
                self.assertEqual(response.status_code, status, response.text)
                self.assertEqual(response.headers["Content-Type"], "application/problem+json")
                problem = response.json()
                self.assertEqual((problem["type"], problem["status"]), (f"epcisException:{kind}", status))
                self.assertNotIn("Traceback", response.text)
                self.assertNotIn("EPCIS Test Salt", response.text)
                if pointer:
                    self.assertEqual(problem["errors"][0]["pointer"], pointer)
                if status == 401:
                    self.assertEqual(response.headers["WWW-Authenticate"].lower(), "bearer")
        # And the same valid document is taken: the refusals were about the input.
        self._job(self._post(self._document([self._event()])))

    def test_schema_errors_are_named_with_their_pointers(self):
        events = [self._event() for _index in range(12)]
        for event in events:
            event["action"] = "SHOUT"
        problem = self._post(self._document(events)).json()
        self.assertEqual(len(problem["errors"]), epcis.MAX_ERRORS)
        self.assertEqual(problem["errors"][0]["pointer"], "/epcisBody/eventList/0/action")

    def test_session_cookie_never_authenticates(self):
        self.authenticate("epcis_mill", "epcis_mill")
        response = self._post(self._document([self._event()]), key=False)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(self._counts()["trace_epcis_capture"], 0)
        _job, location = self._job(self._post(self._document([self._event()])))
        self.assertEqual(self.url_open(location).status_code, 401)

    def test_large_document_is_captured_in_the_background(self):
        self.env["ir.config_parameter"].sudo().set_param("trace_compliance.epcis_background_threshold", 2)
        document = self._document([self._event(lot=f"M-BG-{index}") for index in range(5)])
        job, location = self._job(self._post(document))
        state = self._get(location).json()
        self.assertIs(state["running"], True)
        self.assertEqual((job.state, job.stored_count, len(job.event_ids)), ("pending", 0, 0))
        self.patch(type(job), "_get_batch_size", lambda self: 2)
        self.env["trace.epcis.capture"]._cron_process_pending()
        self.env.invalidate_all()
        self.assertEqual((job.state, job.progress, job.stored_count, len(job.event_ids)), ("done", 100, 5, 5))
        self.assertEqual(len(job.event_ids.key_ids), 5 * 5)
        state = self._get(location).json()
        self.assertEqual((state["running"], state["success"], state["progress"]), (False, True, 100))

    def test_jobs_are_their_senders_only(self):
        job, location = self._job(self._post(self._document([self._event()])))
        other = self._get(location, key=self.other_key)
        self.assertEqual(other.status_code, 404)
        self.assertNotIn("EPCIS Test Mill", other.text)
        self.assertEqual(self._get("/epcis/capture/999999999").status_code, 404)
        self.assertEqual(self._get("/epcis/capture/abc").status_code, 404)
        self.assertEqual(self._get(location, key=self.no_right_key).status_code, 403)
        self.assertEqual([item["captureID"] for item in self._get("/epcis/capture").json()], [str(job.id)])
        self.assertEqual(self._get("/epcis/capture", key=self.other_key).json(), [])

    def test_options_describe_the_capture_interface(self):
        response = self.opener.options(
            self.base_url() + "/epcis/capture", headers={"Authorization": f"Bearer {self.key}"}, timeout=12
        )
        self.assertEqual(response.status_code, 204)
        self.assertEqual(response.headers["GS1-EPCIS-Capture-File-Size-Limit"], str(20 * 1024 * 1024))
        self.assertEqual(response.headers["GS1-Capture-Error-Behaviour"], "rollback")
        self.assertIn("POST", response.headers["Allow"])
        self.assertEqual(self.opener.options(self.base_url() + "/epcis/capture", timeout=12).status_code, 401)

    def test_captured_events_are_evidence(self):
        job, _location = self._job(self._post(self._document([self._event()])))
        event = job.event_ids
        with self.assertRaises(UserError):
            event.write({"biz_step": "receiving"})
        with self.assertRaises(UserError):
            event.unlink()
        with self.assertRaises(UserError):
            event.key_ids.unlink()
        with self.assertRaises(UserError):
            job.write({"state": "failed"})
        with self.assertRaises(UserError):
            job.unlink()
        with self.assertRaises(UserError):
            job.attachment_id.unlink()
        with self.assertRaises(UserError):
            self.env["trace.epcis.event"].create({"event_id": "urn:uuid:x"})
