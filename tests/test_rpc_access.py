"""Access over the external API: the web client's rights and record rules, exactly.

- A user without traceability rights gets an access fault on every traceability model.
- An auditor reads everything traceability and changes nothing.
- A user of another company sees none of our lots, documents or partners.
"""

import xmlrpc.client

import pytest

from tools.odoo_rpc import FAULT_ACCESS_ERROR, FAULT_WARNING

# Models every check must cover: the list read from the database cannot silently shrink.
CORE_MODELS = {
    "trace.lot.link",
    "trace.lot.transformation",
    "trace.batch.record",
    "trace.signature",
    "trace.audit.log",
    "trace.certificate",
    "trace.certificate.type",
    "trace.recall",
    "trace.recall.partner",
    "trace.recall.delivery",
}
# Operations refused to everyone, managers included, with a UserError that says why.
REFUSED_TO_EVERYONE = {
    ("trace.audit.log", "create"): "written by the system only",
    ("trace.signature", "create"): "created by signing",
}


@pytest.fixture(scope="module")
def trace_models(scenario):
    """{model: transient?} of every traceability model with access rights."""
    rows = scenario.admin("ir.model", "search_read", [["model", "=like", "trace.%"]], ["model", "transient"])
    with_rights = scenario.admin(
        "ir.model.access", "search_read", [["model_id.model", "=like", "trace.%"]], ["model_id"]
    )
    named = {row["model_id"][0] for row in with_rights}
    models = {row["model"]: row["transient"] for row in rows if row["id"] in named}
    assert CORE_MODELS <= set(models), CORE_MODELS - set(models)
    return models


@pytest.fixture(scope="module")
def records(scenario):
    """One readable record of each persistent traceability model, made by the manager:
    the scenario's genealogy and batch records, plus a drill recall, a draft certificate
    and a signature."""
    admin = scenario.admin
    wizard = admin(
        "trace.recall.start",
        "create",
        {"lot_ids": [[6, 0, [scenario.lots["SA-261101"]]]], "reason": "Access check drill", "is_drill": True},
    )
    admin("trace.recall.start", "action_start", [wizard])
    admin(
        "trace.certificate",
        "create",
        {
            "name": "ASW-CERT-ACCESS",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Atlantic Salt Works"],
            "lot_ids": [[6, 0, [scenario.lots["SA-261101"]]]],
            "result_ids": [[0, 0, {"name": "Sodium chloride", "uom": "%", "lower_limit": 99.0, "value": 99.6}]],
        },
    )
    monitor_record = admin(
        "trace.batch.record", "search", [["production_id", "=", scenario.productions["PM5-25-0003"]]]
    )
    admin("trace.batch.record", "sign", monitor_record, "authored", "admin")
    found = {}
    for model in CORE_MODELS | {"trace.certificate.result", "trace.recall.stock", "trace.audit.rule"}:
        ids = admin(model, "search", [], limit=1)
        if ids:
            found[model] = ids[0]
    return found


def refused(call, *args, **kwargs):
    """The fault of a call that must be refused as an access error."""
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize("user", ["plain", "stock_user"])
def test_user_without_traceability_rights_is_refused_every_model(scenario, trace_models, user):
    rpc = scenario.client(user)
    allowed = []
    for model in sorted(trace_models):
        try:
            rpc(model, "search_read", [], ["display_name"], limit=1)
        except xmlrpc.client.Fault as fault:
            assert fault.faultCode == FAULT_ACCESS_ERROR, f"{model}: {fault.faultString[:300]}"
            assert "Traceback" not in fault.faultString
            assert "You are not allowed to access" in fault.faultString, fault.faultString
        else:
            allowed.append(model)
    assert not allowed, f"{user} can read {allowed}"
    # The recall wizard cannot be started either.
    fault = refused(rpc, "trace.recall.start", "create", {"reason": "x"})
    assert fault.faultCode == FAULT_ACCESS_ERROR


def test_auditor_reads_everything_and_changes_nothing(scenario, trace_models, records):
    auditor = scenario.client("auditor")
    persistent = sorted(model for model, transient in trace_models.items() if not transient)
    for model in persistent:
        auditor(model, "search_read", [], ["display_name"], limit=5)
    not_refused = []
    for model, record_id in sorted(records.items()):
        rows = auditor(model, "read", [record_id], ["display_name"])
        assert [row["id"] for row in rows] == [record_id], model
        for method, args in (("write", ([record_id], {})), ("unlink", ([record_id],)), ("create", ({},))):
            fault = refused(auditor, model, method, *args)
            if (model, method) in REFUSED_TO_EVERYONE:
                assert fault.faultCode == FAULT_WARNING, fault.faultString
                assert REFUSED_TO_EVERYONE[model, method] in fault.faultString
            elif fault.faultCode != FAULT_ACCESS_ERROR:
                not_refused.append(f"{model}.{method}: {fault.faultString[:200]}")
    assert not not_refused, "\n".join(not_refused)
    # The trace API reads: the auditor traces and reads the genealogy...
    forward = auditor("stock.lot", "trace_forward", [scenario.lots["FL-261102"]])
    assert len(forward["partner_ids"]) == 2
    assert auditor("trace.audit.log", "verify_chain")["ok"] is True
    # ...and neither holds a lot, signs, validates, contains nor exports.
    lot = scenario.lots["BRD-261101"]
    fault = refused(auditor, "stock.lot", "set_quality_status", [lot], "on_hold", "auditor")
    assert fault.faultCode == FAULT_ACCESS_ERROR
    assert auditor("stock.lot", "read", [lot], ["quality_status"])[0]["quality_status"] == "released"
    record = auditor("trace.batch.record", "search", [["state", "=", "draft"], ["completed", "=", True]], limit=1)
    fault = refused(auditor, "trace.batch.record", "sign", record, "authored", "rpc.auditor-Pw1")
    assert fault.faultCode == FAULT_ACCESS_ERROR
    assert auditor("trace.batch.record", "read", record, ["state"])[0]["state"] == "draft"
    recall = records["trace.recall"]
    for method in ("action_compute", "action_export_xlsx"):
        fault = refused(auditor, "trace.recall", method, [recall])
        assert fault.faultCode == FAULT_ACCESS_ERROR, f"{method}: {fault.faultString[:300]}"
    fault = refused(auditor, "trace.certificate", "action_validate", [records["trace.certificate"]])
    assert fault.faultCode == FAULT_ACCESS_ERROR
    assert auditor("trace.certificate", "read", [records["trace.certificate"]], ["state"])[0]["state"] == "draft"


def test_other_company_sees_none_of_it(scenario, trace_models, records):
    admin, other = scenario.admin, scenario.client("other")
    ours = scenario.company_id
    seen = {}
    for model, transient in sorted(trace_models.items()):
        if transient or "company_id" not in admin(model, "fields_get", ["company_id"]):
            continue
        our_ids = set(admin(model, "search", [["company_id", "=", ours]]))
        visible = set(other(model, "search", []))
        if our_ids & visible:
            seen[model] = sorted(our_ids & visible)
    assert not seen, f"another company's user sees our records: {seen}"
    # The lots, partners and documents themselves.
    lot_names = sorted(scenario.lots)
    assert other("stock.lot", "search", [["name", "in", lot_names]]) == []
    assert other("stock.lot", "search", [["vendor_lot_number", "=", "NM-2611-017"]]) == []
    assert other("res.partner", "search", [["id", "in", list(scenario.partners.values())]]) == []
    assert other("stock.picking", "search", [["id", "in", list(scenario.pickings.values())]]) == []
    assert other("mrp.production", "search", [["id", "in", list(scenario.productions.values())]]) == []
    # Named by id, they are refused.
    flour = scenario.lots["FL-261101"]
    for method, args in (("read", ([flour], ["name"])), ("trace_forward", ([flour],)), ("trace_backward", ([flour],))):
        fault = refused(other, "stock.lot", method, *args)
        assert fault.faultCode == FAULT_ACCESS_ERROR, f"{method}: {fault.faultString[:300]}"
    fault = refused(other, "trace.recall", "read", [records["trace.recall"]], ["name"])
    assert fault.faultCode == FAULT_ACCESS_ERROR
    recalls_before = admin("trace.recall", "search_count", [])
    with pytest.raises(xmlrpc.client.Fault) as info:
        wizard = other("trace.recall.start", "create", {"lot_ids": [[6, 0, [flour]]], "reason": "cross-company"})
        other("trace.recall.start", "action_start", [wizard])
    assert info.value.faultCode in (FAULT_WARNING, FAULT_ACCESS_ERROR), info.value.faultString[:300]
    assert admin("trace.recall", "search_count", []) == recalls_before
