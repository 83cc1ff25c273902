/* Recall notices answered by the customer.
 *
 * - trace_recall_notify_tour: the Recall Manager opens the recall and sends the notices.
 * - trace_recall_answer_tour: the customer opens the link of their notice in a fresh browser
 *   session (no login), answers with quantities and a photo, and sees their answer.
 * - trace_recall_effectiveness_tour: the recall's effectiveness figures show the answer.
 * - trace_recall_change_answer_tour: the customer opens the same link again, finds their
 *   answer and changes it.
 * - trace_recall_closed_answer_tour: once the recall is closed, the link shows the answer
 *   and takes no change. */
import {registry} from "@web/core/registry";

// A small PNG: the customer's photo of the destroyed loaves.
const PHOTO =
    "iVBORw0KGgoAAAANSUhEUgAAADAAAAAgCAIAAADbtmxLAAAAXElEQVR4nO3XIQ6AMAxA0XXhMKiJaRQHR6MQnAg/Qr5aqPhPdqI/dYtzW0sm9e+AkUHEIGIQWb4e+nHP3n3t7T1MdyGDiEHEIGIQMYgYRAwi6YLCjyIwiBhE0gU9T98FmV6Z7AwAAAAASUVORK5CYII=";

function attachPhoto() {
    const input = document.querySelector(
        "form.o_trace_recall_answer_form input[name=evidence]"
    );
    const bytes = Uint8Array.from(atob(PHOTO), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "destroyed-loaves.png", {type: "image/png"}));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", {bubbles: true}));
}

const LOAVES = "form.o_trace_recall_answer_form tr[data-lot='T-BR-2']";

/* The steps that submit the answer form leave the page (POST, then a redirect or the page of
 * the refusal). Odoo 19.0's tour runner stops with an error at a step that unloads the page
 * unless it says { expectUnloadPage: true }; Odoo 18.0 knows no such key, and its step schema
 * check fails the tour on it. So the key goes only to 19.0's tour engine, recognised by its
 * tour service module (18.0's is "@web_tour/tour_service/tour_service"). Called from steps(),
 * that is when a tour starts, when the tour service is loaded on both series, logged in or not. */
function leavesThePage() {
    return odoo.loader.modules.has("@web_tour/js/tour_service")
        ? {expectUnloadPage: true}
        : {};
}

registry.category("web_tour.tours").add("trace_recall_notify_tour", {
    steps: () => [
        {
            content: "The recall is open, its customer still to notify",
            trigger:
                ".o_field_widget[name=partner_line_ids] .o_data_row:contains('Test Grocer'):contains('To Notify')",
        },
        {
            content: "Nobody answered yet",
            trigger: ".o_field_widget[name=answered_rate]:contains('0.00')",
        },
        {
            content: "Send the notices",
            trigger: ".o_form_statusbar button[name=action_notify]",
            run: "click",
        },
        {
            content: "The customer is notified",
            trigger:
                ".o_field_widget[name=partner_line_ids] .o_data_row:contains('Test Grocer'):contains('Notified')",
        },
        {
            trigger: ".o-mail-Message:contains('Recall notice sent to')",
        },
    ],
});

registry.category("web_tour.tours").add("trace_recall_answer_tour", {
    steps: () => [
        {
            content:
                "The notice's page: what is recalled and why, for this customer only",
            trigger:
                ".o_trace_recall_response .o_trace_recall_reason:contains('Undeclared sesame')",
        },
        {
            content: "No login: the page is public",
            trigger: "body:not(:has(.o_trace_recall_preview))",
        },
        {
            content: "The loaves shipped to them: 40",
            trigger: LOAVES + ":contains('40')",
        },
        {
            content: "More than shipped is refused by the browser too",
            trigger:
                LOAVES +
                " input[name^=qty_on_hand][max='40.0'], " +
                LOAVES +
                " input[name^=qty_on_hand][max='40']",
        },
        {
            content: "Still on hand",
            trigger: LOAVES + " input[name^=qty_on_hand]",
            run: "edit 5",
        },
        {
            content: "Sold on",
            trigger: LOAVES + " input[name^=qty_consumed]",
            run: "edit 20",
        },
        {
            content: "Destroyed",
            trigger: LOAVES + " input[name^=qty_destroyed]",
            run: "edit 15",
        },
        {
            content: "Received",
            trigger: "form.o_trace_recall_answer_form input[name=received]",
            run: "click",
        },
        {
            content: "Kept apart",
            trigger: "form.o_trace_recall_answer_form input[name=quarantined]",
            run: "click",
        },
        {
            content: "Forwarded to their own customers",
            trigger: "form.o_trace_recall_answer_form input[name=sub_recall]",
            run: "click",
        },
        {
            trigger: "form.o_trace_recall_answer_form input[name=sub_recall_count]",
            run: "edit 3",
        },
        {
            content: "Who answers",
            trigger: "form.o_trace_recall_answer_form input[name=contact_name]",
            run: "edit Gina Grocer",
        },
        {
            content: "A photo of the destroyed loaves",
            trigger: "form.o_trace_recall_answer_form input[name=evidence]",
            run: attachPhoto,
        },
        {
            content: "Send",
            trigger: "form.o_trace_recall_answer_form button.o_trace_recall_submit",
            run: "click",
            ...leavesThePage(),
        },
        {
            content: "Recorded, and shown back on the same link",
            trigger: ".o_trace_recall_thanks",
        },
        {
            trigger: LOAVES + " input[name^=qty_destroyed][value='15']",
        },
        {
            trigger: ".o_trace_recall_evidence:contains('destroyed-loaves.png')",
        },
        {
            trigger: ".o_trace_recall_history tbody tr:contains('Gina Grocer')",
        },
        {
            content: "The answer can still be changed",
            trigger: "button.o_trace_recall_submit:contains('Change my answer')",
        },
    ],
});

registry.category("web_tour.tours").add("trace_recall_effectiveness_tour", {
    steps: () => [
        {
            content: "Every customer answered",
            trigger: ".o_field_widget[name=answered_rate]:contains('100.00')",
        },
        {
            content:
                "All 40 loaves are accounted for: 5 on hand, 20 sold on, 15 destroyed",
            trigger: ".o_field_widget[name=qty_accounted]:contains('40.00')",
        },
        {
            trigger: ".o_field_widget[name=accounted_rate]:contains('100.00')",
        },
        {
            trigger: ".o_field_widget[name=sub_recall_count]:contains('3')",
        },
        {
            content: "The customer's line shows the answer",
            trigger:
                ".o_field_widget[name=partner_line_ids] .o_data_row:contains('Test Grocer'):contains('Acknowledged')",
        },
        {
            trigger: ".o-mail-Message:contains('Gina Grocer')",
        },
    ],
});

registry.category("web_tour.tours").add("trace_recall_change_answer_tour", {
    steps: () => [
        {
            content: "The earlier answer is shown",
            trigger: LOAVES + " input[name^=qty_on_hand][value='5']",
        },
        {
            trigger: "button.o_trace_recall_submit:contains('Change my answer')",
        },
        {
            content: "The 5 on hand are sent back instead",
            trigger: LOAVES + " input[name^=qty_on_hand]",
            run: "edit 0",
        },
        {
            trigger: LOAVES + " input[name^=qty_returned]",
            run: "edit 5",
        },
        {
            content: "More than shipped is refused with a message, nothing recorded",
            trigger: LOAVES + " input[name^=qty_consumed]",
            run: "edit 25",
        },
        {
            trigger: "form.o_trace_recall_answer_form",
            run() {
                // Past the browser's own check of max, to see the server's answer.
                document
                    .querySelector(LOAVES + " input[name^=qty_consumed]")
                    .removeAttribute("max");
            },
        },
        {
            trigger: "button.o_trace_recall_submit",
            run: "click",
            ...leavesThePage(),
        },
        {
            trigger: ".o_trace_recall_error:contains('45'):contains('40')",
        },
        {
            trigger: LOAVES + " input[name^=qty_consumed]",
            run: "edit 20",
        },
        {
            trigger: "form.o_trace_recall_answer_form textarea[name=comment]",
            run: "edit Five loaves sent back with our driver",
        },
        {
            trigger: "button.o_trace_recall_submit",
            run: "click",
            ...leavesThePage(),
        },
        {
            trigger: ".o_trace_recall_thanks",
        },
        {
            content: "Both answers are kept",
            trigger: ".o_trace_recall_history tbody:has(tr:nth-child(2))",
        },
        {
            trigger: LOAVES + " input[name^=qty_returned][value='5']",
        },
    ],
});

registry.category("web_tour.tours").add("trace_recall_closed_answer_tour", {
    steps: () => [
        {
            content: "Closed: the answer is shown, no change is taken",
            trigger: ".o_trace_recall_closed",
        },
        {
            trigger: LOAVES + " input[name^=qty_returned][value='5'][readonly]",
        },
        {
            trigger: "body:not(:has(button.o_trace_recall_submit))",
        },
    ],
});
