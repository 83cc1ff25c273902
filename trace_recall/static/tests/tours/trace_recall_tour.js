/* Start a recall from the menu: Manufacturing > Traceability > Start a Recall, the suspect
 * flour lot and the reason in the wizard, the computed recall with its customer, then the
 * spreadsheet export, downloaded by the browser. */
import {browser} from "@web/core/browser/browser";
import {registry} from "@web/core/registry";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** Catch the export's redirection to its download URL, which would leave the page. */
function catchDownload() {
    const location = window.location;
    // A proxy of a plain object: window.location's own properties cannot be proxied.
    const caught = new Proxy(
        {},
        {
            get(_target, property) {
                if (property === "assign") {
                    return (url) =>
                        document.body.setAttribute("data-trace-download", url);
                }
                const value = location[property];
                return typeof value === "function" ? value.bind(location) : value;
            },
        }
    );
    Object.defineProperty(browser, "location", {
        get: () => caught,
        set(value) {
            window.location = value;
        },
        configurable: true,
    });
}

registry.category("web_tour.tours").add("trace_recall_tour", {
    url: "/odoo",
    steps: () => [
        {
            // stepUtils.showAppsMenuItem(), written out: its module moved in 19.0
            // (@web_tour/tour_service/tour_utils -> @web_tour/tour_utils).
            isActive: ["auto", "community", "desktop"],
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button:enabled",
            run: "click",
        },
        {
            content: "Open Manufacturing",
            trigger: ".o_app[data-menu-xmlid='mrp.menu_mrp_root']",
            run: "click",
        },
        {
            content: "Traceability",
            trigger:
                ".o_menu_sections [data-menu-xmlid='trace_compliance.trace_menu_root']",
            run: "click",
        },
        {
            content: "Start a Recall",
            trigger:
                ".dropdown-item[data-menu-xmlid='trace_recall.trace_recall_start_menu']",
            run: "click",
        },
        {
            content: "The suspect lot",
            trigger: ".modal .o_field_widget[name=lot_ids] input",
            run: "edit T-FL-1",
        },
        {
            trigger:
                ".modal .o-autocomplete--dropdown-menu .ui-menu-item a:contains('T-FL-1')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=lot_ids] .o_tag:contains('T-FL-1')",
        },
        {
            content: "Why",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Undeclared allergen in the retained sample",
        },
        {
            content: "Start: the recall is created and computed",
            trigger: ".modal button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button[aria-checked=true]:contains('Open')",
        },
        {
            content: "Its customer",
            trigger:
                ".o_field_widget[name=partner_line_ids] .o_data_row:contains('Test Grocer')",
        },
        {
            trigger: ".o_field_widget[name=customer_count]:contains('1')",
        },
        {
            content: "Export the spreadsheet",
            trigger: ".o_form_view button[name=action_export_xlsx]",
            async run(helpers) {
                catchDownload();
                await helpers.click();
            },
        },
        {
            content: "The browser downloads the spreadsheet",
            trigger: "body[data-trace-download*='/web/content/']",
            async run() {
                const url = document.body.getAttribute("data-trace-download");
                const response = await fetch(url);
                const type = response.headers.get("Content-Type") || "";
                const disposition = response.headers.get("Content-Disposition") || "";
                const size = (await response.arrayBuffer()).byteLength;
                if (
                    !response.ok ||
                    !type.startsWith(XLSX) ||
                    !disposition.includes(".xlsx") ||
                    size < 1000
                ) {
                    throw new Error(
                        `Bad download ${url}: ${response.status} ${type} ${disposition} ${size} bytes`
                    );
                }
                document.body.setAttribute("data-trace-downloaded", "1");
            },
        },
        {
            trigger: "body[data-trace-downloaded]",
        },
    ],
});
