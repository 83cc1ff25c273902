/* The Trace Map of demo flour lot FL-261101, opened from its lot form: from the mill that
 * supplied it to the grocers who received loaves made from it; a click through to a
 * delivery; a wide column grouped, then expanded; the map downloaded as SVG. */
import {registry} from "@web/core/registry";

const edge = (source, target) =>
    `.o_trace_map_edge[data-source-label='${source}'][data-target-label='${target}']`;
const node = (label) => `.o_trace_map_node[data-label='${label}']`;

registry.category("web_tour.tours").add("trace_map_tour", {
    steps: () => [
        {
            content: "The form of flour lot FL-261101",
            trigger: ".o_last_breadcrumb_item:contains('FL-261101')",
        },
        {
            content: "Open its trace map",
            trigger: ".o_form_view button[name=action_open_trace_map]",
            run: "click",
        },
        {
            content: "The start lot stands out",
            trigger: `${node("FL-261101")}.o_trace_map_start`,
        },
        {
            content: "Hover shows a lot's details",
            trigger: node("DGH-261101"),
            run: "hover",
        },
        {
            trigger:
                ".o_trace_map_tooltip:contains('Quality status'):contains('Released'):contains('FL-261101')",
        },
        {
            content: "Vendor: the mill",
            trigger: `.o_trace_map_vendor${node("Northfield Mills")}`,
        },
        {
            content: "Loaves to the grocers",
            trigger: `.o_trace_map_customer${node("FreshMart Supermarkets")}`,
        },
        {trigger: `.o_trace_map_customer${node("Harbor Deli")}`},
        {
            content:
                "The edges: mill to receipt to flour, flour into dough into loaves, to the grocers",
            trigger: ".o_trace_map_svg",
            run: () => {
                // Checked in the DOM: a straight edge has no height, so no tour trigger "sees" it.
                for (const selector of [
                    ".o_trace_map_edge[data-source-label='Northfield Mills'][data-target-label^='WH/IN/']",
                    ".o_trace_map_edge[data-source-label^='WH/IN/'][data-target-label='FL-261101']",
                    edge("FL-261101", "DGH-261101"),
                    edge("FL-261101", "DGH-261102"),
                    edge("DGH-261101", "BRD-261101"),
                    edge("DGH-261102", "BRD-261103"),
                    ".o_trace_map_edge[data-source-label^='WH/OUT/'][data-target-label='FreshMart Supermarkets']",
                    ".o_trace_map_edge[data-source-label^='WH/OUT/'][data-target-label='Harbor Deli']",
                ]) {
                    if (!document.querySelector(selector)) {
                        throw new Error(`No edge ${selector}`);
                    }
                }
            },
        },
        {
            content: "Search highlights a customer",
            trigger: ".o_trace_map_search",
            run: "edit Harbor",
        },
        {
            trigger: `${node("Harbor Deli")}.o_trace_map_match`,
        },
        {
            trigger: `${node("FL-261101")}.o_trace_map_dim`,
        },
        {
            trigger: ".o_trace_map_search",
            run: "clear",
        },
        {
            content: "Click through to a delivery",
            trigger: ".o_trace_map_delivery",
            run: "click",
        },
        {
            content: "Its transfer opens",
            trigger: ".o_form_view .o_field_widget[name=picking_type_id]",
        },
        {
            content: "Back to the map",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Trace Map')",
            run: "click",
        },
        {
            trigger: `${node("FL-261101")}.o_trace_map_start`,
        },
        {
            content: "Group columns of more than one node",
            trigger: ".o_trace_map_threshold",
            run: "edit 1 && press Enter",
        },
        {
            content: "The three loaf lots are one group",
            trigger: ".o_trace_map_group[data-label*='3 lots']",
        },
        {
            trigger: `.o_trace_map_nodes:not(:has(${node("BRD-261103")}))`,
        },
        {
            content: "Expand it",
            trigger: ".o_trace_map_group[data-label*='3 lots']",
            run: "click",
        },
        {
            trigger: node("BRD-261103"),
        },
        {
            trigger: `.o_trace_map_nodes:not(:has(.o_trace_map_group[data-label*='3 lots']))`,
        },
        {
            content: "Download the map as SVG",
            trigger: ".o_trace_map_download_svg",
            run: "click",
        },
        {
            content: "The file is an SVG document of the map",
            trigger: ".o_trace_map[data-last-export='svg']",
            run: async () => {
                const url = document.querySelector(".o_trace_map").dataset.exportUrl;
                const text = await (await fetch(url)).text();
                const svg = new DOMParser().parseFromString(text, "image/svg+xml");
                const labels = [...svg.querySelectorAll("text")].map(
                    (el) => el.textContent
                );
                if (
                    svg.querySelector("parsererror") ||
                    svg.documentElement.tagName !== "svg"
                ) {
                    throw new Error("The downloaded map is not an SVG document");
                }
                for (const expected of [
                    "FL-261101",
                    "BRD-261103",
                    "Northfield Mills",
                ]) {
                    if (!labels.some((label) => label.includes(expected))) {
                        throw new Error(`The downloaded map lacks ${expected}`);
                    }
                }
            },
        },
    ],
});
