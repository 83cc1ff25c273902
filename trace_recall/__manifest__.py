{
    "name": "Traceability Recall",
    "summary": "Recall wizard and recall campaigns: affected lots, stock, deliveries, "
    "customers, containment, notices, exports and mock-recall drills",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/trace-suite/trace-suite",
    "author": "Trace Suite",
    "maintainers": ["trace-suite"],
    "license": "LGPL-3",
    "depends": ["trace_compliance", "sale_stock"],
    "demo": [
        "demo/trace_recall_demo.xml",
    ],
}
