/* Lot release by specification, in the web client, as a quality inspector (Traceability
 * User and Inventory User):
 * 1. trace_inspection_receipt_tour: a receipt of two flour lots is validated, which opens one
 *    inspection per lot; the moisture of the first is out of specification (the lot goes on
 *    hold, the failed result as the reason), the second passes (released);
 * 2. trace_inspection_delivery_tour: the waiting delivery checks availability and is
 *    reserved with the lot that passed. */
import {registry} from "@web/core/registry";

function recordMoisture(lot, value, state) {
    return [
        {
            content: `Open the inspection of ${lot}`,
            trigger: `.o_list_view .o_data_row:contains('${lot}') td[name=lot_id]`,
            run: "click",
        },
        {
            trigger: `.o_form_view .o_field_widget[name=lot_id]:contains('${lot}')`,
        },
        {
            content: "Enter the moisture measured",
            trigger:
                ".o_field_widget[name=line_ids] .o_data_row:contains('Moisture') td[name=value]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=line_ids] .o_data_row td[name=value] input",
            run: `edit ${value}`,
        },
        {
            content: "Done: the results pass or fail the inspection",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_done]",
            run: "click",
        },
        {
            trigger: `.o_statusbar_status button[aria-checked=true]:contains('${state}')`,
        },
    ];
}

registry.category("web_tour.tours").add("trace_inspection_receipt_tour", {
    steps: () => [
        {
            content: "A receipt of two flour lots, ready",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Ready')",
        },
        {
            content: "Validate it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Done')",
        },
        {
            content: "The receipt opened one inspection per lot",
            trigger: ".oe_stat_button:contains('Inspections'):contains('2')",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('T-TOUR-FL-3')",
        },
        ...recordMoisture("T-TOUR-FL-2", "15.2", "Failed"),
        {
            content: "The failed result is the reason the lot is held",
            trigger: ".o_field_widget[name=failure_reason]:contains('Moisture')",
        },
        {
            content: "Back to the inspections",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Inspections')",
            run: "click",
        },
        ...recordMoisture("T-TOUR-FL-3", "13.1", "Passed"),
    ],
});

registry.category("web_tour.tours").add("trace_inspection_delivery_tour", {
    steps: () => [
        {
            content: "A delivery of flour, waiting",
            trigger:
                ".o_statusbar_status button[aria-checked=true]:contains('Waiting')",
        },
        {
            content: "Check availability",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_assign]",
            run: "click",
        },
        {
            content: "Reserved, with the lot that passed",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Ready')",
        },
    ],
});
