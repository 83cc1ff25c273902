import {registry} from "@web/core/registry";

// A portal contact of the clinic opens their serials from the portal home, sees the
// clinic's monitor (and not the lab's), and its warranty and service history.
// The data is created by the Python test (tests/test_portal.py).

// Both clicks follow a link to another page. Odoo 19.0's tour runner stops with an error at
// a step that unloads the page unless it says { expectUnloadPage: true }; Odoo 18.0 knows no
// such key, and its step schema check fails the tour on it. So the key goes only to 19.0's tour
// engine, recognised by its tour service module (18.0's is "@web_tour/tour_service/tour_service").
// Called from steps(), that is when a tour starts, when the tour service is loaded.
function leavesThePage() {
    return odoo.loader.modules.has("@web_tour/js/tour_service")
        ? {expectUnloadPage: true}
        : {};
}

registry.category("web_tour.tours").add("trace_warranty_portal_serials", {
    url: "/my",
    steps: () => [
        {
            content: "Open the serial numbers from the portal home",
            trigger: "a[href='/my/serials']",
            run: "click",
            ...leavesThePage(),
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
            ...leavesThePage(),
        },
        {
            content: "Its warranty and service history show",
            trigger:
                ".o_portal_trace_serial .o_trace_service_history td:contains('Calibration verified')",
        },
        {
            content: "In warranty",
            trigger: ".o_portal_trace_serial:contains('In Warranty')",
        },
    ],
});
