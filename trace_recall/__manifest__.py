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
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/trace_recall_groups.xml",
        "security/ir.model.access.csv",
        "security/trace_recall_security.xml",
        "data/trace_recall_data.xml",
        "data/trace_recall_class_data.xml",
        "report/trace_recall_reports.xml",
        "report/trace_recall_templates.xml",
        "data/mail_template_data.xml",
        "wizard/trace_recall_start_views.xml",
        "wizard/trace_recall_close_views.xml",
        "views/trace_recall_views.xml",
        "views/trace_recall_class_views.xml",
        "views/stock_lot_views.xml",
        "views/trace_fsma_request_views.xml",
        "views/trace_recall_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "trace_recall/static/tests/tours/trace_recall_tour.js",
        ],
    },
    "demo": [
        "demo/trace_recall_demo.xml",
    ],
}
