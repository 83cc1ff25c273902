"""Odoo 19.0's JSON-2 API (``POST /json/2/<model>/<method>``, an API key as bearer).

The traces, searches, creates and writes answer over JSON-2 what they answer over
XML-RPC; errors come back as an HTTP status and Odoo's JSON error (422 for a
``UserError`` / ``ValidationError``, 403 for an ``AccessError``, 401 without a valid
key) and change nothing. The users are the scenario's (``rpc_scenario.py``): the tracer
(Traceability and Recall User) and the auditor (read-only), each with an API key made by
Odoo's shell (``json2_keys.py``). 18.0 has no JSON-2: the module is skipped there.
"""

import json
import urllib.error
import urllib.request

import pytest
from json2_keys import generate_api_keys
from rpc_scenario import USERS, password

from tools import odoo_env
from tools.odoo_rpc import Json2, Json2Error, RpcError

pytestmark = pytest.mark.skipif(
    odoo_env.requested_version() < 19,
    reason=f"JSON-2 is Odoo 19.0's API; this is Odoo {odoo_env.requested_version()}.0 (XML-RPC and JSON-RPC only)",
)

UNKNOWN = 999_999_999


@pytest.fixture(scope="module")
def keys(odoo_server, scenario):
    """{scenario user: API key} of the tracer and the auditor (one Odoo shell)."""
    logins = {user: USERS[user][0] for user in ("tracer", "auditor")}
    made = generate_api_keys(odoo_server.db, list(logins.values()), name="test_rpc_json2")
    return {user: made[login] for user, login in logins.items()}


@pytest.fixture(scope="module")
def tracer(odoo_server, keys):
    return Json2(odoo_server.url, odoo_server.db, keys["tracer"])


@pytest.fixture(scope="module")
def auditor(odoo_server, keys):
    return Json2(odoo_server.url, odoo_server.db, keys["auditor"])


def post(odoo_server, path, body, headers):
    """A raw JSON-2 request: (HTTP status, JSON answer), errors included."""
    headers = {"Content-Type": "application/json", "X-Odoo-Database": odoo_server.db, **headers}
    request = urllib.request.Request(f"{odoo_server.url}{path}", json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def refused(call, *args, **kwargs):
    with pytest.raises(Json2Error) as info:
        call(*args, **kwargs)
    return info.value


def test_trace_forward_and_backward_as_over_xmlrpc(scenario, tracer):
    xmlrpc_tracer = scenario.client("tracer")
    customers = {scenario.partners[name] for name in ("FreshMart Supermarkets", "Corner Bakery Café", "Harbor Deli")}
    vendors = {scenario.partners[name] for name in ("Northfield Mills", "Valley Grain Co.", "Atlantic Salt Works")}
    flour, loaf = [scenario.lots["FL-261101"]], [scenario.lots["BRD-261102"]]

    forward = tracer("stock.lot", "trace_forward", flour)
    assert forward == xmlrpc_tracer("stock.lot", "trace_forward", flour)
    assert set(forward) == {"lot_ids", "production_ids", "picking_ids", "partner_ids"}
    assert {scenario.lots[name] for name in ("DGH-261101", "DGH-261102", "BRD-261101", "BRD-261102")} <= set(
        forward["lot_ids"]
    )
    assert customers <= set(forward["partner_ids"])
    one_level = tracer("stock.lot", "trace_forward", ids=flour, max_depth=1)
    assert one_level == xmlrpc_tracer("stock.lot", "trace_forward", flour, max_depth=1)
    assert scenario.lots["BRD-261101"] not in one_level["lot_ids"]
    assert scenario.lots["DGH-261101"] in one_level["lot_ids"]

    backward = tracer("stock.lot", "trace_backward", loaf)
    assert backward == xmlrpc_tracer("stock.lot", "trace_backward", loaf)
    assert {scenario.lots[name] for name in ("DGH-261101", "DGH-261102", "FL-261101", "FL-261102", "SA-261101")} <= set(
        backward["lot_ids"]
    )
    assert vendors <= set(backward["partner_ids"])
    assert set(backward["picking_ids"]) >= {
        scenario.pickings[key] for key in ("receipt_northfield", "receipt_valley", "receipt_salt")
    }
    one_level = tracer("stock.lot", "trace_backward", loaf, max_depth=1)
    assert one_level == xmlrpc_tracer("stock.lot", "trace_backward", loaf, max_depth=1)
    assert scenario.lots["FL-261101"] not in one_level["lot_ids"]
    assert scenario.lots["DGH-261102"] in one_level["lot_ids"]


def test_search_read_and_model_methods(scenario, tracer):
    domain = [["vendor_lot_number", "=", "NM-2611-017"]]
    rows = tracer("stock.lot", "search_read", domain, ["name", "product_id", "quality_status"])
    assert rows == scenario.client("tracer")(
        "stock.lot", "search_read", domain, ["name", "product_id", "quality_status"]
    )
    assert [(row["id"], row["name"]) for row in rows] == [(scenario.lots["FL-261101"], "FL-261101")]
    assert rows[0]["product_id"][0] == scenario.products["flour"]
    # Keywords as JSON-2 names them, and search's records as ids.
    names = ["BRD-261101", "BRD-261102"]
    found = tracer("stock.lot", "search_read", domain=[["name", "in", names]], fields=["name"], order="name desc")
    assert [row["name"] for row in found] == names[::-1]
    assert tracer("stock.lot", "search", [["name", "in", names]], order="name") == [scenario.lots[n] for n in names]
    assert tracer("stock.lot", "search_count", [["name", "in", names]]) == 2
    assert tracer("stock.lot", "read", [scenario.lots["BRD-261102"]], ["name"]) == [
        {"id": scenario.lots["BRD-261102"], "name": "BRD-261102"}
    ]
    # A model method (no records): its arguments by name.
    found = tracer("stock.lot", "warranty_lookup", serial_name="PM5-25-0003")
    assert found["id"] == scenario.lots["PM5-25-0003"]
    assert found["customer"]["id"] == scenario.partners["Northside Medical Center"]


def test_positional_arguments_json2_cannot_name(tracer):
    with pytest.raises(TypeError, match=r"named arguments: stock\.lot\.trace_forward takes one positional argument"):
        tracer("stock.lot", "trace_forward", [1], 2)
    with pytest.raises(TypeError, match=r"stock\.lot\.write takes at most 2 positional arguments"):
        tracer("stock.lot", "write", [1], {"name": "x"}, "extra")
    with pytest.raises(TypeError, match="several values for fields"):
        tracer("stock.lot", "read", [1], ["name"], fields=["name"])


def test_create_and_write(scenario, tracer):
    admin = scenario.admin
    lot = scenario.lots["FL-261102"]
    values = {
        "name": "VG-COA-JSON2-1",
        "type_id": scenario.certificate_type_id,
        "partner_id": scenario.partners["Valley Grain Co."],
        "lot_ids": [[6, 0, [lot]]],
        "issue_date": "2026-11-20",
        "result_ids": [[0, 0, {"name": "Moisture", "uom": "%", "upper_limit": 14.5, "value": 13.1}]],
    }
    certificate = tracer("trace.certificate", "create", values)
    assert isinstance(certificate, int)
    fields = ["name", "state", "lot_ids", "product_id", "result", "create_uid"]
    row = admin("trace.certificate", "read", [certificate], fields)[0]
    assert row["create_uid"][0] == scenario.users["tracer"]
    assert (row["name"], row["state"], row["lot_ids"], row["result"]) == ("VG-COA-JSON2-1", "draft", [lot], "pass")
    assert row["product_id"][0] == scenario.products["flour"]
    # Several at once: a list of values is a list of ids.
    more = tracer("trace.certificate", "create", [dict(values, name=f"VG-COA-JSON2-{n}") for n in (2, 3)])
    assert len(more) == 2 and certificate not in more
    assert tracer("trace.certificate", "write", [certificate], {"name": "VG-COA-JSON2-1A", "issue_date": "2026-11-21"})
    row = admin("trace.certificate", "read", [certificate], ["name", "issue_date", "write_uid"])[0]
    assert (row["name"], row["issue_date"], row["write_uid"][0]) == (
        "VG-COA-JSON2-1A",
        "2026-11-21",
        scenario.users["tracer"],
    )


@pytest.fixture
def certificate(scenario, tracer):
    """A draft certificate of the tracer's (made over JSON-2)."""
    return tracer(
        "trace.certificate",
        "create",
        {
            "name": "VG-COA-JSON2-ERR",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Valley Grain Co."],
            "lot_ids": [[6, 0, [scenario.lots["FL-261102"]]]],
            "issue_date": "2026-11-20",
        },
    )


def test_user_error_and_validation_error(odoo_server, scenario, tracer, certificate):
    admin = scenario.admin
    offset = odoo_server.log_size()
    error = refused(tracer, "stock.lot", "trace_forward", [UNKNOWN])
    assert isinstance(error, RpcError)
    assert (error.status, error.name) == (422, "odoo.exceptions.UserError")
    assert f"do not exist: {UNKNOWN}" in error.message
    assert error.arguments and "Traceback" in error.debug  # JSON-2 always sends the server's traceback
    error = refused(tracer, "stock.lot", "trace_backward", [scenario.lots["BRD-261102"]], max_depth=0)
    assert (error.status, error.name) == (422, "odoo.exceptions.UserError"), error

    before = admin("trace.certificate", "read", [certificate], ["issue_date", "expiry_date"])
    error = refused(tracer, "trace.certificate", "write", [certificate], {"expiry_date": "2026-01-01"})
    assert (error.status, error.name) == (422, "odoo.exceptions.ValidationError")
    assert "is before the issue date" in error.message
    assert admin("trace.certificate", "read", [certificate], ["issue_date", "expiry_date"]) == before
    # A certificate result whose value is not a number: refused, nothing created.
    results = admin("trace.certificate.result", "search_count", [])
    error = refused(
        tracer,
        "trace.certificate.result",
        "create",
        {"certificate_id": certificate, "name": "Moisture", "upper_limit": 14.5, "value": "wet"},
    )
    assert (error.status, error.name) == (422, "odoo.exceptions.ValidationError"), error
    assert admin("trace.certificate.result", "search_count", []) == results
    # Odoo's own answers: an unknown method or model is a 404.
    error = refused(tracer, "stock.lot", "no_such_method", [scenario.lots["FL-261101"]])
    assert error.status == 404 and "does not exist" in error.message
    assert refused(tracer, "no.such.model", "search", []).status == 404
    assert "Traceback" not in odoo_server.log_since(offset)


def test_access_error_for_a_user_without_the_group(scenario, auditor):
    admin = scenario.admin
    lot = scenario.lots["BRD-261101"]
    # The auditor traces and reads...
    assert auditor("stock.lot", "trace_forward", [lot]) == scenario.client("auditor")(
        "stock.lot", "trace_forward", [lot]
    )
    status = admin("stock.lot", "read", [lot], ["quality_status", "quality_status_reason"])
    messages = admin("mail.message", "search_count", [["model", "=", "stock.lot"], ["res_id", "=", lot]])
    # ...and may not hold a lot (Traceability User) nor make a certificate.
    error = refused(auditor, "stock.lot", "set_quality_status", [lot], status="on_hold", reason="auditor over JSON-2")
    assert (error.status, error.name) == (403, "odoo.exceptions.AccessError"), error
    assert admin("stock.lot", "read", [lot], ["quality_status", "quality_status_reason"]) == status
    assert admin("mail.message", "search_count", [["model", "=", "stock.lot"], ["res_id", "=", lot]]) == messages
    certificates = admin("trace.certificate", "search_count", [])
    error = refused(
        auditor,
        "trace.certificate",
        "create",
        {
            "name": "AUDITOR-JSON2",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Harbor Deli"],
        },
    )
    assert (error.status, error.name) == (403, "odoo.exceptions.AccessError"), error
    assert admin("trace.certificate", "search_count", []) == certificates


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-key"),
        pytest.param("bearer 0123456789abcdef0123456789abcdef01234567", id="wrong-key"),
        pytest.param(f"bearer {password(USERS['tracer'][0])}", id="a-password"),
        pytest.param("basic cnBjLnRyYWNlcjpycGMudHJhY2VyLVB3MQ==", id="basic-auth"),
    ],
)
def test_no_key_or_a_wrong_key_is_401_and_does_nothing(odoo_server, scenario, keys, authorization):
    admin = scenario.admin
    lot = scenario.lots["BRD-261101"]
    before = admin("stock.lot", "read", [lot], ["quality_status", "quality_status_reason"])
    certificates = admin("trace.certificate", "search_count", [])
    headers = {"Authorization": authorization} if authorization else {}
    path = "/json/2/stock.lot/set_quality_status"
    status, answer = post(odoo_server, path, {"ids": [lot], "status": "on_hold", "reason": "no key"}, headers)
    assert status == 401, answer
    assert answer["name"] == "werkzeug.exceptions.Unauthorized", answer
    status, answer = post(
        odoo_server,
        "/json/2/trace.certificate/create",
        {"vals_list": [{"name": "NO-KEY", "type_id": scenario.certificate_type_id}]},
        headers,
    )
    assert status == 401, answer
    assert admin("stock.lot", "read", [lot], ["quality_status", "quality_status_reason"]) == before
    assert admin("trace.certificate", "search_count", []) == certificates
    # The client says the same; the tracer's own key does it.
    wrong = Json2(odoo_server.url, odoo_server.db, "not-a-key")
    error = refused(wrong, "stock.lot", "search_count", [])
    assert (error.status, error.name) == (401, "werkzeug.exceptions.Unauthorized")
    status, answer = post(
        odoo_server, "/json/2/stock.lot/search_count", {"domain": []}, {"Authorization": f"bearer {keys['tracer']}"}
    )
    assert status == 200 and answer >= len(scenario.lots), answer
