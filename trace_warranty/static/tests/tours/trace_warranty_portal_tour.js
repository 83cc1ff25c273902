/** @odoo-module **/

import { registry } from "@web/core/registry";

// A portal contact of the clinic opens their serials from the portal home, sees the
// clinic's monitor (and not the lab's), and its warranty and service history.
// The data is created by the Python test (tests/test_portal.py).
registry.category("web_tour.tours").add("trace_warranty_portal_serials", {
    url: "/my",
    steps: () => [
        {
            content: "Open the serial numbers from the portal home",
            trigger: "a[href='/my/serials']",
            run: "click",
        },
        {
            content: "The clinic's monitor is listed",
            trigger: ".o_trace_serial_row a:contains('W-PT-CLINIC')",
        },
        {
            content: "The lab's monitor is not",
            trigger: ".o_portal_my_doc_table:not(:has(a:contains('W-PT-LAB')))",
        },
        {
            content: "Open the clinic's monitor",
            trigger: ".o_trace_serial_row a:contains('W-PT-CLINIC')",
            run: "click",
        },
        {
            content: "Its warranty and service history show",
            trigger: ".o_portal_trace_serial .o_trace_service_history td:contains('Calibration verified')",
        },
        {
            content: "In warranty",
            trigger: ".o_portal_trace_serial:contains('In Warranty')",
        },
    ],
});
