#!/usr/bin/env python3
"""Open a customer's recall response page in headless Chromium, as the customer would: the
link of their notice, in a browser with no Odoo session, and take a screenshot.

Serves ``--db`` with Odoo on a free port and opens ``/my/recall/<line>?access_token=…`` of
the customer named by ``--customer`` on the latest open, notified recall that has them
(``--recall`` names another). Prints the URL and saves ``recall-response-page.png`` in
``--screenshot`` (the whole page).

Needs Playwright's Python package (``pip install playwright``; not a dependency of the
add-ons) and a Chromium (``--chromium``, default /usr/bin/chromium).

Usage::

    # the screenshot of docs/user-guide.md, "A recall", from the demo database
    python3 -m tools.recall_response_browser --db trace_demo --customer "Harbor Deli" \\
        --screenshot docs/screenshots
"""

import argparse
import sys
from pathlib import Path

from tools import odoo_env
from tools.harness import Server


def response_link(dbname, customer, recall=None):
    """(line id, token) of ``customer``'s line on ``recall`` (or the latest open one)."""
    rows = odoo_env.db_query(
        dbname,
        """
        SELECT line.id, line.access_token
          FROM trace_recall_partner line
          JOIN trace_recall recall ON recall.id = line.recall_id
          JOIN res_partner partner ON partner.id = line.partner_id
         WHERE partner.name = %s AND line.access_token IS NOT NULL AND recall.is_drill IS NOT TRUE
           AND (%s::varchar IS NULL AND recall.state = 'open' OR recall.name = %s)
         ORDER BY recall.id DESC LIMIT 1
        """,
        (customer, recall, recall),
    )
    if not rows:
        sys.exit(f"No notified recall line of {customer!r} in {dbname}.")
    return rows[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--customer", required=True, help="the customer's name, as on the recall")
    parser.add_argument("--recall", help="the recall's reference (default: the latest open one)")
    parser.add_argument("--screenshot", required=True, help="directory for recall-response-page.png")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--width", type=int, default=1200)
    args = parser.parse_args()
    odoo_env.import_odoo()  # first: it may run this tool again in the interpreter of the Odoo asked for
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415
    except ImportError:
        sys.exit("This tool needs Playwright's Python package: pip install playwright")
    line_id, token = response_link(args.db, args.customer, args.recall)
    server = Server(args.db, workers=0).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": args.width, "height": 800})
            url = f"{server.url}/my/recall/{line_id}?access_token={token}"
            print(url)
            page.goto(url)
            page.wait_for_selector("form.o_trace_recall_answer_form")
            Path(args.screenshot).mkdir(parents=True, exist_ok=True)
            path = Path(args.screenshot) / "recall-response-page.png"
            page.screenshot(path=str(path), full_page=True)
            print(f"saved {path}")
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
