import {registry} from "@web/core/registry";

// Customer service opens a serial at a customer, reads its warranty and service history,
// and checks the warranty on a date. Data from tests/test_portal.py (TestSerialFormTour).
registry.category("web_tour.tours").add("trace_warranty_serial_form", {
    url: "/odoo/action-trace_warranty.stock_lot_action_serials",
    steps: () => [
        {
            content: "Open the clinic's monitor",
            trigger: ".o_data_row td[name='name']:contains('W-PT-CLINIC')",
            run: "click",
        },
        {
            content: "Open the warranty tab",
            trigger: ".o_notebook a[name='warranty']",
            run: "click",
        },
        {
            content: "The customer and the warranty show",
            trigger:
                ".o_notebook .tab-pane.active:contains('Test Clinic'):contains('In Warranty')",
        },
        {
            content: "The service history shows the inspection",
            trigger:
                ".o_field_widget[name='service_event_ids'] .o_data_row:contains('Inspection')",
        },
        {
            content: "Check the warranty on a date",
            trigger: "button[name='action_open_warranty_check']",
            run: "click",
        },
        {
            content: "The check answers, and why",
            trigger: ".modal .alert-success:contains('In warranty: 12 months')",
        },
        {
            content: "Close",
            trigger: ".modal-footer button.btn-primary",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
    ],
});
