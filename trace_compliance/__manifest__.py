{
    "name": "Traceability Compliance",
    "summary": "Lot and serial genealogy, quality status, certificates, "
    "batch records, e-signatures and an append-only audit trail",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/trace-suite/trace-suite",
    "author": "Trace Suite",
    "maintainers": ["trace-suite"],
    "license": "LGPL-3",
    "depends": ["stock", "mrp", "mail", "product_expiry"],
    "data": [
        "security/trace_compliance_groups.xml",
        "security/ir.model.access.csv",
        "data/trace_compliance_data.xml",
        "views/trace_compliance_menus.xml",
    ],
    "demo": [
        "demo/trace_compliance_demo.xml",
    ],
}
