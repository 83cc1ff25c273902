#!/usr/bin/env python3
"""Open the Trace Map in headless Chromium, as a user would: time it, or take a screenshot.

Serves ``--db`` with Odoo on a free port, logs in, opens the Trace Map of each lot named
(the client action its "Trace Map" buttons open) and waits until the map is drawn. For each lot it prints (and writes as
JSON with ``--json``) the time from the click to the drawn map, the part of it spent in
the server's ``trace_graph`` call (as the page measured it), the longest task that blocked
the page's main thread (a frozen page shows here), and the nodes and edges drawn. With
``--screenshot DIR`` it saves a PNG of each map.

Needs Playwright's Python package (``pip install playwright``; not a dependency of the
add-ons) and a Chromium (``--chromium``, default /usr/bin/chromium).

Usage::

    # the widest lot of the benchmark's database, three times
    python3 -m tools.trace_map_browser --db trace_bench_1000000 --lot HUB-0000-01 --repeat 3
    # the screenshots of docs/user-guide.md, "The trace map", from the demo database
    python3 -m tools.trace_map_browser --db trace_demo --lot FL-261101 \\
        --lot PM5-25-0001:backward --screenshot docs/screenshots
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from tools import odoo_env
from tools.harness import Server

# Collects the page's long tasks (main thread blocked over 50 ms) from the start.
LONG_TASKS = """
window.__traceLongTasks = [];
new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__traceLongTasks.push(entry.duration);
}).observe({ type: "longtask", buffered: true });
"""


def lot_id(dbname, name):
    rows = odoo_env.db_query(dbname, "SELECT id FROM stock_lot WHERE name = %s ORDER BY id LIMIT 1", (name,))
    if not rows:
        sys.exit(f"No lot or serial number {name!r} in {dbname}.")
    return rows[0][0]


def open_map(page, url, lot, direction):
    """Open the map of ``lot`` in ``direction`` as its "Trace Map" button does (the action
    ``action_open_trace_map`` returns, run by the web client's action service), from the
    list of lots; time it until drawn."""
    page.goto(f"{url}/odoo/action-stock.action_production_lot_form")
    page.wait_for_selector(".o_list_view")
    page.evaluate("window.__traceLongTasks = []")
    started = time.perf_counter()
    page.evaluate(
        """async ([lot, direction]) => {
            const services = odoo.__WOWL_DEBUG__.root.env.services;
            const action = await services.orm.call("stock.lot", "action_open_trace_map", [[lot]]);
            action.context.trace_map_direction = direction;
            return services.action.doAction(action);
        }""",
        [lot, direction],
    )
    drawn(page)
    figures = {"open_ms": round((time.perf_counter() - started) * 1000)}
    figures.update(measures(page))
    page.mouse.move(1, 1)
    return figures


def drawn(page):
    """Wait until the map is drawn and painted."""
    page.wait_for_selector(".o_trace_map .o_trace_map_node")
    page.wait_for_function("!document.querySelector('.o_trace_map_loading')")
    page.evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))")


def measures(page):
    return page.evaluate(
        """() => ({
            load_ms: Number(document.querySelector('.o_trace_map').dataset.loadMs),
            longest_task_ms: Math.max(0, ...window.__traceLongTasks),
            nodes: document.querySelectorAll('.o_trace_map_node').length,
            edges: document.querySelectorAll('.o_trace_map_edge').length,
        })"""
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--lot", action="append", required=True, help="lot name, optionally :direction")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--repeat", type=int, default=1, help="times each map is opened (figures of each)")
    parser.add_argument("--screenshot", help="directory for a PNG of each map")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--size", default="1600x900", help="browser window, WIDTHxHEIGHT")
    args = parser.parse_args()
    odoo_env.import_odoo()  # first: it may run this tool again in the interpreter of the Odoo asked for
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        sys.exit("This tool needs Playwright's Python package: pip install playwright")
    server = Server(args.db, workers=0).start()
    url = server.url
    width, height = (int(x) for x in args.size.split("x"))
    results = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": width, "height": height})
            page.add_init_script(LONG_TASKS)
            page.goto(f"{url}/web/login")
            page.fill("input[name=login]", args.login)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.wait_for_selector(".o_main_navbar")
            for spec in args.lot:
                name, _sep, direction = spec.partition(":")
                direction = direction or "both"
                lot = lot_id(args.db, name)
                runs = []
                for run in range(args.repeat):
                    figures = open_map(page, url, lot, direction)
                    if args.screenshot and run == args.repeat - 1:
                        Path(args.screenshot).mkdir(parents=True, exist_ok=True)
                        figures["screenshot"] = str(Path(args.screenshot) / f"trace-map-{name}-{direction}.png")
                        page.screenshot(path=figures["screenshot"])
                    runs.append(figures)
                    print(
                        f"{name} ({direction}): open {figures['open_ms']} ms (trace_graph call "
                        f"{figures['load_ms']} ms), longest blocked {figures['longest_task_ms']:.0f} ms, "
                        f"{figures['nodes']} nodes, {figures['edges']} edges"
                    )
                results.append(
                    {
                        "lot": name,
                        "direction": direction,
                        "runs": runs,
                        "median_open_ms": statistics.median(run["open_ms"] for run in runs),
                    }
                )
            browser.close()
    finally:
        server.stop()
    if args.json:
        Path(args.json).write_text(json.dumps({"db": args.db, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    main()
