#!/usr/bin/env python3
"""Take the screenshots of docs/user-guide.md from the demo database, in headless Chromium.

Serves ``--db`` (the database ``make run`` builds: ``trace_demo``, ``trace_demo_19`` on
Odoo 19.0) with Odoo on a free port, logs in as admin and takes each shot of :data:`SHOTS`:
it finds the shot's record by a search on the demo's names (never a database id), opens
its URL, runs the shot's steps (open a tab, fill a field, click a button that opens a
dialog), waits for the network to be idle and for the shot's selector, and saves
``<name>.png`` in ``--out`` (the element ``crop`` names, or the viewport). Every shot has
its own fixed viewport, in a browser with animations, transitions and the text cursor
switched off, the same locale and time zone each time: taken again on the same database,
a shot shows the same screen.

Needs Playwright's Python package (``pip install playwright`` in the Odoo interpreter; not
a dependency of the add-ons), a Chromium (``--chromium``, default /usr/bin/chromium; the
tool never downloads one) and Pillow (Odoo's own dependency), which recompresses the PNGs.

Run it from the repository's root::

    # every shot, on Odoo 19.0's demo database (python3 -m tools.trace_odoo --odoo 19 run builds it)
    python3 -m tools.screenshots --odoo 19
    # one shot, from another database
    python3 -m tools.screenshots --odoo 19 --db my_demo_19 --only lot-FL-261101
"""

import argparse
import io
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tools import odoo_env
from tools.harness import Server
from tools.trace_odoo import installed_modules

# What moves or blinks: no transitions, no animations, no text cursor.
STILL = """
*, *::before, *::after {
    transition: none !important;
    animation: none !important;
    caret-color: transparent !important;
}
"""


@dataclass(frozen=True)
class Shot:
    """One screenshot: ``url`` opens it (``{id}``: the id of the ``model`` record that
    ``domain`` finds, the first by id), ``steps`` are done in order (``("click", selector)``,
    ``("fill", selector, text)``, ``("wait", selector)``), then ``wait`` must show; the
    picture is of ``crop`` (an element) or of the whole viewport. With ``fit`` the viewport
    grows to the height of the whole view (the web client scrolls inside it, so a picture
    shows only what the viewport does)."""

    name: str
    url: str
    wait: str
    model: str | None = None
    domain: tuple = ()
    steps: tuple = ()
    crop: str | None = None
    viewport: tuple = (1280, 800)
    fit: bool = False


FORM = ".o_form_view .o_form_sheet"
DIALOG = ".modal-dialog .o_form_view"
SHEET = ".o_form_sheet_bg"  # a form's status bar and sheet, without the chatter below
WIDE = (1600, 800)  # every smart button shown, the chatter beside the form


def form(action, model, domain, *steps, wait=FORM, crop=None, viewport=(1280, 800), fit=False, name):
    """A shot of the form of the record ``domain`` finds, opened in ``action`` (an XML id)."""
    return Shot(name, f"/odoo/action-{action}/{{id}}", wait, model, tuple(domain), steps, crop, viewport, fit)


def tab(page_name):
    """The step that opens a form's notebook page ``page_name``."""
    return ("click", f".o_notebook a.nav-link[name={page_name}]")


SHOTS = (
    form(
        "stock.action_picking_tree_all",
        "stock.picking",
        [("partner_id.name", "=", "Northfield Mills"), ("move_line_ids.lot_id.name", "=", "FL-261101")],
        ("click", ".o_field_stock_move_one2many .o_data_row button[name=action_show_details]"),
        wait=".modal-dialog .o_list_view .o_data_row",
        crop=".modal-content",
        name="receipt-FL-261101-vendor-lot",
    ),
    form(
        "trace_compliance.trace_certificate_action",
        "trace.certificate",
        [("lot_ids.name", "=", "FL-261102"), ("partner_id.name", "=", "Valley Grain Co.")],
        name="certificate-FL-261102",
    ),
    form(
        "mrp.mrp_production_action",
        "mrp.production",
        [("move_finished_ids.move_line_ids.lot_id.name", "=", "BRD-261102")],
        viewport=WIDE,
        name="mo-BRD-261102",
    ),
    Shot(
        "coa-delivery-corner-bakery",
        "/report/html/trace_compliance.trace_certificate_of_analysis_report/{id}",
        ".page",
        "stock.picking",
        (("partner_id.name", "=", "Corner Bakery Café"), ("picking_type_code", "=", "outgoing")),
        viewport=(1000, 800),
    ),
    Shot(
        "genealogy-NM-2611-017",
        "/odoo/action-trace_compliance.trace_genealogy_explore_action",
        ".o_notebook .o_data_row",
        steps=(
            ("fill", "div[name=search_term] input", "NM-2611-017"),
            ("click", "button[name=action_search]"),
            ("wait", "div[name=lot_ids] .o_tag"),
            tab("downstream"),
        ),
        viewport=WIDE,
    ),
    form(
        "stock.action_production_lot_form",
        "stock.lot",
        [("name", "=", "FL-261101")],
        viewport=WIDE,
        name="lot-FL-261101",
    ),
    Shot(
        "recall-start-VG-26-4471",
        "/odoo/action-trace_recall.trace_recall_start_action",
        DIALOG,
        steps=(
            ("click", "div[name=selection_mode] input[data-value=vendor_lot]"),
            ("fill", "div[name=vendor_lot_number] input", "VG-26-4471"),
            ("fill", "div[name=reason] textarea", "Mock recall: Valley Grain's flour lot, as a drill"),
            ("click", "div[name=is_drill] input"),
        ),
        crop=".modal-content",
    ),
    form(
        "trace_recall.trace_recall_action",
        "trace.recall",
        [("is_drill", "=", True), ("lot_ids.name", "=", "FL-261102")],
        crop=SHEET,
        fit=True,
        name="recall-drill-VG-26-4471",
    ),
    form(
        "trace_recall.trace_recall_action",
        "trace.recall",
        [("is_drill", "=", False), ("lot_ids.name", "=", "DGH-261102")],
        crop=SHEET,
        fit=True,
        name="recall-DGH-261102-effectiveness",
    ),
    Shot(
        "customer-answers",
        "/odoo/action-trace_recall.trace_recall_response_action",
        ".o_list_view .o_data_row",
    ),
    form(
        "trace_compliance.trace_batch_record_action",
        "trace.batch.record",
        [("lot_ids.name", "=", "BRD-261101")],
        tab("checks"),
        name="batch-record-BRD-261101",
    ),
    form(
        "trace_compliance.trace_batch_record_action",
        "trace.batch.record",
        [("lot_ids.name", "=", "BRD-261101")],
        ("click", ".o_form_statusbar button[name=action_submit]"),
        wait=DIALOG,
        crop=".modal-content",
        name="batch-record-BRD-261101-sign",
    ),
    form(
        "trace_compliance.trace_batch_record_action",
        "trace.batch.record",
        [("lot_ids.name", "=", "PM5-25-0001")],
        tab("dhr"),
        name="dhr-PM5-25-0001",
    ),
    form(
        "stock.action_production_lot_form",
        "stock.lot",
        [("name", "=", "PM5-25-0002")],
        tab("warranty"),
        crop=SHEET,
        fit=True,
        name="serial-PM5-25-0002-warranty",
    ),
    Shot(
        "warranty-check-PM5-25-0003",
        "/odoo/action-trace_warranty.trace_warranty_check_action",
        ".modal-dialog .o_form_view .alert",
        steps=(("fill", "div[name=serial_name] input", "PM5-25-0003"),),
        crop=".modal-content",
    ),
    form(
        "trace_compliance.trace_inspection_plan_action",
        "trace.inspection.plan",
        [("name", "=", "Wheat flour at receipt")],
        name="inspection-plan-flour",
    ),
    form(
        "trace_compliance.trace_inspection_action",
        "trace.inspection",
        [("lot_id.name", "=", "FL-261203")],
        name="inspection-FL-261203-failed",
    ),
    form(
        "trace_compliance.trace_inspection_action",
        "trace.inspection",
        [("lot_id.name", "=", "FL-261204")],
        name="inspection-FL-261204-open",
    ),
    form(
        "stock.action_production_lot_form",
        "stock.lot",
        [("name", "=", "SB200-24-0004")],
        wait=".o-mail-Chatter .o-mail-Message",
        viewport=WIDE,
        name="lot-SB200-24-0004-on-hold",
    ),
)


def search_id(page, url, model, domain):
    """The id of the first ``model`` record (by id) that ``domain`` finds, over the web
    client's own JSON-RPC with the browser's session (what the admin may read)."""
    response = page.request.post(
        f"{url}/web/dataset/call_kw/{model}/search",
        data={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": model,
                "method": "search",
                "args": [list(domain)],
                "kwargs": {"limit": 1, "order": "id"},
            },
        },
    )
    answer = response.json()
    if "error" in answer:
        sys.exit(f"Searching {model} {domain}: {answer['error']['data']['message']}")
    if not answer["result"]:
        sys.exit(f"No {model} record matches {domain}: is this the demo database?")
    return answer["result"][0]


class Network:
    """The page's requests in flight: the web client's calls and what they load (images,
    fonts, styles). Playwright's own ``networkidle`` never comes in Odoo 19.0's web client,
    whose bus worker's script stays pending for Playwright."""

    KINDS = ("document", "xhr", "fetch", "image", "font", "stylesheet")

    def __init__(self, page):
        self.page, self.pending = page, set()
        page.on("request", self.started)
        page.on("requestfinished", self.ended)
        page.on("requestfailed", self.ended)

    def started(self, request):
        if request.resource_type in self.KINDS:
            self.pending.add(request)

    def ended(self, request):
        self.pending.discard(request)

    def idle(self, quiet_ms=500, timeout_ms=30000):
        """Wait until no request has been in flight for ``quiet_ms``."""
        self.page.wait_for_load_state("load")
        quiet = waited = 0
        while quiet < quiet_ms:
            if waited > timeout_ms:
                raise TimeoutError(f"requests still in flight: {sorted(r.url for r in self.pending)}")
            self.page.wait_for_timeout(50)
            waited += 50
            quiet = 0 if self.pending else quiet + 50


def settle(page, network, selector):
    """Wait until ``selector`` shows, the network is idle and two frames are painted."""
    page.wait_for_selector(selector, state="visible")
    network.idle()
    page.evaluate("new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))")


def take(page, network, url, shot, out):
    """Open ``shot`` in ``page`` and save its PNG in ``out``; return the file."""
    page.set_viewport_size({"width": shot.viewport[0], "height": shot.viewport[1]})
    record = search_id(page, url, shot.model, shot.domain) if shot.model else None
    page.goto(url + shot.url.format(id=record))
    network.idle()
    page.add_style_tag(content=STILL)
    for verb, selector, *text in shot.steps:
        if verb == "wait":
            page.wait_for_selector(selector, state="visible")
            continue
        element = page.locator(selector).first
        element.wait_for(state="visible")
        if verb == "click":
            element.click()
        elif verb == "fill":
            element.fill(*text)
            element.press("Tab")
        else:
            raise ValueError(f"{shot.name}: unknown step {verb!r}")
        network.idle()
    settle(page, network, shot.wait)
    if shot.fit:
        height = page.evaluate(
            """() => {
                const content = document.querySelector('.o_action_manager .o_content');
                return Math.ceil(content.getBoundingClientRect().top + content.scrollHeight);
            }"""
        )
        page.set_viewport_size({"width": shot.viewport[0], "height": max(shot.viewport[1], height)})
        settle(page, network, shot.wait)
    page.mouse.move(0, 0)
    target = page.locator(shot.crop).first if shot.crop else page
    png = target.screenshot(animations="disabled", caret="hide")
    path = Path(out) / f"{shot.name}.png"
    path.write_bytes(optimise(png))
    return path


def optimise(png):
    """The PNG recompressed by Pillow, on a palette when its colours allow it without loss."""
    from PIL import Image  # noqa: PLC0415  (Odoo's dependency: in the Odoo interpreter only)

    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.getcolors(256):
        image = image.quantize(colors=256, dither=Image.Dither.NONE)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--odoo", choices=[str(v) for v in odoo_env.SUPPORTED], help="Odoo series (default: ODOO)")
    parser.add_argument("--db", help="the demo database (default: trace_demo, trace_demo_19 on Odoo 19.0)")
    parser.add_argument("--only", action="append", metavar="NAME", help="only this shot (repeatable)")
    parser.add_argument("--out", default="docs/screenshots", help="directory of the PNGs")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--list", action="store_true", help="print the shots' names and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(shot.name for shot in SHOTS))
        return
    if args.odoo:
        os.environ["ODOO"] = args.odoo
    odoo_env.import_odoo()  # first: it may run this tool again in the interpreter of the Odoo asked for
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        sys.exit("This tool needs Playwright's Python package: pip install playwright")
    dbname = args.db or odoo_env.db_name("trace_demo")
    if installed_modules(dbname) != set(odoo_env.MODULES):
        sys.exit(f"{dbname} is not a demo database with the three add-ons: make run (ODOO=19) builds trace_demo.")
    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    unknown = set(args.only or ()) - {shot.name for shot in SHOTS}
    if unknown:
        sys.exit(f"No shot named {', '.join(sorted(unknown))}: --list names them.")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    server = Server(dbname, workers=0).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            context = browser.new_context(locale="en-US", timezone_id="UTC", device_scale_factor=1)
            page = context.new_page()
            network = Network(page)
            page.goto(f"{server.url}/web/login")
            page.fill("input[name=login]", args.login)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.wait_for_selector(".o_main_navbar")
            for shot in shots:
                path = take(page, network, server.url, shot, args.out)
                print(f"{path} ({path.stat().st_size // 1024} KB)")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
