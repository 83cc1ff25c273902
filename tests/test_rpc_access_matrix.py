"""The access matrix: every traceability model, each group, each operation, as a real user
over XML-RPC, against the table below (what a reviewer reads).

Each cell lists the operations the group may do on a record of our company: ``r`` read,
``w`` write, ``c`` create, ``d`` delete (unlink); ``-`` none. Read and write are real calls
(``read`` and ``write(ids, {})`` of a sample record: access is checked before anything is
written). Create and delete ask the ORM (``has_access``) so that no record is made or
destroyed; what the business rules add on top (evidence is never deleted, signatures are
made by signing) is tested by the data-preservation tests.

Columns: U Traceability User, M Traceability Manager, A Auditor, RU Recall User,
RM Recall Manager, I internal user without traceability rights, P portal user, X a user
of another company with every traceability group (shared configuration without a company
is visible to all companies, as Odoo's own product categories are).
"""

import xmlrpc.client

import pytest

from tools.odoo_rpc import FAULT_ACCESS_ERROR

GROUPS = ("U", "M", "A", "RU", "RM", "I", "P", "X")
# fmt: off
MATRIX = {
    #                                    U       M       A     RU      RM      I    P    X
    "trace.audit.log":                  ("-",    "r",    "r",  "-",    "-",    "-", "-", "-"),
    "trace.audit.rule":                 ("-",    "rwcd", "r",  "-",    "-",    "-", "-", "rwcd"),
    "trace.batch.record":               ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.batch.record.check":         ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.batch.record.component":     ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.batch.record.operation":     ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.certificate":                ("rwc",  "rwcd", "r",  "rwc",  "rwc",  "-", "-", "-"),
    "trace.certificate.result":         ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.certificate.type":           ("r",    "rwcd", "r",  "r",    "r",    "-", "-", "rwcd"),
    "trace.certificate.type.parameter": ("r",    "rwcd", "r",  "r",    "r",    "-", "-", "rwcd"),
    "trace.certificate.requirement":    ("r",    "rwcd", "r",  "r",    "r",    "-", "-", "-"),
    "trace.batch.record.deviation":     ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.bom.check":                  ("r",    "rwcd", "r",  "r",    "r",    "-", "-", "-"),
    "trace.epcis.capture":              ("r",    "r",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.epcis.event":                ("r",    "r",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.epcis.event.key":            ("r",    "r",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.inspection.plan":            ("r",    "rwcd", "r",  "r",    "r",    "-", "-", "-"),
    "trace.inspection.plan.test":       ("r",    "rwcd", "r",  "r",    "r",    "-", "-", "-"),
    "trace.inspection":                 ("rw",   "rw",   "r",  "rw",   "rw",   "-", "-", "-"),
    "trace.inspection.line":            ("rw",   "rw",   "r",  "rw",   "rw",   "-", "-", "-"),
    "trace.lot.transformation":         ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.lot.transformation.line":    ("rwcd", "rwcd", "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.lot.link":                   ("r",    "r",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.signature":                  ("r",    "r",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.recall":                     ("-",    "-",    "r",  "rwc",  "rwcd", "-", "-", "-"),
    "trace.recall.partner":             ("-",    "-",    "r",  "rwc",  "rwcd", "-", "-", "-"),
    "trace.recall.delivery":            ("-",    "-",    "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.recall.response":            ("-",    "-",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.recall.response.line":       ("-",    "-",    "r",  "r",    "r",    "-", "-", "-"),
    "trace.recall.stock":               ("-",    "-",    "r",  "rwcd", "rwcd", "-", "-", "-"),
    "trace.recall.class":               ("-",    "-",    "r",  "r",    "rwcd", "-", "-", "rwcd"),
    "trace.fsma.request":               ("-",    "-",    "r",  "rwc",  "rwcd", "-", "-", "-"),
    "trace.service.event":              ("rwc",  "rwcd", "r",  "rwc",  "rwc",  "-", "-", "-"),
    # wizards: creating one is using it
    "trace.genealogy.explore":          ("c",    "c",    "c",  "c",    "c",    "-", "-", "c"),
    "trace.genealogy.explore.line":     ("c",    "c",    "c",  "c",    "c",    "-", "-", "c"),
    "trace.lot.status.change":          ("c",    "c",    "-",  "c",    "c",    "-", "-", "c"),
    "trace.signature.sign":             ("c",    "c",    "-",  "c",    "c",    "-", "-", "c"),
    "trace.certificate.reject":         ("-",    "c",    "-",  "-",    "-",    "-", "-", "c"),
    "trace.recall.start":               ("-",    "-",    "-",  "c",    "c",    "-", "-", "c"),
    "trace.recall.close":               ("-",    "-",    "-",  "-",    "c",    "-", "-", "c"),
    "trace.warranty.check":             ("c",    "c",    "c",  "c",    "c",    "-", "-", "c"),
}
# fmt: on
WIZARDS = {model for model, row in MATRIX.items() if all(cell in ("c", "-") for cell in row)}
USERS = {
    "U": ["trace_compliance.group_trace_user"],
    "M": ["trace_compliance.group_trace_manager"],
    "A": ["trace_compliance.group_trace_auditor"],
    "RU": ["trace_recall.group_recall_user"],
    "RM": ["trace_recall.group_recall_manager"],
    "I": ["base.group_user"],
    "P": ["base.group_portal"],
    "X": ["trace_recall.group_recall_manager", "trace_compliance.group_trace_manager", "stock.group_stock_manager"],
}


@pytest.fixture(scope="module")
def matrix_users(scenario):
    clients = {}
    for key, groups in USERS.items():
        login = f"matrix.{key.lower()}"
        scenario.create_user(login, groups, scenario.other_company_id if key == "X" else None, name=f"Matrix {key}")
        clients[key] = scenario.client_for(login)
    return clients


@pytest.fixture(scope="module")
def samples(scenario):
    """One record of our company per persistent model of the matrix (made over RPC)."""
    admin, ours = scenario.admin, scenario.company_id
    wizard = admin(
        "trace.recall.start",
        "create",
        {
            # SB200-24-0004 is in stock: the recall has a stock line too.
            "lot_ids": [[6, 0, [scenario.lots["SB200-24-0002"], scenario.lots["SB200-24-0004"]]]],
            "reason": "Matrix drill",
            "is_drill": True,
        },
    )
    drill = admin("trace.recall.start", "action_start", [wizard])["res_id"]
    # A customer's answer (a rehearsal on the drill): answers are made by answering only.
    line = admin("trace.recall.partner", "search", [["recall_id", "=", drill]], limit=1)
    admin("trace.recall.partner", "submit_response", line, {"contact_name": "Matrix", "lines": []})
    admin(
        "trace.certificate",
        "create",
        {
            "name": "MATRIX-CERT",
            "type_id": scenario.certificate_type_id,
            "partner_id": scenario.partners["Circuitech Electronics"],
            "lot_ids": [[6, 0, [scenario.lots["SB200-24-0002"]]]],
            "result_ids": [[0, 0, {"name": "Visual", "text_value": "Conforms"}]],
        },
    )
    admin("trace.service.event", "create", {"lot_id": scenario.lots["SB200-24-0004"], "event_type": "inspection"})
    record = admin("trace.batch.record", "search", [["state", "=", "draft"], ["completed", "=", True]], limit=1)
    admin("trace.batch.record", "sign", record, "authored", "admin")
    admin(
        "trace.batch.record.deviation",
        "create",
        {"batch_record_id": record[0], "description": "Matrix", "impact": "minor"},
    )
    draft = admin("trace.batch.record", "search", [["state", "=", "draft"]], limit=1)
    admin("trace.batch.record.check", "create", {"batch_record_id": draft[0], "instruction": "Matrix"})
    admin("trace.batch.record.operation", "create", {"batch_record_id": draft[0], "name": "Matrix"})
    # A certificate type of its own: its parameter and requirement change no other test's flow.
    matrix_type = admin(
        "trace.certificate.type", "create", {"name": "Matrix Check", "code": "MATRIX", "file_required": False}
    )
    parameter = admin("trace.certificate.type.parameter", "create", {"type_id": matrix_type, "name": "Matrix"})
    admin(
        "trace.certificate.requirement",
        "create",
        {
            "type_id": matrix_type,
            "stage": "shipment",
            "product_tmpl_id": admin("product.product", "read", [scenario.products["flour"]], ["product_tmpl_id"])[0][
                "product_tmpl_id"
            ][0],
            "enforcement": "warn",
            "company_id": ours,
        },
    )
    admin("trace.bom.check", "create", {"bom_id": scenario.boms["bread"], "name": "Crust colour"})
    # An inspection plan for a vendor of its own: the lot it receives is the only one inspected.
    scenario.partners["Matrix Mill"] = admin("res.partner", "create", {"name": "Matrix Mill", "is_company": True})
    admin(
        "trace.inspection.plan",
        "create",
        {
            "name": "Matrix inspection",
            "company_id": ours,
            "partner_ids": [[6, 0, [scenario.partners["Matrix Mill"]]]],
            "test_ids": [[0, 0, {"name": "Moisture", "upper_limit": 14.5}]],
        },
    )
    scenario.receive("Matrix Mill", [("flour", "FL-MATRIX-INS", 1, "MM-INS-1")])
    admin("trace.fsma.request", "create", {"reference": "Matrix", "lot_codes": "FL-261102"})
    transformation = admin("trace.lot.transformation", "create", {"transformation_type": "repack"})
    admin(
        "trace.lot.transformation.line",
        "create",
        {
            "transformation_id": transformation,
            "product_id": scenario.products["flour"],
            "lot_id": scenario.lots["FL-261102"],
        },
    )
    assert parameter
    found = {}
    for model in MATRIX:
        if model in WIZARDS:
            continue
        fields = admin(model, "fields_get", ["company_id"])
        domain = [["company_id", "=", ours]] if "company_id" in fields else []
        ids = admin(model, "search", domain, limit=1)
        assert ids, f"no {model} record to check access on"
        found[model] = ids[0]
    return found


def _allowed(client, model, operation, record_id):
    """Whether ``client`` may do ``operation`` on the record (or, for wizards, the model)."""
    ids = [record_id] if record_id else []
    try:
        if operation == "r":
            if record_id:
                return [row["id"] for row in client(model, "read", ids, ["display_name"])] == ids
            client(model, "search_read", [], ["id"], limit=1)
            return True
        if operation == "w":
            return client(model, "write", ids, {}) is True
        return client(model, "has_access", ids, {"c": "create", "d": "unlink"}[operation]) is True
    except xmlrpc.client.Fault as fault:
        assert fault.faultCode == FAULT_ACCESS_ERROR, f"{model} {operation}: {fault.faultString[:300]}"
        assert "Traceback" not in fault.faultString
        return False


def test_every_traceability_model_is_in_the_matrix(scenario):
    models = {
        row["model"]
        for row in scenario.admin("ir.model", "search_read", [["model", "=like", "trace.%"]], ["model"])
        if scenario.admin("ir.model.access", "search_count", [["model_id.model", "=", row["model"]]])
    }
    assert models == set(MATRIX), models ^ set(MATRIX)


@pytest.mark.parametrize("group", GROUPS)
def test_access_matrix(matrix_users, samples, group):
    client = matrix_users[group]
    column = GROUPS.index(group)
    wrong = []
    for model, row in MATRIX.items():
        expected = "" if row[column] == "-" else row[column]
        operations = "c" if model in WIZARDS else "rwcd"
        actual = "".join(op for op in operations if _allowed(client, model, op, samples.get(model)))
        if actual != expected:
            wrong.append(f"{model}: expected {expected or '-'}, got {actual or '-'}")
    assert not wrong, f"group {group}:\n" + "\n".join(wrong)
