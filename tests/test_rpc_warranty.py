"""The serial registry and warranty over the external API (trace_warranty)."""

import xmlrpc.client

import pytest

from tools.odoo_rpc import FAULT_ACCESS_ERROR, FAULT_WARNING, RpcError


def test_warranty_lookup(scenario, admin_json):
    tracer = scenario.client("tracer")
    found = tracer("stock.lot", "warranty_lookup", "PM5-25-0003")
    assert found["serial"] == "PM5-25-0003"
    assert found["customer"]["id"] == scenario.partners["Northside Medical Center"]
    order = scenario.admin("sale.order", "read", [scenario.sale_order_id], ["name"])[0]["name"]
    assert found["sale_order"] == order
    assert found["delivery_date"]
    assert found["warranty_state"] == "none"  # the scenario's monitor has no warranty duration
    # The same over JSON-RPC, with the product given.
    same = admin_json("stock.lot", "warranty_lookup", "PM5-25-0003", product_id=scenario.products["monitor"])
    assert same["id"] == found["id"]


def test_warranty_from_delivery_and_service_event(scenario):
    admin = scenario.admin
    template = admin("product.product", "read", [scenario.products["monitor"]], ["product_tmpl_id"])[0]
    admin("product.template", "write", [template["product_tmpl_id"][0]], {"warranty_months": 24})
    found = admin("stock.lot", "warranty_lookup", "PM5-25-0001")
    assert found["warranty_state"] == "active"
    assert found["customer"]["id"] == scenario.partners["St. Mary Clinic"]
    event = admin(
        "trace.service.event",
        "create",
        {"lot_id": found["id"], "event_type": "inspection", "result": "Passed"},
    )
    assert admin("trace.service.event", "action_done", [event]) is True
    events = admin("stock.lot", "warranty_lookup", "PM5-25-0001")["events"]
    assert [(e["state"], e["in_warranty"]) for e in events if e["id"] == event] == [("done", True)]
    # Done: kept as it is.
    with pytest.raises(xmlrpc.client.Fault) as info:
        admin("trace.service.event", "write", [event], {"date": "2020-01-01 00:00:00"})
    assert info.value.faultCode == FAULT_WARNING and "no longer change" in info.value.faultString


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (("NO-SUCH-SERIAL",), {}, "Unknown serial number: NO-SUCH-SERIAL"),
        (("",), {}, "Give the serial number"),
        (([1, 2],), {}, "Give the serial number"),
        (("PM5-25-0001",), {"product_id": "monitor"}, "by its id"),
        (("PM5-25-0001",), {"product_id": 999999999}, "No serial number PM5-25-0001"),
    ],
)
def test_warranty_lookup_errors(scenario, admin_json, args, kwargs, message):
    tracer = scenario.client("tracer")
    with pytest.raises(xmlrpc.client.Fault) as info:
        tracer("stock.lot", "warranty_lookup", *args, **kwargs)
    assert info.value.faultCode == FAULT_WARNING, info.value.faultString[:300]
    assert message in info.value.faultString
    with pytest.raises(RpcError) as error:
        admin_json("stock.lot", "warranty_lookup", *args, **kwargs)
    assert message in error.value.message


def test_warranty_lookup_refused_without_rights(scenario):
    with pytest.raises(xmlrpc.client.Fault) as info:
        scenario.client("plain")("stock.lot", "warranty_lookup", "PM5-25-0003")
    assert info.value.faultCode == FAULT_ACCESS_ERROR
    # Another company's user: the serial does not exist for them.
    with pytest.raises(xmlrpc.client.Fault) as info:
        scenario.client("other")("stock.lot", "warranty_lookup", "PM5-25-0003")
    assert "Unknown serial number" in info.value.faultString
