"""Customers' answers to a recall notice, over the external API.

A recall of loaf lot BRD-261102 (30 loaves to Corner Bakery Café, 20 to Harbor Deli) is
notified by its manager; an integration (a Recall User's XML-RPC and JSON-RPC clients) then
records what each customer answered with ``trace.recall.partner.submit_response``, the same
answer the customer's response page sends. The notice's link opens that customer's page
without a login, and nothing with a wrong token.
"""

import re
import urllib.error
import urllib.request
import xmlrpc.client

import pytest
from rpc_scenario import USERS, password

from tools.odoo_rpc import FAULT_ACCESS_ERROR, JsonRpc, RpcError

# A real 1x1 PNG: Odoo 19.0 tells a file's type with libmagic, which wants more than the signature.
PHOTO = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"


@pytest.fixture(scope="module")
def notified_recall(scenario):
    rpc = scenario.admin
    wizard = rpc(
        "trace.recall.start",
        "create",
        {
            "selection_mode": "lots",
            "lot_ids": [[6, 0, [scenario.lots["BRD-261102"]]]],
            "reason": "Undeclared sesame: the dough line was not cleaned",
        },
    )
    recall_id = rpc("trace.recall.start", "action_start", [wizard])["res_id"]
    assert rpc("trace.recall", "action_notify", [recall_id]) is True
    lines = rpc("trace.recall.partner", "search_read", [["recall_id", "=", recall_id]], ["partner_id", "qty_shipped"])
    return recall_id, {line["partner_id"][1]: line for line in lines}


def _fault(call):
    with pytest.raises(xmlrpc.client.Fault) as caught:
        call()
    return caught.value


def test_an_integration_records_the_customers_answers(scenario, odoo_server, notified_recall):
    recall_id, lines = notified_recall
    assert {name: line["qty_shipped"] for name, line in lines.items()} == {
        "Corner Bakery Café": 30,
        "Harbor Deli": 20,
    }
    corner, harbor = lines["Corner Bakery Café"]["id"], lines["Harbor Deli"]["id"]
    tracer = scenario.client("tracer")
    response_id = tracer(
        "trace.recall.partner",
        "submit_response",
        [corner],
        {
            "contact_name": "Carla Corner",
            "contact_email": "carla@corner.example.com",
            "quarantined": True,
            "sub_recall_count": 2,
            "lines": [{"lot": "BRD-261102", "qty_on_hand": 10, "qty_destroyed": 5, "qty_returned": 15}],
            "evidence": [{"name": "destroyed.png", "datas": PHOTO}],
        },
    )
    response = tracer(
        "trace.recall.response",
        "read",
        [response_id],
        ["channel", "contact_name", "qty_on_hand", "qty_destroyed", "qty_returned", "attachment_ids", "line_ids"],
    )[0]
    assert response["channel"] == "internal" and response["contact_name"] == "Carla Corner"
    assert (response["qty_on_hand"], response["qty_destroyed"], response["qty_returned"]) == (10, 5, 15)
    attachment = scenario.admin("ir.attachment", "read", response["attachment_ids"], ["name", "datas"])[0]
    assert (attachment["name"], attachment["datas"]) == ("destroyed.png", PHOTO)
    line = tracer(
        "trace.recall.partner",
        "read",
        [corner],
        ["state", "qty_accounted", "response_count", "return_picking_ids", "sub_recall_count"],
    )[0]
    assert (line["state"], line["qty_accounted"], line["response_count"], line["sub_recall_count"]) == (
        "returned",
        30,
        1,
        2,
    )
    # The returned loaves: Odoo's own return of the delivery, for quality to validate.
    returns = scenario.admin("stock.picking", "read", line["return_picking_ids"], ["state", "move_line_ids"])
    assert [ret["state"] for ret in returns] == ["assigned"]
    move_lines = scenario.admin("stock.move.line", "read", returns[0]["move_line_ids"], ["lot_id", "quantity"])
    assert [(ml["lot_id"][1], ml["quantity"]) for ml in move_lines] == [("BRD-261102", 15)]

    # JSON-RPC: an answer above what was shipped is refused with its reason, nothing recorded.
    json_tracer = JsonRpc(odoo_server.url, odoo_server.db, USERS["tracer"][0], password(USERS["tracer"][0]))
    too_much = {"contact_name": "Hal Harbor", "lines": [{"lot": "BRD-261102", "qty_consumed": 21}]}
    with pytest.raises(RpcError) as refused:
        json_tracer("trace.recall.partner", "submit_response", [harbor], too_much)
    assert refused.value.name == "odoo.exceptions.ValidationError"
    assert "21.0 Units accounted for" in refused.value.message and "20.0 Units were shipped" in refused.value.message
    assert json_tracer("trace.recall.partner", "read", [harbor], ["response_count"])[0]["response_count"] == 0
    not_shipped = {"contact_name": "Hal Harbor", "lines": [{"lot": "BRD-261101", "qty_consumed": 1}]}
    with pytest.raises(RpcError, match="BRD-261101 was not shipped to Harbor Deli"):
        json_tracer("trace.recall.partner", "submit_response", [harbor], not_shipped)
    json_tracer(
        "trace.recall.partner",
        "submit_response",
        [harbor],
        {"contact_name": "Hal Harbor", "lines": [{"lot_id": scenario.lots["BRD-261102"], "qty_consumed": 20}]},
    )
    fields = ["answered_rate", "qty_accounted", "accounted_rate", "effectiveness_reached", "sub_recall_count"]
    recall = tracer("trace.recall", "read", [recall_id], fields)[0]
    assert {name: recall[name] for name in fields} == {
        "answered_rate": 100.0,
        "qty_accounted": 50,
        "accounted_rate": 100.0,
        "effectiveness_reached": True,
        "sub_recall_count": 2,
    }

    # An auditor reads the answers, and may not record one; a user without our groups neither.
    auditor = scenario.client("auditor")
    assert auditor("trace.recall.response", "search_count", [["recall_id", "=", recall_id]]) == 2
    fault = _fault(lambda: auditor("trace.recall.partner", "submit_response", [harbor], too_much))
    assert fault.faultCode == FAULT_ACCESS_ERROR
    plain = scenario.client("plain")
    assert _fault(lambda: plain("trace.recall.response", "search", [])).faultCode == FAULT_ACCESS_ERROR
    # Answers are evidence: not even the administrator changes or deletes one.
    assert (
        "never changed"
        in _fault(
            lambda: scenario.admin("trace.recall.response", "write", [response_id], {"qty_on_hand": 0})
        ).faultString
    )
    fault = _fault(lambda: scenario.admin("trace.recall.response", "unlink", [response_id]))
    assert fault.faultCode == FAULT_ACCESS_ERROR  # no group may delete one
    # Closed: no more answers.
    assert scenario.admin("trace.recall", "action_close", [recall_id]) is True
    fault = _fault(
        lambda: tracer("trace.recall.partner", "submit_response", [harbor], {"contact_name": "Hal", "lines": []})
    )
    assert "is closed: answers can no longer be sent or changed" in fault.faultString


def test_the_notice_link_opens_that_customer_page_only(scenario, odoo_server, notified_recall):
    _recall_id, lines = notified_recall
    corner, harbor = lines["Corner Bakery Café"]["id"], lines["Harbor Deli"]["id"]
    mail = scenario.admin(
        "mail.mail", "search_read", [["model", "=", "trace.recall.partner"], ["res_id", "=", corner]], ["body_html"]
    )[0]
    path = re.search(r'href="[^"]*(/my/recall/\d+\?access_token=[\w-]+)"', mail["body_html"]).group(1)
    with urllib.request.urlopen(f"{odoo_server.url}{path}", timeout=60) as page:
        html = page.read().decode()
    assert "BRD-261102" in html and "Corner Bakery" in html and "Harbor Deli" not in html
    token = path.split("access_token=")[1]
    for wrong in (f"/my/recall/{harbor}?access_token={token}", f"/my/recall/{corner}?access_token={token[:-1]}x"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{odoo_server.url}{wrong}", timeout=60)
        assert refused.value.code == 404
