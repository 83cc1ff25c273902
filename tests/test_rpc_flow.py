"""The traceability flow of an integration, end to end over the external API.

The documents (receipts with vendor lot numbers, manufacturing orders marked done,
deliveries, a sale) are made over XML-RPC by the ``scenario`` fixture; these tests trace
them, recall, certify and sign, over XML-RPC, JSON-RPC and the web client's HTTP routes.
"""

import base64
import hashlib
import io
import json
import xmlrpc.client
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from rpc_scenario import password

from tools.odoo_rpc import WebSession


def names(rpc, model, ids, field="name"):
    return sorted(row[field] for row in rpc(model, "read", ids, [field]))


def test_receipts_capture_vendor_lot_numbers(scenario):
    rpc = scenario.client("tracer")
    flour = rpc("stock.lot", "search_read", [["vendor_lot_number", "=", "NM-2611-017"]], ["name", "product_qty"])
    assert [(lot["name"], lot["product_qty"]) for lot in flour] == [("FL-261101", 300 - 98 - 50)]
    # A lot's name search matches the vendor's number too (the lot field of any form).
    found = rpc("stock.lot", "name_search", "VG-26-4471")
    assert [name for _id, name in found] == ["FL-261102"]
    line = rpc(
        "stock.move.line",
        "search_read",
        [["picking_id", "=", scenario.pickings["receipt_salt"]]],
        ["vendor_lot_number", "lot_id"],
    )
    assert [(row["vendor_lot_number"], row["lot_id"][1]) for row in line] == [("ASW-118-B", "SA-261101")]


def test_trace_forward_over_xmlrpc(scenario):
    rpc = scenario.client("tracer")
    forward = rpc("stock.lot", "trace_forward", [scenario.lots["FL-261101"]])
    assert set(forward) == {"lot_ids", "production_ids", "picking_ids", "partner_ids"}
    assert names(rpc, "stock.lot", forward["lot_ids"]) == ["BRD-261101", "BRD-261102", "DGH-261101", "DGH-261102"]
    assert sorted(forward["production_ids"]) == sorted(
        scenario.productions[lot] for lot in ("DGH-261101", "DGH-261102", "BRD-261101", "BRD-261102")
    )
    assert sorted(forward["picking_ids"]) == sorted(
        scenario.pickings[key] for key in ("delivery_freshmart", "delivery_corner", "delivery_harbor")
    )
    assert names(rpc, "res.partner", forward["partner_ids"]) == [
        "Corner Bakery Café",
        "FreshMart Supermarkets",
        "Harbor Deli",
    ]
    # Valley Grain's flour reached the customers of loaf lot 2 only, through dough 2.
    valley = rpc("stock.lot", "trace_forward", [scenario.lots["FL-261102"]])
    assert names(rpc, "res.partner", valley["partner_ids"]) == ["Corner Bakery Café", "Harbor Deli"]
    one_level = rpc("stock.lot", "trace_forward", [scenario.lots["FL-261101"]], max_depth=1)
    assert names(rpc, "stock.lot", one_level["lot_ids"]) == ["DGH-261101", "DGH-261102"]


def test_trace_backward_over_jsonrpc(scenario, admin_json):
    backward = admin_json("stock.lot", "trace_backward", [scenario.lots["BRD-261102"]])
    assert names(admin_json, "stock.lot", backward["lot_ids"]) == [
        "DGH-261101",
        "DGH-261102",
        "FL-261101",
        "FL-261102",
        "SA-261101",
    ]
    assert names(admin_json, "res.partner", backward["partner_ids"]) == [
        "Atlantic Salt Works",
        "Northfield Mills",
        "Valley Grain Co.",
    ]
    assert sorted(backward["picking_ids"]) == sorted(
        scenario.pickings[key] for key in ("receipt_northfield", "receipt_valley", "receipt_salt")
    )
    monitor = admin_json("stock.lot", "trace_backward", [scenario.lots["PM5-25-0003"]])
    assert names(admin_json, "stock.lot", monitor["lot_ids"]) == ["SB200-24-0003"]
    assert names(admin_json, "res.partner", monitor["partner_ids"]) == ["Circuitech Electronics"]


def test_trace_graph_over_xmlrpc_and_jsonrpc(scenario, admin_json):
    """The trace map: the nodes are the trace's lots, deliveries and customers, the edges
    carry the orders and quantities; JSON-RPC gets the same; others get what they may read."""
    flour = scenario.lots["FL-261101"]
    rpc = scenario.client("tracer")
    graph = rpc("stock.lot", "trace_graph", [flour])
    forward = rpc("stock.lot", "trace_forward", [flour])
    by_kind = {}
    for node in graph["nodes"]:
        by_kind.setdefault(node["kind"], set()).add(node["res_id"])
    assert by_kind["lot"] == {flour, *forward["lot_ids"]}
    assert by_kind["delivery"] == set(forward["picking_ids"])
    assert by_kind["customer"] == set(forward["partner_ids"])
    assert {edge["res_id"] for edge in graph["edges"] if edge["kind"] == "production"} == set(forward["production_ids"])
    columns = {node["label"]: node["column"] for node in graph["nodes"]}
    assert [columns[name] for name in ("FL-261101", "DGH-261101", "BRD-261101", "Harbor Deli")] == [0, 1, 2, 4]
    into_dough = [edge for edge in graph["edges"] if edge["target"] == f"lot:{scenario.lots['DGH-261101']}"]
    assert [(edge["quantity"], edge["uom"]) for edge in into_dough if edge["source"] == f"lot:{flour}"] == [(98, "kg")]
    both = admin_json("stock.lot", "trace_graph", [scenario.lots["DGH-261102"]], direction="both", group_threshold=1)
    assert both["direction"] == "both" and both["grouped"] is True
    vendors = [node for node in both["nodes"] if node.get("group_kind") == "vendor" or node["kind"] == "vendor"]
    assert vendors and all(node["column"] < 0 for node in vendors)
    # A group expanded on the map: its members come back, laid out like the rest.
    group = next(node for node in both["nodes"] if node.get("group_kind") == "lot")
    dough = [scenario.lots["DGH-261102"]]
    expanded = admin_json("stock.lot", "trace_graph", dough, direction="both", group_threshold=1, expand=[group["id"]])
    ids = {node["id"] for node in expanded["nodes"]}
    assert group["id"] not in ids and set(group["members"]) <= ids
    assert all(node["x"] + node["width"] <= expanded["width"] for node in expanded["nodes"])
    assert all(edge["path"].startswith("M") for edge in expanded["edges"])
    # The web client's Trace Map is opened by an action every button returns.
    action = rpc("stock.lot", "action_open_trace_map", [flour])
    assert (action["tag"], action["context"]["active_ids"]) == ("trace_compliance.trace_map", [flour])
    # A user without traceability rights reads the lots and deliveries, not the genealogy links.
    stock_view = scenario.client("stock_user")("stock.lot", "trace_graph", [flour])
    assert {node["id"] for node in stock_view["nodes"]} == {node["id"] for node in graph["nodes"]}
    assert {edge["kind"] for edge in stock_view["edges"]} == {"delivery"}
    for user in ("other", "plain"):
        with pytest.raises(xmlrpc.client.Fault) as info:
            scenario.client(user)("stock.lot", "trace_graph", [flour])
        assert info.value.faultCode == 4, info.value.faultString[:300]  # an AccessError
    with pytest.raises(xmlrpc.client.Fault) as info:
        rpc("stock.lot", "trace_graph", [flour], direction="sideways")
    assert info.value.faultCode == 2 and "trace direction" in info.value.faultString


def test_genealogy_links_and_quality_status(scenario):
    rpc = scenario.client("tracer")
    links = rpc(
        "trace.lot.link",
        "search_read",
        [["child_lot_id", "=", scenario.lots["BRD-261102"]]],
        ["parent_lot_id", "quantity", "link_type", "production_id"],
    )
    assert sorted((link["parent_lot_id"][1], link["quantity"], link["link_type"]) for link in links) == [
        ("DGH-261101", 20, "production"),
        ("DGH-261102", 60, "production"),
    ]
    assert {link["production_id"][0] for link in links} == {scenario.productions["BRD-261102"]}

    lot = scenario.lots["SB200-24-0004"]
    assert rpc("stock.lot", "set_quality_status", [lot], "on_hold", "Suspected electrostatic damage") is True
    status = rpc("stock.lot", "read", [lot], ["quality_status", "quality_status_reason", "quality_status_user_id"])[0]
    assert (status["quality_status"], status["quality_status_reason"]) == ("on_hold", "Suspected electrostatic damage")
    assert status["quality_status_user_id"][0] == scenario.users["tracer"]
    # Releasing needs a Traceability Manager.
    released = scenario.admin("stock.lot", "set_quality_status", [lot], "released", "Tested: no damage")
    assert released is True
    assert rpc("stock.lot", "read", [lot], ["quality_status"])[0]["quality_status"] == "released"


def test_recall_from_start_to_export(scenario, odoo_server):
    """A recall of a sensor board, by its manager: start, compute, contain, notify,
    export (the spreadsheet downloaded over HTTP and read back), resolve, close."""
    rpc = scenario.admin
    board = scenario.lots["SB200-24-0002"]
    wizard = rpc(
        "trace.recall.start",
        "create",
        {"selection_mode": "lots", "lot_ids": [[6, 0, [board]]], "reason": "ESD damage found on returned boards"},
    )
    action = rpc("trace.recall.start", "action_start", [wizard])
    assert (action["res_model"], action["view_mode"]) == ("trace.recall", "form")
    recall_id = action["res_id"]
    fields = ["name", "state", "compute_state", "affected_lot_ids", "customer_count", "qty_shipped", "delivery_ids"]
    recall = rpc("trace.recall", "read", [recall_id], fields)[0]
    assert (recall["state"], recall["compute_state"]) == ("open", "done")
    assert names(rpc, "stock.lot", recall["affected_lot_ids"]) == ["PM5-25-0002", "SB200-24-0002"]
    assert (recall["customer_count"], recall["qty_shipped"]) == (1, 1)
    delivery = rpc("trace.recall.delivery", "read", recall["delivery_ids"], ["partner_id", "lot_id", "picking_id"])
    assert [(d["partner_id"][1], d["lot_id"][1]) for d in delivery] == [("Lakeside Cardiology", "PM5-25-0002")]
    assert rpc("trace.recall", "action_compute", [recall_id]) is True  # computing again is harmless

    assert rpc("trace.recall", "action_contain", [recall_id]) is True
    assert rpc("stock.lot", "read", [board], ["quality_status"])[0]["quality_status"] == "recalled"
    assert rpc("trace.recall", "action_notify", [recall_id]) is True
    lines = rpc("trace.recall.partner", "search_read", [["recall_id", "=", recall_id]], ["partner_id", "state"])
    assert [(line["partner_id"][1], line["state"]) for line in lines] == [("Lakeside Cardiology", "notified")]
    mails = rpc(
        "mail.mail",
        "search_read",
        [["model", "=", "trace.recall.partner"], ["res_id", "=", lines[0]["id"]]],
        ["subject", "attachment_ids"],
    )
    assert len(mails) == 1 and recall["name"] in mails[0]["subject"] and mails[0]["attachment_ids"]

    export = rpc("trace.recall", "action_export_xlsx", [recall_id])
    assert export["type"] == "ir.actions.act_url" and export["url"].startswith("/web/content/")
    web = WebSession(odoo_server.url, odoo_server.db, "admin", "admin")
    status, headers, body = web.get(export["url"])
    assert status == 200, body[:300]
    assert "spreadsheetml" in headers["Content-Type"]
    assert "attachment" in headers.get("Content-Disposition", "")
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    assert book.sheetnames == ["Summary", "Affected lots", "Stock on hand", "Deliveries", "Genealogy"]
    deliveries = list(book["Deliveries"].iter_rows(values_only=True))
    assert [(row[0], row[6], row[7], row[8]) for row in deliveries[1:]] == [
        ("Lakeside Cardiology", "Patient Monitor PM-5", "PM5-25-0002", 1)
    ]
    summary = dict(list(book["Summary"].iter_rows(values_only=True))[1:])
    assert summary["Recall"] == recall["name"]

    rpc("trace.recall.partner", "action_acknowledge", [lines[0]["id"]])
    rpc("trace.recall.partner", "write", [lines[0]["id"]], {"qty_returned": 1})
    assert rpc("trace.recall", "action_close", [recall_id]) is True
    closed = rpc("trace.recall", "read", [recall_id], ["state", "recovery_rate", "acknowledged_rate"])[0]
    assert (closed["state"], closed["recovery_rate"], closed["acknowledged_rate"]) == ("closed", 100.0, 100.0)


def test_certificate_with_attached_file(scenario, odoo_server):
    rpc = scenario.client("tracer")
    pdf = b"%PDF-1.4\n% Valley Grain CoA VG-COA-26-118\n%%EOF\n"
    certificate_id = rpc(
        "trace.certificate",
        "create",
        {
            "name": "VG-COA-26-118",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Valley Grain Co."],
            "lot_ids": [[6, 0, [scenario.lots["FL-261102"]]]],
            "issue_date": "2026-01-15",
            "attachment_ids": [
                [
                    0,
                    0,
                    {
                        "name": "VG-COA-26-118.pdf",
                        "datas": base64.b64encode(pdf).decode(),
                        "mimetype": "application/pdf",
                    },
                ]
            ],
            "result_ids": [
                [0, 0, {"name": "Moisture", "uom": "%", "upper_limit": 14.5, "value": 13.1}],
                [0, 0, {"name": "Protein", "uom": "%", "lower_limit": 11.0, "value": "11.8"}],
            ],
        },
    )
    assert rpc("trace.certificate", "action_validate", [certificate_id]) is True
    certificate = rpc(
        "trace.certificate",
        "read",
        [certificate_id],
        ["state", "result", "expiry_date", "product_id", "attachment_ids"],
    )[0]
    assert (certificate["state"], certificate["result"], certificate["expiry_date"]) == ("valid", "pass", "2027-01-15")
    assert certificate["product_id"][0] == scenario.products["flour"]
    files = rpc("ir.attachment", "read", certificate["attachment_ids"], ["name", "trace_sha256"])
    assert [(f["name"], f["trace_sha256"]) for f in files] == [("VG-COA-26-118.pdf", hashlib.sha256(pdf).hexdigest())]
    # The file itself, downloaded by the user over HTTP.
    web = WebSession(odoo_server.url, odoo_server.db, "rpc.tracer", password("rpc.tracer"))
    status, _headers, body = web.get(f"/web/content/{files[0]['id']}?download=true")
    assert (status, body) == (200, pdf)
    check = rpc("trace.certificate", "action_verify_files", [certificate_id])
    assert check["params"]["type"] == "success", check
    lot_certificates = rpc("stock.lot", "read", [scenario.lots["FL-261102"]], ["trace_certificate_count"])
    assert lot_certificates[0]["trace_certificate_count"] == 1


def test_batch_record_signed(scenario):
    """The loaf order's batch record: authored by a Traceability User with their
    password, approved and released by a manager; each step a signature."""
    tracer, manager = scenario.client("tracer"), scenario.admin
    record_ids = tracer("trace.batch.record", "search", [["production_id", "=", scenario.productions["BRD-261101"]]])
    assert len(record_ids) == 1
    record = tracer("trace.batch.record", "read", record_ids, ["state", "completed", "record_type", "lot_ids"])[0]
    assert (record["state"], record["completed"], record["record_type"]) == ("draft", True, "ebr")
    assert names(tracer, "stock.lot", record["lot_ids"]) == ["BRD-261101"]

    signature_id = tracer(
        "trace.batch.record", "sign", record_ids, "authored", password("rpc.tracer"), comment="Line log checked"
    )
    signature = tracer(
        "trace.signature", "read", [signature_id], ["signer_id", "printed_name", "meaning", "comment", "content_hash"]
    )[0]
    assert signature["signer_id"][0] == scenario.users["tracer"]
    assert (signature["meaning"], signature["comment"]) == ("authored", "Line log checked")
    assert len(signature["content_hash"]) == 64
    assert tracer("trace.batch.record", "read", record_ids, ["state"])[0]["state"] == "in_review"

    manager("trace.batch.record", "sign", record_ids, "approved", "admin")
    manager("trace.batch.record", "sign", record_ids, "released", "admin")
    record = tracer("trace.batch.record", "read", record_ids, ["state", "qty_released", "signature_ids"])[0]
    assert (record["state"], record["qty_released"], len(record["signature_ids"])) == ("released", 100, 3)
    verified = manager("trace.batch.record", "action_verify_signatures", record_ids)
    assert verified["params"]["type"] == "success"
    chain = manager("trace.audit.log", "verify_chain")
    assert chain["ok"] is True and chain["checked"] > 0
    entries = manager(
        "trace.audit.log",
        "search_read",
        [["model", "=", "trace.batch.record"], ["res_id", "=", record_ids[0]], ["operation", "=", "signature"]],
        ["new_value"],
    )
    assert len(entries) == 3


def test_fsma_request_over_xmlrpc(scenario, odoo_server):
    """An FSMA 204 records request by a recall user over XML-RPC: the files downloaded over
    HTTP, the EPCIS document valid against GS1's own schema, the sheet with every event."""
    rpc = scenario.client("tracer")
    request = rpc("trace.fsma.request", "create", {"reference": "FDA 24h request", "lot_codes": "FL-261101"})
    assert rpc("trace.fsma.request", "action_generate", [request]) is True
    answer = rpc("trace.fsma.request", "read", [request], ["state", "event_count", "lot_ids", "fsma_attachment_id"])[0]
    assert answer["state"] == "done" and answer["event_count"] > 0
    assert names(rpc, "stock.lot", answer["lot_ids"]) == ["FL-261101"]
    web = WebSession(odoo_server.url, odoo_server.db, "admin", "admin")
    status, _headers, body = web.get(rpc("trace.fsma.request", "action_download_epcis", [request])["url"])
    assert status == 200, body[:300]
    schema_file = Path(__file__).parent.parent / "trace_compliance" / "data" / "epcis" / "EPCIS-JSON-Schema.json"
    validator = jsonschema.Draft7Validator(
        json.loads(schema_file.read_text()), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(json.loads(body))] == []
    status, _headers, body = web.get(rpc("trace.fsma.request", "action_download_fsma", [request])["url"])
    rows = list(openpyxl.load_workbook(io.BytesIO(body), read_only=True)["FSMA 204 KDEs"].iter_rows(values_only=True))
    assert len(rows) - 1 == answer["event_count"]
    assert {(row[0], row[1]) for row in rows[1:]} == {("Receiving", "FL-261101")}
    # Bad input gets a clear fault, and nothing is made.
    bad = rpc("trace.fsma.request", "create", {"lot_codes": "NO-SUCH-LOT"})
    with pytest.raises(xmlrpc.client.Fault, match="NO-SUCH-LOT"):
        rpc("trace.fsma.request", "action_generate", [bad])
    assert rpc("trace.fsma.request", "read", [bad], ["state"])[0]["state"] == "draft"
