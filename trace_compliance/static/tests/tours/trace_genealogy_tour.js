/* Walk a lot's genealogy from the lot form: dough lot T-DO-1, what it was made from and
 * what it went into, then on to loaf lot T-BR-2, its own genealogy and its customer. */
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("trace_genealogy_tour", {
    steps: () => [
        {
            content: "The form of dough lot T-DO-1",
            trigger: ".o_last_breadcrumb_item:contains('T-DO-1')",
        },
        {
            content: "Open its genealogy",
            trigger: ".o_form_view button[name=action_open_genealogy]",
            run: "click",
        },
        {
            content: "Upstream: the flour and salt lots it was made from",
            trigger:
                ".o_field_widget[name=upstream_line_ids] .o_data_row:contains('T-FL-1')",
        },
        {
            trigger:
                ".o_field_widget[name=upstream_line_ids] .o_data_row:contains('T-SA-1')",
        },
        {
            content: "Downstream: what it went into",
            trigger: ".o_notebook .nav-link:contains('Downstream')",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=downstream_line_ids] .o_data_row:contains('T-BR-1')",
        },
        {
            content: "Walk on to loaf lot T-BR-2",
            trigger:
                ".o_field_widget[name=downstream_line_ids] .o_data_row:contains('T-BR-2') button[name=action_open_lot]",
            run: "click",
        },
        {
            trigger: ".o_last_breadcrumb_item:contains('T-BR-2')",
        },
        {
            content: "Its genealogy: made from both dough lots, down to the flour",
            trigger: ".o_form_view button[name=action_open_genealogy]",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=upstream_line_ids] .o_data_row:contains('T-DO-2')",
        },
        {
            trigger:
                ".o_field_widget[name=upstream_line_ids] .o_data_row:contains('T-FL-1')",
        },
        {
            content: "Who received it",
            trigger: "button[name=action_open_customers]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Test Grocer')",
        },
    ],
});
