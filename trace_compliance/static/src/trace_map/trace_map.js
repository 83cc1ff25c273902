/* The Trace Map: a lot's genealogy drawn left to right, from vendors and receipts through
 * the lots made from one another to deliveries and customers.
 *
 * The server lays the map out (stock.lot.trace_graph, trace_compliance/trace_map.py): every
 * node comes with its box, colours, status icon and lines of text, every edge with its
 * path and label. This component draws them in SVG and adds what a screen gives: direction
 * and depth, grouping of wide columns and expanding a group, hover details, a click that
 * opens the record, a search that highlights, pan and zoom, SVG and PNG downloads. */
import {Component, onMounted, onWillStart, useRef, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {downloadFile} from "@web/core/network/download";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {Layout} from "@web/search/layout";
import {standardActionServiceProps} from "@web/webclient/actions/action_service";

const MIN_SCALE = 0.05;
const MAX_SCALE = 3;
// The largest side of a PNG download, in pixels (browsers refuse bigger canvases).
const MAX_PNG_SIDE = 16000;

export class TraceMap extends Component {
    static template = "trace_compliance.TraceMap";
    static components = {Layout};
    static props = {...standardActionServiceProps};

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.notification = useService("notification");
        this.viewportRef = useRef("viewport");
        this.svgRef = useRef("svg");
        const context = this.props.action.context || {};
        this.lotIds = context.active_ids?.length
            ? context.active_ids
            : [context.active_id].filter(Boolean);
        this.state = useState({
            direction: context.trace_map_direction || "both",
            depth: "",
            threshold: "",
            expand: [],
            graph: null,
            loading: false,
            search: "",
            hover: null,
            view: {x: 0, y: 0, scale: 1},
            exported: null,
            loadMs: null,
        });
        this.drag = null;
        onWillStart(() => this.load());
        onMounted(() => this.fit());
    }

    // ---- data ----------------------------------------------------------

    async load({fit = true} = {}) {
        if (!this.lotIds.length) {
            return;
        }
        const kwargs = {direction: this.state.direction, expand: this.state.expand};
        const depth = parseInt(this.state.depth, 10);
        if (depth > 0) {
            kwargs.max_depth = depth;
        }
        const threshold = parseInt(this.state.threshold, 10);
        if (threshold >= 0) {
            kwargs.group_threshold = threshold;
        }
        const started = performance.now();
        this.state.loading = true;
        try {
            const graph = await this.orm.call(
                "stock.lot",
                "trace_graph",
                [this.lotIds],
                kwargs
            );
            this.state.graph = graph;
            this.nodeById = Object.fromEntries(
                graph.nodes.map((node) => [node.id, node])
            );
        } finally {
            this.state.loading = false;
        }
        this.state.loadMs = Math.round(performance.now() - started);
        if (fit && this.viewportRef.el) {
            this.fit();
        }
    }

    get stats() {
        const graph = this.state.graph;
        if (!graph) {
            return "";
        }
        const lots = graph.nodes.reduce(
            (total, node) =>
                total +
                (node.kind === "lot" ? 1 : node.group_kind === "lot" ? node.count : 0),
            0
        );
        return _t("%(lots)s lots, %(nodes)s nodes, %(edges)s edges", {
            lots,
            nodes: graph.nodes.length,
            edges: graph.edges.length,
        });
    }

    get transform() {
        const {x, y, scale} = this.state.view;
        return `translate(${x},${y}) scale(${scale})`;
    }

    get searchMatches() {
        const term = this.state.search.trim().toLowerCase();
        if (!term || !this.state.graph) {
            return null;
        }
        return new Set(
            this.state.graph.nodes
                .filter((node) =>
                    [node.label, node.product_name, ...(node.lines || [])].some(
                        (text) => text && String(text).toLowerCase().includes(term)
                    )
                )
                .map((node) => node.id)
        );
    }

    nodeClass(node, matches) {
        const classes = [`o_trace_map_node o_trace_map_${node.kind}`];
        if (node.is_start) {
            classes.push("o_trace_map_start");
        }
        if (node.recalled) {
            classes.push("o_trace_map_recalled");
        }
        if (matches) {
            classes.push(
                matches.has(node.id) ? "o_trace_map_match" : "o_trace_map_dim"
            );
        }
        return classes.join(" ");
    }

    edgeClass(edge, matches) {
        const dim = matches && !matches.has(edge.source) && !matches.has(edge.target);
        return `o_trace_map_edge o_trace_map_edge_${edge.kind}${dim ? " o_trace_map_dim" : ""}`;
    }

    edgeTitle(edge) {
        const source = this.nodeById[edge.source];
        const target = this.nodeById[edge.target];
        return [`${source?.label || ""} \u2192 ${target?.label || ""}`, edge.label]
            .filter(Boolean)
            .join("\n");
    }

    // ---- controls ------------------------------------------------------

    async onDirection(ev) {
        this.state.direction = ev.target.value;
        this.state.expand = [];
        await this.load();
    }

    async onDepth(ev) {
        this.state.depth = ev.target.value;
        await this.load();
    }

    async onThreshold(ev) {
        this.state.threshold = ev.target.value;
        this.state.expand = [];
        await this.load();
    }

    onSearch(ev) {
        this.state.search = ev.target.value;
    }

    async onNodeClick(node) {
        if (this.drag?.moved) {
            return;
        }
        if (node.kind === "group") {
            this.state.expand = [...this.state.expand, node.id];
            await this.load({fit: false});
            return;
        }
        this.openRecord(node.res_model, node.res_id);
    }

    onEdgeClick(edge) {
        if (edge.res_model && edge.res_id) {
            this.openRecord(edge.res_model, edge.res_id);
        }
    }

    openRecord(resModel, resId) {
        if (!resModel || !resId) {
            return;
        }
        this.actionService.doAction({
            type: "ir.actions.act_window",
            res_model: resModel,
            res_id: resId,
            views: [[false, "form"]],
            target: "current",
        });
    }

    onNodeEnter(node, ev) {
        const box = this.viewportRef.el.getBoundingClientRect();
        this.state.hover = {
            node,
            left: ev.clientX - box.left + 14,
            top: ev.clientY - box.top + 14,
        };
    }

    onNodeLeave() {
        this.state.hover = null;
    }

    hoverRows(node) {
        const rows = [];
        if (node.product_name) {
            rows.push([_t("Product"), node.product_name]);
        }
        if (node.kind === "lot") {
            rows.push([
                _t("Quality status"),
                node.quality_status_label || node.quality_status,
            ]);
            rows.push([
                _t("Tracking"),
                node.tracking === "serial" ? _t("Serial") : _t("Lot"),
            ]);
        }
        if (node.kind === "group") {
            rows.push([_t("Members"), String(node.count)]);
            const legend = Object.fromEntries(
                this.state.graph.legend.map((item) => [item.status, item])
            );
            for (const [status, count] of Object.entries(node.quality_statuses || {})) {
                const item = legend[status];
                rows.push([
                    item ? `${item.icon} ${item.label}` : status,
                    String(count),
                ]);
            }
        }
        const edges = this.state.graph.edges.filter(
            (edge) => edge.source === node.id || edge.target === node.id
        );
        for (const edge of edges.slice(0, 6)) {
            const other =
                this.nodeById[edge.source === node.id ? edge.target : edge.source];
            rows.push([
                edge.source === node.id ? "\u2192" : "\u2190",
                `${other?.label || ""}  ${edge.label || ""}`,
            ]);
        }
        if (edges.length > 6) {
            rows.push(["", _t("… and %s more", edges.length - 6)]);
        }
        return rows;
    }

    // ---- pan and zoom --------------------------------------------------

    fit() {
        const graph = this.state.graph;
        const el = this.viewportRef.el;
        if (!graph || !el) {
            return;
        }
        const width = el.clientWidth || 1000;
        const height = el.clientHeight || 600;
        const scale = Math.max(
            MIN_SCALE,
            Math.min(1, width / graph.width, height / graph.height)
        );
        this.state.view = {
            scale,
            x: (width - graph.width * scale) / 2,
            y: Math.max(0, (height - graph.height * scale) / 2),
        };
    }

    zoom(factor, cx, cy) {
        const view = this.state.view;
        const el = this.viewportRef.el;
        cx = cx ?? el.clientWidth / 2;
        cy = cy ?? el.clientHeight / 2;
        const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, view.scale * factor));
        const ratio = scale / view.scale;
        this.state.view = {
            scale,
            x: cx - (cx - view.x) * ratio,
            y: cy - (cy - view.y) * ratio,
        };
    }

    onWheel(ev) {
        ev.preventDefault();
        const box = this.viewportRef.el.getBoundingClientRect();
        this.zoom(
            ev.deltaY < 0 ? 1.15 : 1 / 1.15,
            ev.clientX - box.left,
            ev.clientY - box.top
        );
    }

    onPointerDown(ev) {
        if (ev.button !== 0) {
            return;
        }
        this.drag = {
            x: ev.clientX,
            y: ev.clientY,
            view: {...this.state.view},
            moved: false,
        };
    }

    onPointerMove(ev) {
        if (!this.drag || !(ev.buttons & 1)) {
            return;
        }
        const dx = ev.clientX - this.drag.x;
        const dy = ev.clientY - this.drag.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) {
            this.drag.moved = true;
            this.state.hover = null;
        }
        if (this.drag.moved) {
            this.state.view = {
                ...this.drag.view,
                x: this.drag.view.x + dx,
                y: this.drag.view.y + dy,
            };
        }
    }

    onPointerUp() {
        // A click that follows a drag is not a click on a node: cleared after it.
        setTimeout(() => (this.drag = null));
    }

    // ---- downloads -----------------------------------------------------

    get fileName() {
        const start = this.state.graph?.nodes.find((node) => node.is_start);
        return `trace-map-${(start?.label || "lots").replace(/[^\w.-]+/g, "_")}-${this.state.direction}`;
    }

    /** The map as a standalone SVG document: the whole graph, unpanned, unzoomed. */
    exportSvg() {
        const graph = this.state.graph;
        const svg = this.svgRef.el.cloneNode(true);
        svg.setAttribute("xmlns", "http://www.w3.org/2000/svg");
        svg.setAttribute("width", graph.width);
        svg.setAttribute("height", graph.height);
        svg.setAttribute("viewBox", `0 0 ${graph.width} ${graph.height}`);
        svg.removeAttribute("class");
        svg.querySelector(".o_trace_map_canvas").removeAttribute("transform");
        for (const el of svg.querySelectorAll(".o_trace_map_dim")) {
            el.classList.remove("o_trace_map_dim");
        }
        return new XMLSerializer().serializeToString(svg);
    }

    remember(format, blob) {
        if (this.state.exported?.url) {
            URL.revokeObjectURL(this.state.exported.url);
        }
        this.state.exported = {format, url: URL.createObjectURL(blob), size: blob.size};
    }

    downloadSvg() {
        const blob = new Blob([this.exportSvg()], {type: "image/svg+xml"});
        this.remember("svg", blob);
        downloadFile(blob, `${this.fileName}.svg`, "image/svg+xml");
    }

    async downloadPng() {
        const graph = this.state.graph;
        const ratio = Math.min(2, MAX_PNG_SIDE / Math.max(graph.width, graph.height));
        const url = URL.createObjectURL(
            new Blob([this.exportSvg()], {type: "image/svg+xml"})
        );
        try {
            const image = new Image();
            await new Promise((resolve, reject) => {
                image.onload = resolve;
                image.onerror = () =>
                    reject(new Error(_t("The map could not be drawn as an image.")));
                image.src = url;
            });
            const canvas = document.createElement("canvas");
            canvas.width = Math.ceil(graph.width * ratio);
            canvas.height = Math.ceil(graph.height * ratio);
            const context = canvas.getContext("2d");
            context.fillStyle = "#ffffff";
            context.fillRect(0, 0, canvas.width, canvas.height);
            context.scale(ratio, ratio);
            context.drawImage(image, 0, 0);
            const blob = await new Promise((resolve) =>
                canvas.toBlob(resolve, "image/png")
            );
            if (!blob) {
                throw new Error(
                    _t("The map is too large for a PNG image: download it as SVG.")
                );
            }
            this.remember("png", blob);
            downloadFile(blob, `${this.fileName}.png`, "image/png");
        } catch (error) {
            this.notification.add(error.message, {type: "danger"});
        } finally {
            URL.revokeObjectURL(url);
        }
    }
}

registry.category("actions").add("trace_compliance.trace_map", TraceMap);
