"""Bad input over the external API: unknown ids, wrong types, empty lists.

Each bad call gets a fault that says what is wrong (a ``UserError``, ``ValidationError``
or ``AccessError``: XML-RPC fault code 2 or 4, never a traceback), the server logs no
traceback for it, and it changes nothing.
"""

import re
import xmlrpc.client

import pytest

from tools.odoo_rpc import FAULT_ACCESS_ERROR, FAULT_WARNING, RpcError

UNKNOWN = 999_999_999


@pytest.fixture(scope="module")
def snapshot(scenario):
    """What a bad call must not change: counts of the traceability documents, the lots'
    statuses and chatter, the batch records' states and signatures."""
    admin = scenario.admin

    def take():
        counts = {
            model: admin(model, "search_count", [])
            for model in (
                "stock.lot",
                "trace.lot.link",
                "trace.lot.transformation",
                "trace.batch.record",
                "trace.signature",
                "trace.certificate",
                "trace.certificate.result",
                "trace.recall",
                "trace.recall.partner",
                "ir.attachment",
            )
        }
        counts["lot messages"] = admin("mail.message", "search_count", [["model", "=", "stock.lot"]])
        lots = admin("stock.lot", "search_read", [["id", "in", list(scenario.lots.values())]], ["quality_status"])
        records = admin("trace.batch.record", "search_read", [], ["state"])
        return counts, {lot["id"]: lot["quality_status"] for lot in lots}, {r["id"]: r["state"] for r in records}

    return take


@pytest.fixture
def refused(odoo_server, snapshot):
    """``refused(call, *args, code=, match=, **kwargs)``: the call faults with ``code``,
    a message matching ``match`` and no traceback, logs none, and changes nothing."""

    def check(call, *args, code=FAULT_WARNING, match, **kwargs):
        before, offset = snapshot(), odoo_server.log_size()
        with pytest.raises(xmlrpc.client.Fault) as info:
            call(*args, **kwargs)
        fault = info.value
        assert fault.faultCode == code, fault.faultString
        assert "Traceback" not in fault.faultString
        assert re.search(match, fault.faultString), fault.faultString
        assert "Traceback" not in odoo_server.log_since(offset)
        assert snapshot() == before, "the refused call changed something"
        return fault

    return check


@pytest.fixture(scope="module")
def draft_record(scenario):
    """The draft, complete batch record of loaf lot BRD-261102."""
    return scenario.admin("trace.batch.record", "search", [["production_id", "=", scenario.productions["BRD-261102"]]])[
        0
    ]


# ----------------------------------------------------------------------
# the trace engine and quality status
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ids", "kwargs", "match"),
    [
        pytest.param([], {}, "Choose at least one lot", id="no-lot"),
        pytest.param([UNKNOWN], {}, f"do not exist: {UNKNOWN}", id="unknown-id"),
        pytest.param(["FL-261101"], {}, "whole numbers: 'FL-261101' are not", id="name-for-id"),
        pytest.param([1.5], {}, "whole numbers: 1.5 are not", id="float-id"),
        pytest.param("FL-261101", {"max_depth": "two"}, "trace depth", id="depth-text"),
        pytest.param("FL-261101", {"max_depth": 0}, "trace depth", id="depth-zero"),
        pytest.param("FL-261101", {"max_depth": 1.5}, "trace depth", id="depth-float"),
        pytest.param("FL-261101", {"max_depth": True}, "trace depth", id="depth-bool"),
    ],
)
@pytest.mark.parametrize("method", ["trace_forward", "trace_backward"])
def test_trace_bad_input(scenario, refused, method, ids, kwargs, match):
    if isinstance(ids, str):
        ids = [scenario.lots[ids]]
    refused(scenario.client("tracer"), "stock.lot", method, ids, match=match, **kwargs)


@pytest.mark.parametrize(
    ("args", "code", "match"),
    [
        pytest.param(("lost", "x"), FAULT_WARNING, "Unknown quality status 'lost'", id="unknown-status"),
        pytest.param((["on_hold"], "x"), FAULT_WARNING, "Unknown quality status", id="status-list"),
        pytest.param(("on_hold", ""), FAULT_WARNING, "reason is required", id="empty-reason"),
        pytest.param(("on_hold", "   "), FAULT_WARNING, "reason is required", id="blank-reason"),
        pytest.param(("on_hold",), FAULT_WARNING, "reason is required", id="no-reason"),
        pytest.param(("on_hold", None), FAULT_WARNING, "reason is required", id="null-reason"),
        pytest.param(("released", "x"), FAULT_ACCESS_ERROR, "Only a Traceability / Manager", id="user-releases"),
    ],
)
def test_quality_status_bad_input(scenario, refused, args, code, match):
    refused(
        scenario.client("tracer"),
        "stock.lot",
        "set_quality_status",
        [scenario.lots["BRD-261101"]],
        *args,
        code=code,
        match=match,
    )


@pytest.mark.parametrize(
    ("ids", "match"),
    [
        pytest.param([UNKNOWN], f"do not exist: {UNKNOWN}", id="unknown-id"),
        pytest.param(["BRD-261101"], "whole numbers", id="name-for-id"),
    ],
)
def test_quality_status_bad_lots(scenario, refused, ids, match):
    refused(scenario.client("tracer"), "stock.lot", "set_quality_status", ids, "on_hold", "x", match=match)


# ----------------------------------------------------------------------
# signatures
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ids", "args", "code", "match"),
    [
        pytest.param("record", ("authored", "not-my-password"), FAULT_WARNING, "Wrong password", id="wrong-password"),
        pytest.param("record", ("authored", ""), FAULT_WARNING, "needs the signer's own password", id="no-password"),
        pytest.param("record", ("authored", 1234), FAULT_WARNING, "needs the signer's own password", id="number-pw"),
        pytest.param("record", ("approve", "x"), FAULT_WARNING, "Unknown signature meaning 'approve'", id="meaning"),
        pytest.param("record", (["authored"], "x"), FAULT_WARNING, "Unknown signature meaning", id="meaning-list"),
        pytest.param("record", ("approved", "rpc.tracer-Pw1"), FAULT_ACCESS_ERROR, "needs the .*Manager", id="group"),
        pytest.param([], ("authored", "x"), FAULT_WARNING, "one trace.batch.record at a time, not 0", id="no-record"),
        pytest.param("two", ("authored", "x"), FAULT_WARNING, "one trace.batch.record at a time, not 2", id="two"),
        pytest.param([UNKNOWN], ("authored", "x"), FAULT_WARNING, f"do not exist: {UNKNOWN}", id="unknown-id"),
        pytest.param(["x"], ("authored", "x"), FAULT_WARNING, "whole numbers: 'x' are not", id="text-id"),
    ],
)
def test_sign_bad_input(scenario, refused, draft_record, ids, args, code, match):
    tracer = scenario.client("tracer")
    if ids == "record":
        ids = [draft_record]
    elif ids == "two":
        ids = [draft_record, *tracer("trace.batch.record", "search", [["id", "!=", draft_record]], limit=1)]
    refused(tracer, "trace.batch.record", "sign", ids, *args, code=code, match=match)


def test_wrong_password_is_logged_in_the_audit_trail(scenario, draft_record):
    tracer, admin = scenario.client("tracer"), scenario.admin
    domain = [
        ["model", "=", "trace.batch.record"],
        ["res_id", "=", draft_record],
        ["operation", "=", "signature_refused"],
    ]
    before = admin("trace.audit.log", "search_count", domain)
    with pytest.raises(xmlrpc.client.Fault, match="Wrong password"):
        tracer("trace.batch.record", "sign", [draft_record], "authored", "guess")
    assert admin("trace.audit.log", "search_count", domain) == before + 1
    assert admin("trace.batch.record", "read", [draft_record], ["state"])[0]["state"] == "draft"


# ----------------------------------------------------------------------
# recalls, certificates, genealogy
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "method", "ids", "args", "code", "match"),
    [
        pytest.param("trace.recall", "action_compute", [], (), FAULT_WARNING, "needs at least one", id="compute-none"),
        pytest.param("trace.recall", "action_compute", [UNKNOWN], (), FAULT_WARNING, "do not exist", id="compute-id"),
        pytest.param("trace.recall", "action_export_xlsx", [], (), FAULT_WARNING, "at a time, not 0", id="export-none"),
        pytest.param("trace.recall", "action_close", [UNKNOWN], (), FAULT_WARNING, "do not exist", id="close-id"),
        pytest.param("trace.recall", "action_contain", ["1"], (), FAULT_WARNING, "whole numbers", id="contain-text"),
        pytest.param(
            "trace.recall", "create", [], ({"reason": "x"},), FAULT_WARNING, "at least one suspect", id="no-lot"
        ),
        pytest.param("trace.certificate", "action_validate", [], (), FAULT_WARNING, "at a time", id="validate-none"),
        pytest.param("trace.certificate", "reject", [UNKNOWN], ("x",), FAULT_WARNING, "do not exist", id="reject-id"),
        pytest.param("trace.lot.link", "create", [], ({},), FAULT_ACCESS_ERROR, "not allowed", id="create-link"),
        pytest.param("trace.lot.link", "unlink", "link", (), FAULT_ACCESS_ERROR, "not allowed", id="unlink-link"),
        pytest.param("trace.signature", "create", [], ({},), FAULT_WARNING, "created by signing", id="forge-signature"),
        pytest.param(
            "trace.lot.transformation", "action_validate", [UNKNOWN], (), FAULT_WARNING, "do not exist", id="trf"
        ),
        pytest.param("no.such.model", "search", [], (), FAULT_WARNING, "doesn't exist", id="unknown-model"),
    ],
)
def test_documents_bad_input(scenario, refused, model, method, ids, args, code, match):
    rpc = scenario.admin
    if ids == "link":
        ids = rpc("trace.lot.link", "search", [], limit=1)
    if method == "create" or model == "no.such.model":
        refused(rpc, model, method, *args, code=code, match=match)
    else:
        refused(rpc, model, method, ids, *args, code=code, match=match)


def test_recall_of_nothing(scenario, refused):
    """The wizard is a scratch record: starting it with no matching lot creates no recall."""
    rpc = scenario.client("tracer")
    for values, match in (
        ({"selection_mode": "vendor_lot", "vendor_lot_number": "NO-SUCH-LOT"}, "nothing to recall"),
        ({"selection_mode": "vendor_lot", "vendor_lot_number": "  "}, "Type the vendor lot number"),
        ({"selection_mode": "product"}, "Choose the product"),
        ({"selection_mode": "lots"}, "nothing to recall"),
    ):
        wizard = rpc("trace.recall.start", "create", {"reason": "bad input", **values})
        refused(rpc, "trace.recall.start", "action_start", [wizard], match=match)


def test_certificate_result_not_a_number(scenario, refused):
    refused(
        scenario.client("tracer"),
        "trace.certificate",
        "create",
        {
            "name": "BAD-RESULT-1",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Valley Grain Co."],
            "lot_ids": [[6, 0, [scenario.lots["FL-261102"]]]],
            "result_ids": [[0, 0, {"name": "Moisture", "upper_limit": 14.5, "value": "thirteen"}]],
        },
        match="thirteen",
    )


def test_transformation_of_more_than_in_stock(scenario, refused):
    rpc = scenario.client("tracer")
    transformation = rpc(
        "trace.lot.transformation",
        "create",
        {
            "transformation_type": "repack",
            "line_ids": [
                [
                    0,
                    0,
                    {
                        "direction": "input",
                        "product_id": scenario.products["salt"],
                        "lot_id": scenario.lots["SA-261101"],
                        "quantity": 1000,
                    },
                ],
                [
                    0,
                    0,
                    {
                        "direction": "output",
                        "product_id": scenario.products["salt"],
                        "lot_name": "SA-BAD",
                        "quantity": 1000,
                    },
                ],
            ],
        },
    )
    refused(rpc, "trace.lot.transformation", "action_validate", [transformation], match="Only .* are available")
    rpc("trace.lot.transformation", "unlink", [transformation])


# ----------------------------------------------------------------------
# JSON-RPC answers errors as JSON, never as an HTML error page
# ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "method", "args", "name", "match"),
    [
        pytest.param("stock.lot", "trace_forward", [[]], "odoo.exceptions.UserError", "at least one lot", id="no-lot"),
        pytest.param("stock.lot", "trace_forward", [[UNKNOWN]], "odoo.exceptions.UserError", "do not exist", id="id"),
        pytest.param("trace.lot.link", "unlink", [[1]], "odoo.exceptions.AccessError", "not allowed", id="access"),
        pytest.param("no.such.model", "search", [[]], "odoo.exceptions.UserError", "doesn't exist", id="model"),
    ],
)
def test_jsonrpc_errors(admin_json, odoo_server, model, method, args, name, match):
    offset = odoo_server.log_size()
    with pytest.raises(RpcError) as info:
        admin_json(model, method, *args)
    assert info.value.name == name, info.value.debug
    assert re.search(match, info.value.message), info.value.message
    assert "Traceback" not in odoo_server.log_since(offset)
