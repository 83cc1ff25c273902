"""Inspection plans over XML-RPC: a receipt validated by an Inventory / User opens the
inspection, a lab integration records its results (refused input changes nothing), the lot
goes on hold with the failed result as the reason, and the delivery is reserved with the
other lot."""

import xmlrpc.client

import pytest

from tools.odoo_rpc import FAULT_ACCESS_ERROR, FAULT_WARNING


@pytest.fixture(scope="module")
def oats(scenario):
    """A product of its own, with an inspection plan at receipt: moisture at most 13 %."""
    admin = scenario.admin
    scenario.products["oats"] = admin(
        "product.product",
        "create",
        {
            "name": "Rolled Oats (inspections)",
            "type": "consu",
            "is_storable": True,
            "tracking": "lot",
            "uom_id": admin.ref("uom.product_uom_kgm"),
            "company_id": scenario.company_id,
        },
    )
    template = admin("product.product", "read", [scenario.products["oats"]], ["product_tmpl_id"])[0]
    admin(
        "trace.inspection.plan",
        "create",
        {
            "name": "Oats at receipt (RPC)",
            "at_receipt": True,
            "product_tmpl_ids": [[6, 0, [template["product_tmpl_id"][0]]]],
            "sampling": "all",
            "test_ids": [
                [0, 0, {"name": "Moisture", "test_type": "measure", "uom": "%", "limit_type": "max", "upper_limit": 13}]
            ],
        },
    )
    return scenario.products["oats"]


def _fault(call, *args):
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args)
    return info.value


def test_receipt_inspection_recorded_by_an_integration(scenario, oats):
    admin, tracer = scenario.admin, scenario.client("tracer")
    stock = scenario.client("stock_user")
    scenario.receive(
        "Northfield Mills", [("oats", "OAT-RPC-1", 30, "NM-OAT-1"), ("oats", "OAT-RPC-2", 30, "NM-OAT-2")], rpc=stock
    )
    first, second = scenario.lots["OAT-RPC-1"], scenario.lots["OAT-RPC-2"]
    statuses = admin("stock.lot", "read", [first, second], ["quality_status", "trace_awaiting_inspection"])
    assert [(lot["quality_status"], lot["trace_awaiting_inspection"]) for lot in statuses] == [("quarantine", True)] * 2

    inspections = {
        inspection["lot_id"][1]: inspection["id"]
        for inspection in tracer(
            "trace.inspection", "search_read", [["lot_id", "in", [first, second]]], ["lot_id", "state"]
        )
    }
    assert set(inspections) == {"OAT-RPC-1", "OAT-RPC-2"}

    # Refused input: a plain Inventory / User may not record; an unknown test, a value that
    # is not a number, completing without the result: a fault naming it, nothing recorded.
    fault = _fault(stock, "trace.inspection", "record_results", [inspections["OAT-RPC-1"]], {"Moisture": 12})
    assert fault.faultCode == FAULT_ACCESS_ERROR
    for results, done, expected in (
        ({"Protein": 12}, False, "has no test Protein"),
        ({"Moisture": "damp"}, False, "Moisture"),
        ({}, True, "mapping of tests"),
    ):
        fault = _fault(tracer, "trace.inspection", "record_results", [inspections["OAT-RPC-1"]], results, done)
        assert fault.faultCode == FAULT_WARNING, fault.faultString
        assert expected in fault.faultString
    fault = _fault(tracer, "trace.inspection", "action_done", [inspections["OAT-RPC-1"]])
    assert "missing" in fault.faultString and "Moisture" in fault.faultString
    lines = tracer(
        "trace.inspection.line", "search_read", [["inspection_id", "=", inspections["OAT-RPC-1"]]], ["value"]
    )
    assert [line["value"] for line in lines] == [0]

    assert tracer("trace.inspection", "record_results", [inspections["OAT-RPC-1"]], {"moisture": "14,2"}, True)
    assert tracer("trace.inspection", "record_results", [inspections["OAT-RPC-2"]], {"Moisture": 12.1}, True)
    done = tracer("trace.inspection", "read", list(inspections.values()), ["state", "certificate_id", "failure_reason"])
    assert sorted(inspection["state"] for inspection in done) == ["failed", "passed"]
    assert all(inspection["certificate_id"] for inspection in done)
    lots = {
        lot["name"]: lot
        for lot in admin("stock.lot", "read", [first, second], ["name", "quality_status", "quality_status_reason"])
    }
    assert lots["OAT-RPC-1"]["quality_status"] == "on_hold"
    assert "Moisture 14.2 %" in lots["OAT-RPC-1"]["quality_status_reason"]
    assert lots["OAT-RPC-2"]["quality_status"] == "released"

    # A delivery confirmed by the Inventory / User is reserved with the lot that passed.
    delivery = stock(
        "stock.picking",
        "create",
        {
            "picking_type_id": scenario.out_type,
            "partner_id": scenario.partners["Harbor Deli"],
            "location_id": scenario.stock_location,
            "location_dest_id": scenario.customer_location,
            "move_ids": [
                [
                    0,
                    0,
                    {
                        "product_id": oats,
                        "product_uom_qty": 20,
                        "product_uom": admin.ref("uom.product_uom_kgm"),
                        "location_id": scenario.stock_location,
                        "location_dest_id": scenario.customer_location,
                    },
                ]
            ],
        },
    )
    stock("stock.picking", "action_confirm", [delivery])
    stock("stock.picking", "action_assign", [delivery])
    lines = stock("stock.move.line", "search_read", [["picking_id", "=", delivery]], ["lot_id", "quantity"])
    assert [(line["lot_id"][1], line["quantity"]) for line in lines] == [("OAT-RPC-2", 20)]
