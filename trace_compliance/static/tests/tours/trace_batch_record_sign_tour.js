/* Sign a batch record in the password dialog: submit the complete draft for review, type
 * the password, sign; the record is in review with the signature listed. */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("trace_batch_record_sign_tour", {
    steps: () => [
        {
            content: "A complete batch record, in draft",
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Draft')",
        },
        {
            content: "Submit it for review: the signing dialog opens",
            trigger: ".o_form_view button[name=action_submit]",
            run: "click",
        },
        {
            content: "The dialog names the record and the meaning of the signature",
            trigger: ".modal .o_field_widget[name=record_name]:contains('EBR/')",
        },
        {
            trigger: ".modal .o_field_widget[name=meaning]:contains('Authored')",
        },
        {
            content: "Type the password again",
            trigger: ".modal .o_field_widget[name=password] input",
            run: "edit Tour-Signer-2026",
        },
        {
            trigger: ".modal .o_field_widget[name=comment] textarea",
            run: "edit Line log and checks reviewed",
        },
        {
            content: "Sign",
            trigger: ".modal button[name=action_sign]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "The record is in review",
            trigger:
                ".o_statusbar_status button[aria-checked=true]:contains('In Review')",
        },
        {
            content: "The signature is listed, with the signer's name",
            trigger: ".o_notebook .nav-link:contains('Signatures')",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=signature_ids] .o_data_row:contains('Tour Signer'):contains('Authored')",
        },
    ],
});
