/* A Manufacturing / User without any traceability group confirms, produces and finishes a
 * manufacturing order of a product that requires a batch record: the order goes through as
 * without the suite, and no batch record button is shown to them. */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("trace_mrp_core_user_tour", {
    steps: () => [
        {
            content: "A draft manufacturing order",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Draft')",
        },
        {
            content: "Confirm it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            trigger:
                ".o_statusbar_status button[aria-checked=true]:contains('Confirmed')",
        },
        {
            content: "No batch record button for a user who cannot open batch records",
            trigger: ".o_form_view:not(:has(.oe_stat_button:contains('Batch Record')))",
        },
        {
            content: "Name the lot produced",
            trigger:
                ".o_field_widget[name=lot_producing_id] input, .o_field_widget[name=lot_producing_ids] input",
            run: "edit T-TOUR-BR-1",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('T-TOUR-BR-1')",
            run: "click",
        },
        {
            content: "Produce all",
            trigger:
                ".o_form_view .o_statusbar_buttons button[name=button_mark_done]:contains('Produce All')",
            run: "click",
        },
        {
            content: "The order is done",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Done')",
        },
        {
            trigger: ".o_form_view:not(:has(.oe_stat_button:contains('Batch Record')))",
        },
    ],
});
