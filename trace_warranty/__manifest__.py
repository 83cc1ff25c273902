{
    "name": "Traceability Warranty",
    "summary": "Serials linked to customers and ship dates, warranty periods, "
    "service and warranty events by serial, field actions",
    "version": "18.0.1.0.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/trace-suite/trace-suite",
    "author": "Trace Suite",
    "maintainers": ["trace-suite"],
    "license": "LGPL-3",
    "depends": ["trace_recall", "repair"],
    "demo": [
        "demo/trace_warranty_demo.xml",
    ],
}
