{
    "name": "Traceability Warranty",
    "summary": "Serials linked to customers and ship dates, warranty periods, "
    "service and warranty events by serial, field actions",
    "version": "1.1.0",
    "category": "Manufacturing/Manufacturing",
    "website": "https://github.com/trace-suite/trace-suite",
    "author": "Trace Suite",
    "maintainers": ["trace-suite"],
    "license": "LGPL-3",
    "depends": ["trace_recall", "repair", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/trace_warranty_security.xml",
        "data/trace_warranty_data.xml",
        "data/trace_audit_rule_data.xml",
        "wizard/trace_warranty_check_views.xml",
        "views/trace_service_event_views.xml",
        "views/stock_lot_views.xml",
        "views/product_template_views.xml",
        "views/res_partner_views.xml",
        "views/trace_recall_views.xml",
        "views/portal_templates.xml",
        "views/trace_warranty_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "trace_warranty/static/tests/tours/*.js",
        ],
    },
    "demo": [
        "demo/trace_warranty_demo.xml",
    ],
    "post_init_hook": "post_init_hook",
}
