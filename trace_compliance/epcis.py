"""Reading GS1 EPCIS 2.0 JSON / JSON-LD documents: GS1's JSON Schema, the keys an event is
found by, the GLNs of the parties and places it names, and its identity.

Pure functions of the document (no Odoo): the capture endpoint
(``controllers/epcis.py``) and the capture job (``trace.epcis.capture``) call them, and so
can the trace and the query that read captured events. The schema is GS1's own, unchanged
(``data/epcis/EPCIS-JSON-Schema.json``, see the README beside it).
"""

import functools
import hashlib
import json
import re
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from urllib.parse import unquote

import jsonschema

from . import gs1

SCHEMA_FILE = Path(__file__).parent / "data" / "epcis" / "EPCIS-JSON-Schema.json"

#: The roles under which an event's keys are indexed (``trace.epcis.event.key.role``):
#: ``{role: (list property, kind)}``: ``epc`` for instance-level EPCs (a list of URIs),
#: ``class`` for class-level entries (``{"epcClass", "quantity", "uom"}``), ``parent`` for
#: an aggregation's parent EPC (a single URI); ``biz_transaction``, ``source`` and
#: ``destination`` for the typed lists, indexed with their type.
EPC_ROLES = {
    "epc": ("epcList", "epc"),
    "child": ("childEPCs", "epc"),
    "input": ("inputEPCList", "epc"),
    "output": ("outputEPCList", "epc"),
    "quantity": ("quantityList", "class"),
    "child_quantity": ("childQuantityList", "class"),
    "input_quantity": ("inputQuantityList", "class"),
    "output_quantity": ("outputQuantityList", "class"),
}
TYPED_ROLES = {
    "biz_transaction": ("bizTransactionList", "bizTransaction"),
    "source": ("sourceList", "source"),
    "destination": ("destinationList", "destination"),
}

#: The prefixes of CBV 2.0 vocabulary terms (web URI and URN forms): a term is stored by
#: its short name (``shipping``, ``in_transit``), as the JSON-LD context abbreviates it.
CBV_PREFIXES = {
    "bizStep": ("https://ref.gs1.org/cbv/BizStep-", "urn:epcglobal:cbv:bizstep:"),
    "disposition": ("https://ref.gs1.org/cbv/Disp-", "urn:epcglobal:cbv:disp:"),
    "type": (
        "https://ref.gs1.org/cbv/BTT-",
        "urn:epcglobal:cbv:btt:",
        "https://ref.gs1.org/cbv/SDT-",
        "urn:epcglobal:cbv:sdt:",
    ),
}

#: A party (``/417/``) or a place (``/414/``) named by its GLN in a GS1 Digital Link URI,
#: on any resolver domain.
_DIGITAL_LINK_GLN = re.compile(r"^https?://[^/]+(?:/.*)?/(?:417|414)/(\d{13})(?:[/?#]|$)")
#: ``urn:epc:id:pgln:<company prefix>.<party reference>`` and
#: ``urn:epc:id:sgln:<company prefix>.<location reference>.<extension>``.
_URN_GLN = re.compile(r"^urn:epc:id:(?:pgln|sgln):(\d+)\.(\d*)(?:\.[^.]*)?$")
#: A GTIN with a lot (AI 10) or a serial (AI 21) in a GS1 Digital Link URI.
_DIGITAL_LINK_GTIN = re.compile(r"^https?://[^/]+(?:/.*)?/01/(\d{8,14})(?:/(10|21)/([^/?#]+))?(?:[/?#]|$)")
#: ``urn:epc:id:sgtin:<prefix>.<indicator+item>.<serial>``,
#: ``urn:epc:class:lgtin:<prefix>.<indicator+item>.<lot>`` and
#: ``urn:epc:idpat:sgtin:<prefix>.<indicator+item>.*``.
_URN_GTIN = re.compile(r"^urn:epc:(id:sgtin|class:lgtin|idpat:sgtin):(\d+)\.(\d+)(?:\.(.+))?$")

#: How many schema errors a refusal names.
MAX_ERRORS = 10


@functools.cache
def schema_validator():
    """GS1's EPCIS 2.0 JSON Schema (Draft 7) with its format checker, compiled once per
    process."""
    schema = json.loads(SCHEMA_FILE.read_text())
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def json_pointer(path):
    """The RFC 6901 JSON pointer of a ``jsonschema`` error path."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def schema_errors(document, limit=MAX_ERRORS):
    """The first ``limit`` errors of ``document`` against GS1's schema, as
    ``(JSON pointer, message)``; none for a valid document."""
    errors = islice(schema_validator().iter_errors(document), limit)
    return [(json_pointer(error.absolute_path), error.message) for error in errors]


def events(document):
    """The events of an ``EPCISDocument`` (``epcisBody.eventList``) or of an
    ``EPCISQueryDocument`` (``epcisBody.queryResults.resultsBody.eventList``), which the
    capture interface takes both."""
    body = document.get("epcisBody") or {}
    if "eventList" in body:
        return body["eventList"] or []
    return ((body.get("queryResults") or {}).get("resultsBody") or {}).get("eventList") or []


def cbv_short(value, vocabulary):
    """``value`` of a CBV ``vocabulary`` (``bizStep``, ``disposition``, ``type``) by its short
    name; a term of another vocabulary (an extension URI) unchanged."""
    if not isinstance(value, str):
        return value
    for prefix in CBV_PREFIXES[vocabulary]:
        if value.startswith(prefix):
            return value[len(prefix) :]
    return value


def gln_of(uri):
    """The GLN a party or place identifier names (PGLN / SGLN, as a GS1 Digital Link or an
    EPC URN), or ``None`` for an identifier that names no GLN (a URI of the sender's own)."""
    if not isinstance(uri, str):
        return None
    if match := _DIGITAL_LINK_GLN.match(uri):
        return match.group(1)
    if match := _URN_GLN.match(uri):
        digits = match.group(1) + match.group(2)
        if len(digits) == 12:
            return digits + str(gs1.check_digit(digits))
    return None


def party_identifiers(event):
    """``(where, identifier)`` of the parties and places an event says it happened at or
    came from: its ``readPoint``, its ``bizLocation`` and its ``sourceList``; these must be
    the sender's own."""
    for where in ("readPoint", "bizLocation"):
        place = event.get(where)
        if isinstance(place, dict) and place.get("id"):
            yield where, place["id"]
    for source in event.get("sourceList") or []:
        if isinstance(source, dict) and source.get("source"):
            yield "sourceList", source["source"]


def destination_identifiers(event):
    """The identifiers of an event's ``destinationList``: the sender's or the receiver's."""
    for destination in event.get("destinationList") or []:
        if isinstance(destination, dict) and destination.get("destination"):
            yield destination["destination"]


def gtin_lot(uri):
    """``(GTIN-14, lot, serial)`` of a product identifier (GS1 Digital Link ``/01/…/10/…`` or
    ``/21/…``, SGTIN / LGTIN EPC URNs, an SGTIN pattern); ``(None, None, None)`` for others."""
    if not isinstance(uri, str):
        return None, None, None
    if match := _DIGITAL_LINK_GTIN.match(uri):
        gtin, ai, value = match.groups()
        value = unquote(value) if value else None
        return gs1.gtin14(gtin) or None, value if ai == "10" else None, value if ai == "21" else None
    if match := _URN_GTIN.match(uri):
        scheme, prefix, item, value = match.groups()
        digits = item[:1] + prefix + item[1:]
        if len(digits) != 13:
            return None, None, None
        gtin = digits + str(gs1.check_digit(digits))
        value = unquote(value) if value and value != "*" else None
        if scheme == "class:lgtin":
            return gtin, value, None
        return gtin, None, value
    return None, None, None


_ELEMENT_STRING = re.compile(r"^\(01\)(\d{14})\((10|21)\)(.+)$")
_GTIN_AND_CODE = re.compile(r"^(\d{8}|\d{12,14})\s*[\s/,;]\s*(\S.*)$")


def parse_code(code):
    """``(GTIN-14, lot, serial, value)`` of a code a user or a caller gives for something a
    partner reported: a GS1 Digital Link or an EPC URN (:func:`gtin_lot`), a GS1 element
    string ``(01)…(10)…`` / ``(01)…(21)…``, or a GTIN and a lot separated by a space, a
    slash, a comma or a semicolon; another identifier is kept as ``value`` only (matched as
    sent). ``None`` for an empty code."""
    code = (code or "").strip() if isinstance(code, str) else ""
    if not code:
        return None
    gtin, lot, serial = gtin_lot(code)
    if gtin:
        return gtin, lot, serial, code
    if match := _ELEMENT_STRING.match(code):
        gtin, ai, value = match.groups()
        if gs1.gtin14(gtin):
            return gtin, value if ai == "10" else None, value if ai == "21" else None, code
    if (match := _GTIN_AND_CODE.match(code)) and gs1.gtin14(match.group(1)):
        return gs1.gtin14(match.group(1)), match.group(2).strip(), None, code
    return None, None, None, code


def event_keys(event):
    """The keys an event is found by, as dicts of ``role``, ``value``, ``key_type``,
    ``quantity``, ``uom``, ``gtin``, ``lot``, ``serial`` (one per EPC, EPC class, business
    transaction, source and destination; see :data:`EPC_ROLES`, :data:`TYPED_ROLES`)."""
    keys = []

    def add(role, value, key_type=None, quantity=None, uom=None):
        if not isinstance(value, str) or not value:
            return
        gtin, lot, serial = gtin_lot(value)
        keys.append(
            {
                "role": role,
                "value": value,
                "key_type": key_type,
                "quantity": quantity,
                "uom": uom,
                "gtin": gtin,
                "lot": lot,
                "serial": serial,
            }
        )

    if event.get("parentID"):
        add("parent", event["parentID"])
    for role, (prop, kind) in EPC_ROLES.items():
        for item in event.get(prop) or []:
            if kind == "epc":
                add(role, item)
            elif isinstance(item, dict):
                quantity = item.get("quantity")
                add(
                    role,
                    item.get("epcClass"),
                    quantity=quantity if isinstance(quantity, int | float) else None,
                    uom=item.get("uom"),
                )
    for role, (prop, name) in TYPED_ROLES.items():
        for item in event.get(prop) or []:
            if isinstance(item, dict):
                add(role, item.get(name), key_type=cbv_short(item.get("type"), "type"))
    return keys


def canonical_json(event):
    """The event as canonical JSON: keys sorted, no whitespace, UTF-8, without ``eventID``."""
    content = {key: value for key, value in event.items() if key != "eventID"}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash_id(event):
    """A stable identifier for an event sent without ``eventID``:
    ``ni:///sha-256;<hex>?ver=CBV2.0`` over :func:`canonical_json`. The form is the one of
    CBV 2.0's event hash; the canonicalisation is ours (sorted-key JSON of the event as it
    came), not CBV 2.0's pre-hash string, so the same event sent twice gets the same
    identifier here but not necessarily the one another system computes."""
    digest = hashlib.sha256(canonical_json(event).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver=CBV2.0"


def event_time(event):
    """``eventTime`` as a naive UTC datetime (how Odoo stores datetimes)."""
    value = event.get("eventTime")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
