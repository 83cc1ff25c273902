#!/usr/bin/env python3
"""Benchmark Odoo's reservation with and without the add-ons: a delivery of ``--lines``
lines reserved among ``--lots`` lots on hand.

Two fresh databases without demo data: one with Odoo's modules that ``trace_compliance``
extends (``stock``, ``mrp``, ``product_expiry``), one with ``trace_compliance``. Each gets
the same data: ``--lines`` lot-tracked products, ``--lots`` lots spread evenly over them,
10 units of each lot in stock (lots and quants inserted with SQL; products and the delivery
with the ORM). With the add-ons, the oldest lot of every product (the one FIFO takes first)
is put on hold, so the reservation must skip it. The delivery asks for 25 units of each
product (three lots each). Measured, as the admin user: ``action_assign`` of the delivery,
``--repeat`` times, each rolled back (the ORM cache emptied before each), the median and the
fastest call and the number of SQL queries; and what was reserved (lines, held lots taken).

Usage::

    python3 -m tools.bench.reserve                       # 1,000 lines, 10,000 lots
    ODOO=19 python3 -m tools.bench.reserve --json reserve-19.json
"""

import argparse
import json
import statistics
import time

from tools import odoo_env
from tools.bench import generate
from tools.bench.report import write_figures
from tools.bench.run import create_database

CORE = ("stock", "mrp", "product_expiry")
ADDONS = ("trace_compliance",)
LOT_QTY = 10
DEMAND = 25


def log(message):
    print(message, flush=True)


def populate(env, lines, lots, hold):
    """Products, lots and quants; the delivery, confirmed. Returns the delivery's id and the
    ids of the lots on hold."""
    cr = env.cr
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    stock = warehouse.lot_stock_id
    products = env["product.product"].create(
        [
            {"name": f"Bench Reserve {index:05d}", "type": "consu", "is_storable": True, "tracking": "lot"}
            for index in range(lines)
        ]
    )
    env.flush_all()
    per_product = lots // lines
    # With the add-ons a lot has a quality status (required): released, as a new lot.
    cr.execute(
        """
        INSERT INTO stock_lot (name, product_id, company_id, create_uid, create_date, write_uid, write_date)
        SELECT 'BR-' || p.id || '-' || n, p.id, %(company)s, 1, now(), 1, now()
          FROM unnest(%(products)s::int[]) AS p(id), generate_series(1, %(per)s) AS n
        """
        if not hold
        else """
        INSERT INTO stock_lot (name, product_id, company_id, quality_status,
                               create_uid, create_date, write_uid, write_date)
        SELECT 'BR-' || p.id || '-' || n, p.id, %(company)s, 'released', 1, now(), 1, now()
          FROM unnest(%(products)s::int[]) AS p(id), generate_series(1, %(per)s) AS n
        """,
        {"company": env.company.id, "products": products.ids, "per": per_product},
    )
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, lot_id, company_id, quantity, reserved_quantity,
                                 in_date, create_uid, create_date, write_uid, write_date)
        SELECT l.product_id, %(stock)s, l.id, %(company)s, %(qty)s, 0,
               now() - interval '1 second' * (1000000 - l.id), 1, now(), 1, now()
          FROM stock_lot l WHERE l.product_id = ANY(%(products)s)
        """,
        {"stock": stock.id, "company": env.company.id, "qty": LOT_QTY, "products": products.ids},
    )
    held = []
    if hold:
        # The oldest lot of each product: the one FIFO would reserve first.
        cr.execute(
            """
            UPDATE stock_lot SET quality_status = 'on_hold', quality_status_reason = 'Benchmark hold'
             WHERE id IN (SELECT min(id) FROM stock_lot WHERE product_id = ANY(%s) GROUP BY product_id)
            RETURNING id
            """,
            [products.ids],
        )
        held = [row[0] for row in cr.fetchall()]
        # The quants carry their lot's status (stored by the ORM; these were inserted with SQL).
        env["stock.quant"]._trace_fill_lot_quality_status()
    env.invalidate_all()
    move_values = {"name": "Bench"} if "name" in env["stock.move"]._fields else {}
    customer = env.ref("stock.stock_location_customers")
    delivery = env["stock.picking"].create(
        {
            "picking_type_id": warehouse.out_type_id.id,
            "location_id": stock.id,
            "location_dest_id": customer.id,
            "move_ids": [
                (
                    0,
                    0,
                    {
                        **move_values,
                        "product_id": product.id,
                        "product_uom_qty": DEMAND,
                        "product_uom": product.uom_id.id,
                        "location_id": stock.id,
                        "location_dest_id": customer.id,
                    },
                )
                for product in products
            ],
        }
    )
    delivery.action_confirm()
    # Confirming reserves a delivery (its operation type reserves at confirmation): undone,
    # so that the measured action_assign does the reservation.
    delivery.do_unreserve()
    return delivery.id, held


def measure(dbname, modules, lines, lots, repeat):
    registry = generate.load_registry(dbname)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        started = time.perf_counter()
        delivery_id, held = populate(env, lines, lots, hold="trace_compliance" in modules)
        cr.commit()
        populate_s = time.perf_counter() - started
        cr.execute("ANALYZE stock_quant")
        cr.execute("ANALYZE stock_lot")
        env = env(user=env.ref("base.user_admin"))
        runs, queries, reserved = [], [], None
        for _run in range(repeat):
            cr.execute("SAVEPOINT bench_reserve")
            env.invalidate_all()
            delivery = env["stock.picking"].browse(delivery_id)
            before = cr.sql_log_count
            started = time.perf_counter()
            delivery.action_assign()
            env.flush_all()
            runs.append((time.perf_counter() - started) * 1000)
            queries.append(cr.sql_log_count - before)
            move_lines = delivery.move_ids.move_line_ids
            reserved = {
                "state": delivery.state,
                "move_lines": len(move_lines),
                "quantity": sum(move_lines.mapped("quantity")),
                "held_lots_reserved": len(set(move_lines.lot_id.ids) & set(held)),
            }
            cr.execute("ROLLBACK TO SAVEPOINT bench_reserve")
        cr.rollback()
    return {
        "modules": list(modules),
        "lines": lines,
        "lots": lots,
        "lots_on_hold": len(held),
        "populate_s": round(populate_s, 1),
        "reserve_median_ms": round(statistics.median(runs), 1),
        "reserve_fastest_ms": round(min(runs), 1),
        "queries": int(statistics.median(queries)),
        "reserved": reserved,
    }


def table(results):
    rows = [
        ("", "Odoo (stock, mrp, product_expiry)", "with trace_compliance"),
        *(
            (label, *(str(side[key]) for side in (results["odoo"], results["trace"])))
            for label, key in (
                ("lots on hand / on hold", "lots_on_hold"),
                ("action_assign, median (ms)", "reserve_median_ms"),
                ("action_assign, fastest (ms)", "reserve_fastest_ms"),
                ("SQL queries", "queries"),
            )
        ),
        (
            "reserved: lines, held lots taken",
            *(
                f"{side['reserved']['move_lines']}, {side['reserved']['held_lots_reserved']}"
                for side in (results["odoo"], results["trace"])
            ),
        ),
    ]
    rows[1] = (
        "lots on hand / on hold",
        *(f"{side['lots']:,} / {side['lots_on_hold']:,}" for side in (results["odoo"], results["trace"])),
    )
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1000, help="delivery lines, one product each (default 1,000)")
    parser.add_argument("--lots", type=int, default=10000, help="lots on hand (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="reservations measured (median; default 5)")
    parser.add_argument("--json", default="reserve-results.json", help="the figures' file")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the databases at the end")
    args = parser.parse_args()
    odoo_env.import_odoo()
    results = {"series": odoo_env.requested_version(), "repeat": args.repeat}
    for key, modules in (("odoo", CORE), ("trace", ADDONS)):
        dbname = odoo_env.db_name(f"trace_bench_reserve_{key}")
        log(f"database {dbname}: installing {', '.join(modules)} (no demo data)")
        create_database(dbname, modules)
        try:
            results[key] = measure(dbname, modules, args.lines, args.lots, args.repeat)
            log(json.dumps(results[key]))
        finally:
            if not args.keep_db:
                odoo_env.drop_db(dbname)
    write_figures(args.json, results, table(results), log)


if __name__ == "__main__":
    main()
