#!/usr/bin/env python3
"""Benchmark the trace engine side by side with Odoo's own downstream trace.

One run: a fresh database (the add-ons installed without demo data through the
launcher), a generated genealogy of ``--lines`` done move lines (``generate.py``), then,
as the admin user (not superuser) and on the same sample of lots (the widest lot, raw
materials with a high fan-out, intermediates, finished goods), the median of
``--repeat`` runs, the ORM cache emptied before each:

1. ``stock.lot.trace_forward`` against Odoo's own downstream trace, what
   ``stock.lot.delivery_ids`` computes (``odoo_trace_method``: 18.0's recursive
   ``_find_delivery_ids_by_lot``, 19.0's ``_find_delivery_ids_by_lot_iterative``): the
   ratio, and whether our deliveries contain Odoo's. Odoo's is stopped after
   ``--odoo-timeout`` seconds (reported as such) and not repeated once stopped;
2. ``trace_backward``; and for the widest lot ``trace_graph`` (the trace map, grouped as
   the map is drawn), beside its ``trace_forward``, with the size of its JSON (and of the
   map not grouped);
3. a recall of the widest lot: ``action_compute`` (in the foreground) and
   ``action_export_xlsx``, rolled back after each run;
4. the genealogy backfill over the whole database, as on install
   (``trace.lot.link._sync_productions()`` on an empty genealogy, committed);
5. the memory of the export: that recall computed and committed, then exported by a fresh
   process (nothing computed before hides or inflates its memory), the growth of its
   resident set size sampled every 2 ms (and of its ``ru_maxrss``); the recall is deleted.

It prints a table and writes the figures as JSON. The database (by default
``trace_bench_<lines>``, ``trace_bench_<lines>_19`` on Odoo 19.0: ``odoo_env.db_name``) is
dropped at the end unless ``--keep-db``; ``--reuse`` measures an existing generated database
again. It runs on the Odoo series the launcher picks (``ODOO=18`` or ``ODOO=19``).

Usage::

    python3 -m tools.bench.run                      # 1,000,000 lines (make bench)
    python3 -m tools.bench.run --lines 100000 --json bench-results-100k.json
    ODOO=19 python3 -m tools.bench.run              # on Odoo 19.0 (make bench ODOO=19)
"""

import argparse
import gc
import json
import logging
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

from tools import odoo_env
from tools.bench import generate
from tools.bench.report import duration, odoo_cell, run_text, write_figures

INSTALL = ("trace_compliance", "trace_recall")
LOT_NAME = r"^[A-Z]+[0-9]*-[0-9]{4}-[0-9]{2}$"  # the generator's lot names: CODE-DAY-NN


class OdooTimeout(Exception):
    pass


def log(message):
    print(message, flush=True)


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - started, result


def median(values):
    return round(statistics.median(values), 4) if values else None


# ----------------------------------------------------------------------
# database
# ----------------------------------------------------------------------
def create_database(dbname, modules=INSTALL):
    """Drop ``dbname``, then install ``modules`` (the add-ons) on it without demo data (the
    launcher)."""
    odoo_env.import_odoo()
    odoo_env.ensure_role()
    odoo_env.drop_db(dbname)
    logdir = Path(odoo_env.data_dir()) / "logs"
    logdir.mkdir(parents=True, exist_ok=True)
    logfile = logdir / f"install-{dbname}.log"
    args = ["-i", ",".join(modules), *odoo_env.demo_options(False), "--stop-after-init", "--log-level=warn"]
    with open(logfile, "w", encoding="utf-8") as output:
        rc = subprocess.call(odoo_env.odoo_command(dbname, *args), stdout=output, stderr=subprocess.STDOUT)
    problems = odoo_env.install_problems(logfile.read_text(encoding="utf-8"))
    if rc or problems:
        sys.exit(f"Installing {', '.join(modules)} on {dbname!r} failed (exit {rc}): see {logfile}")


def machine(cr):
    import psutil  # noqa: PLC0415  (an Odoo requirement)

    cpu = platform.processor()
    try:
        for text in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cr.execute("SHOW server_version")
    pg_version = cr.fetchone()[0]
    cr.execute("SHOW shared_buffers")
    shared_buffers = cr.fetchone()[0]
    import odoo  # noqa: PLC0415

    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "postgresql": pg_version,
        "shared_buffers": shared_buffers,
        "python": platform.python_version(),
        "odoo": odoo.release.version,
        "system": f"{platform.system()} {platform.release()}",
    }


def describe(dbname):
    """What a generated database holds (for ``--reuse``: no generation time)."""
    counts = {
        "lines": "SELECT COUNT(*) FROM stock_move_line WHERE state = 'done'",
        "moves": "SELECT COUNT(*) FROM stock_move WHERE state = 'done'",
        "lots": "SELECT COUNT(*) FROM stock_lot",
        "productions": "SELECT COUNT(*) FROM mrp_production WHERE state = 'done'",
        "pickings": "SELECT COUNT(*) FROM stock_picking WHERE state = 'done'",
        "receipts": "SELECT COUNT(*) FROM stock_picking p JOIN stock_picking_type t ON t.id = p.picking_type_id "
        "WHERE p.state = 'done' AND t.code = 'incoming'",
        "deliveries": "SELECT COUNT(*) FROM stock_picking p JOIN stock_picking_type t ON t.id = p.picking_type_id "
        "WHERE p.state = 'done' AND t.code = 'outgoing'",
        "consume_links": "SELECT COUNT(*) FROM stock_move_line_consume_rel",
        "quants": "SELECT COUNT(*) FROM stock_quant",
        "customers": "SELECT COUNT(DISTINCT p.partner_id) FROM stock_picking p JOIN stock_picking_type t "
        "ON t.id = p.picking_type_id WHERE t.code = 'outgoing'",
    }
    summary = {key: odoo_env.db_query(dbname, query)[0][0] for key, query in counts.items()}
    return {**summary, "levels": max(generate.LEVELS), "seconds": None, "install_s": None}


# ----------------------------------------------------------------------
# measurements
# ----------------------------------------------------------------------
def measure_backfill(registry, repeat):
    """The install backfill over the whole database, from an empty genealogy, committed."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    runs, links = [], 0
    for _run in range(repeat):
        with registry.cursor() as cr:
            # An empty genealogy, as before install (the explorer's transient lines refer to it).
            cr.execute("TRUNCATE trace_lot_link, trace_genealogy_explore_line")
            cr.commit()
            env = api.Environment(cr, SUPERUSER_ID, {})
            started = time.perf_counter()
            links = env["trace.lot.link"]._sync_productions()
            cr.commit()
            runs.append(time.perf_counter() - started)
        log(f"  backfill: {links} links in {runs[-1]:.2f}s")
    # What autovacuum does after a bulk insert (statistics, visibility map for index-only scans).
    vacuum(registry.db_name, "trace_lot_link")
    return {"links": links, "seconds": median(runs), "runs": [round(r, 3) for r in runs]}


def vacuum(dbname, table):
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    conn = psycopg2.connect(dbname=dbname, **odoo_env.pg_settings())
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(sql.SQL("VACUUM ANALYZE {}").format(sql.Identifier(table)))
    conn.close()


def select_sample(cr):
    """(kind, lot id, lot name) of the lots traced: the widest lot of the database, then,
    around one day the same at every size (day 40, or the middle of a small database),
    the two raw-material lots with the highest fan-out, a blend and a semi-finished lot
    (intermediates) and the two finished-good lots delivered most."""
    cr.execute("SELECT MAX(split_part(name, '-', 2)::int) FROM stock_lot WHERE name ~ %s", [LOT_NAME])
    day = min(40, (cr.fetchone()[0] or 0) // 2)
    fan_out = """
        SELECT lot.id, lot.name
          FROM stock_lot lot
          JOIN product_product product ON product.id = lot.product_id
          LEFT JOIN stock_move_line line ON line.lot_id = lot.id AND line.state = 'done'
          LEFT JOIN stock_move move ON move.id = line.move_id
         WHERE product.default_code LIKE %(code)s AND lot.name ~ %(pattern)s
           AND split_part(lot.name, '-', 2)::int BETWEEN %(first)s AND %(last)s
      GROUP BY lot.id, lot.name
      ORDER BY COUNT(DISTINCT move.raw_material_production_id) DESC, lot.name
         LIMIT %(limit)s
    """
    sample = []
    cr.execute(
        """
        SELECT line.lot_id, lot.name
          FROM stock_move_line line
          JOIN stock_move move ON move.id = line.move_id
          JOIN stock_lot lot ON lot.id = line.lot_id
         WHERE move.raw_material_production_id IS NOT NULL AND line.state = 'done'
      GROUP BY line.lot_id, lot.name
      ORDER BY COUNT(DISTINCT move.raw_material_production_id) DESC, lot.name
         LIMIT 1
        """
    )
    sample += [("widest", *row) for row in cr.fetchall()]
    for kind, code, first, limit in (
        ("raw material", "RM%", max(day - 4, 0), 2),
        ("intermediate", "BL%", day, 1),
        ("intermediate", "SF%", day, 1),
    ):
        cr.execute(fan_out, {"code": code, "pattern": LOT_NAME, "first": first, "last": day, "limit": limit})
        sample += [(kind, *row) for row in cr.fetchall()]
    cr.execute(
        """
        SELECT lot.id, lot.name
          FROM stock_lot lot
          JOIN product_product product ON product.id = lot.product_id
          LEFT JOIN stock_move_line line ON line.lot_id = lot.id AND line.picking_id IS NOT NULL
         WHERE product.default_code LIKE 'FG%%' AND lot.name ~ %s AND split_part(lot.name, '-', 2)::int = %s
      GROUP BY lot.id, lot.name
      ORDER BY COUNT(line.id) DESC, lot.name
         LIMIT 2
        """,
        [LOT_NAME, day],
    )
    sample += [("finished good", *row) for row in cr.fetchall()]
    return day, sample


def odoo_trace_method(lots):
    """Odoo's own downstream trace of ``lots``, as ``stock.lot.delivery_ids`` computes it:
    19.0's ``_find_delivery_ids_by_lot_iterative`` where the model has it, else 18.0's
    recursive ``_find_delivery_ids_by_lot`` (both: {lot id: delivery ids})."""
    return getattr(lots, "_find_delivery_ids_by_lot_iterative", None) or lots._find_delivery_ids_by_lot


def odoo_trace(lot, timeout):
    """Odoo's own downstream trace of ``lot`` (seconds, delivery ids), stopped after ``timeout``."""

    def expire(_signum, _frame):
        raise OdooTimeout

    # The alarm may interrupt one of its queries: Odoo would log it as a bad query.
    sql_logger = logging.getLogger("odoo.sql_db")
    level = sql_logger.level
    sql_logger.setLevel(logging.CRITICAL)
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    started = time.perf_counter()
    try:
        result = odoo_trace_method(lot)()[lot.id]
        return time.perf_counter() - started, result
    except OdooTimeout:
        lot.env.cr.rollback()  # only reads were done: a clean transaction for what follows
        return None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        sql_logger.setLevel(level)


def read_result(env, trace):
    """The records of ``trace`` read back by id with the ORM's ``search``."""
    return [
        env[model].with_context(active_test=False).search([("id", "in", trace[key])])
        for model, key in (
            ("stock.lot", "lot_ids"),
            ("mrp.production", "production_ids"),
            ("stock.picking", "picking_ids"),
            ("res.partner", "partner_ids"),
        )
    ]


def measure_lot(env, kind, lot_id, repeat, odoo_timeout):
    lot = env["stock.lot"].browse(lot_id)
    name = lot.name
    forward_runs, backward_runs, odoo_runs = [], [], []
    forward = backward = None
    for _run in range(repeat):
        env.invalidate_all()
        seconds, forward = timed(lot.trace_forward)
        forward_runs.append(seconds)
    for _run in range(repeat):
        env.invalidate_all()
        seconds, backward = timed(lot.trace_backward)
        backward_runs.append(seconds)
    # The least any trace answering with these records costs: the ORM reading them by id,
    # access rights and record rules applied (a search per model, cache emptied as above).
    orm_read_runs = []
    for _run in range(repeat):
        env.invalidate_all()
        seconds, _records = timed(read_result, env, forward)
        orm_read_runs.append(seconds)
    odoo_deliveries, timed_out = None, False
    for _run in range(repeat):
        env.invalidate_all()
        seconds, deliveries = odoo_trace(lot, odoo_timeout)
        env.invalidate_all()
        if seconds is None:
            timed_out = True
            break
        odoo_runs.append(seconds)
        odoo_deliveries = deliveries
    reached = [lot_id, *forward["lot_ids"]]
    env.cr.execute(
        "SELECT COUNT(*) FROM stock_move_line WHERE lot_id = ANY(%s) AND state = 'done'",
        [reached],
    )
    move_lines = env.cr.fetchone()[0]
    env.cr.execute(
        """
        SELECT COUNT(DISTINCT move.raw_material_production_id)
          FROM stock_move_line line JOIN stock_move move ON move.id = line.move_id
         WHERE line.lot_id = %s AND line.state = 'done'
        """,
        [lot_id],
    )
    fan_out = env.cr.fetchone()[0]
    ours = median(forward_runs)
    theirs = median(odoo_runs) if not timed_out else None
    result = {
        "kind": kind,
        "lot": name,
        "fan_out": fan_out,
        "reached_lots": len(forward["lot_ids"]),
        "reached_move_lines": move_lines,
        "deliveries": len(forward["picking_ids"]),
        "customers": len(forward["partner_ids"]),
        "forward_s": ours,
        "forward_runs": [round(r, 4) for r in forward_runs],
        "orm_read_s": median(orm_read_runs),
        "orm_read_runs": [round(r, 4) for r in orm_read_runs],
        "backward_s": median(backward_runs),
        "backward_lots": len(backward["lot_ids"]),
        "backward_runs": [round(r, 4) for r in backward_runs],
        "odoo_s": theirs,
        "odoo_timed_out": timed_out,
        "odoo_timeout_s": odoo_timeout,
        "odoo_runs": [round(r, 4) for r in odoo_runs],
        "odoo_deliveries": None if odoo_deliveries is None else len(odoo_deliveries),
        # Lower bound of the ratio when Odoo's trace was stopped.
        "ratio": round((theirs or odoo_timeout) / ours, 1) if ours else None,
        "contains_odoo": None if odoo_deliveries is None else set(odoo_deliveries) <= set(forward["picking_ids"]),
    }
    if kind == "widest":
        result.update(measure_graph(env, lot_id, repeat))
        log(
            f"  trace map of {name}: {result['graph_nodes']:,} nodes, {result['graph_edges']:,} edges, "
            f"{result['graph_bytes'] / 1024:.0f} KiB in {duration(result['graph_s'])} "
            f"(not grouped: {result['graph_ungrouped_nodes']:,} nodes, "
            f"{result['graph_ungrouped_bytes'] / 1024:.0f} KiB)"
        )
    log(
        f"  {kind:13} {name:13} {result['reached_lots']:6} lots {result['deliveries']:6} deliveries: "
        f"ours {duration(ours)}, reading them {duration(result['orm_read_s'])}, Odoo {odoo_cell(result)}, "
        f"backward {duration(result['backward_s'])}"
    )
    return result


def measure_graph(env, lot_id, repeat):
    """``trace_graph`` of ``lot_id`` (forward, grouped by the default threshold): the median
    of ``repeat`` runs, the ORM cache emptied before each, and the size of its JSON as a
    browser receives it (and of the same map not grouped, once)."""
    lot = env["stock.lot"].browse(lot_id)
    runs, graph = [], None
    for _run in range(repeat):
        env.invalidate_all()
        seconds, graph = timed(lot.trace_graph)
        runs.append(seconds)
    env.invalidate_all()
    ungrouped_s, ungrouped = timed(lot.trace_graph, group_threshold=0)
    groups = [node for node in graph["nodes"] if node["kind"] == "group"]
    return {
        "graph_s": median(runs),
        "graph_runs": [round(r, 4) for r in runs],
        "graph_nodes": len(graph["nodes"]),
        "graph_edges": len(graph["edges"]),
        "graph_groups": len(groups),
        "graph_grouped_members": sum(group["count"] for group in groups),
        "graph_columns": len({node["column"] for node in graph["nodes"]}),
        "graph_bytes": len(json.dumps(graph, separators=(",", ":")).encode()),
        "graph_ungrouped_s": round(ungrouped_s, 4),
        "graph_ungrouped_nodes": len(ungrouped["nodes"]),
        "graph_ungrouped_edges": len(ungrouped["edges"]),
        "graph_ungrouped_bytes": len(json.dumps(ungrouped, separators=(",", ":")).encode()),
    }


def new_recall(env, lot_id):
    return (
        env["trace.recall"]
        .create({"lot_ids": [(6, 0, [lot_id])], "reason": "Benchmark", "is_drill": True})
        .with_context(trace_recall_foreground=True)
    )


def xlsx_rows(env, recall):
    """Rows per sheet of the recall's latest spreadsheet, counted in the file itself."""
    attachment = env["ir.attachment"].search(
        [("res_model", "=", "trace.recall"), ("res_id", "=", recall.id)], order="id desc", limit=1
    )
    path = attachment._full_path(attachment.store_fname)
    rows = {}
    with zipfile.ZipFile(path) as archive:
        import re  # noqa: PLC0415

        names = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
        for number, name in enumerate(names, start=1):
            count = 0
            with archive.open(f"xl/worksheets/sheet{number}.xml") as sheet:
                while chunk := sheet.read(1 << 20):
                    count += chunk.count(b"<row ")
            rows[name] = count
    return rows, attachment.file_size


def measure_recall(registry, lot_id, repeat):
    """Recall of ``lot_id``: compute and export, each run rolled back."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    compute_runs, export_runs, facts = [], [], {}
    for _run in range(repeat):
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env = env(user=env.ref("base.user_admin"))
            recall = new_recall(env, lot_id)
            env.invalidate_all()
            seconds, _result = timed(recall.action_compute)
            compute_runs.append(seconds)
            env.invalidate_all()
            seconds, _result = timed(recall.action_export_xlsx)
            export_runs.append(seconds)
            rows, size = xlsx_rows(env, recall)
            facts = {
                "affected_lots": recall.affected_lot_count,
                "deliveries": recall.delivery_count,
                "delivery_lines": len(recall.delivery_ids),
                "customers": recall.customer_count,
                "xlsx_rows": rows,
                "xlsx_rows_total": sum(rows.values()),
                "xlsx_bytes": size,
            }
            cr.rollback()
        log(f"  recall: compute {compute_runs[-1]:.2f}s, export {export_runs[-1]:.2f}s")
    return {
        **facts,
        "compute_s": median(compute_runs),
        "compute_runs": [round(r, 3) for r in compute_runs],
        "export_s": median(export_runs),
        "export_runs": [round(r, 3) for r in export_runs],
    }


def export_memory(dbname, recall_id):
    """In this fresh process: export the (computed) recall while sampling the resident
    set size every 2 ms; rolled back. Returns the growth in MiB."""
    import psutil  # noqa: PLC0415

    registry = generate.load_registry(dbname)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    process = psutil.Process()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin"))
        recall = env["trace.recall"].browse(recall_id)
        recall.name  # noqa: B018  (loaded before the baseline)
        gc.collect()
        baseline = process.memory_info().rss
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak, done = [baseline], threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                time.sleep(0.002)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        seconds, _result = timed(recall.action_export_xlsx)
        done.set()
        sampler.join()
        peak[0] = max(peak[0], process.memory_info().rss)
        maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        cr.rollback()
    return {
        "export_s": round(seconds, 3),
        "rss_before_mib": round(baseline / 2**20, 1),
        "rss_peak_mib": round(peak[0] / 2**20, 1),
        "rss_growth_mib": round((peak[0] - baseline) / 2**20, 1),
        "maxrss_growth_mib": round((maxrss_after - maxrss_before) / 1024, 1),
    }


def measure_export_memory(registry, lot_id):
    """A recall of ``lot_id`` computed and committed here, exported by a fresh process
    (so nothing computed before inflates or hides its memory), then deleted."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin"))
        recall = new_recall(env, lot_id)
        recall.action_compute()
        cr.commit()
        recall_id = recall.id
    try:
        output = subprocess.run(
            [sys.executable, "-m", "tools.bench.run", "--db", registry.db_name, "--export-memory", str(recall_id)],
            cwd=odoo_env.REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        with registry.cursor() as cr:
            # A benchmark recall, not evidence: its lines go with it (ON DELETE CASCADE).
            cr.execute("DELETE FROM trace_recall WHERE id = %s", [recall_id])
    return json.loads(output.strip().splitlines()[-1])


def measure(dbname, repeat, odoo_timeout):
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    registry = generate.load_registry(dbname)
    # Other work on the machine shows here (1-minute, 5-minute, 15-minute load averages).
    results = {"load_average": {"start": os.getloadavg()}}
    with registry.cursor() as cr:
        results["machine"] = machine(cr)
        env = api.Environment(cr, SUPERUSER_ID, {})
        results["odoo_method"] = odoo_trace_method(env["stock.lot"]).__name__
    log("genealogy backfill (as on install)")
    results["backfill"] = measure_backfill(registry, repeat)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin"))
        day, sample = select_sample(cr)
        results["sample_day"] = day
        log(f"traces: {len(sample)} lots, median of {repeat} runs")
        results["lots"] = [measure_lot(env, kind, lot_id, repeat, odoo_timeout) for kind, lot_id, _name in sample]
        cr.rollback()
    widest = sample[0]
    log(f"recall of the widest lot {widest[2]}")
    results["recall"] = {"lot": widest[2], **measure_recall(registry, widest[1], repeat)}
    log("export memory (fresh process)")
    results["recall"]["memory"] = measure_export_memory(registry, widest[1])
    results["load_average"]["end"] = os.getloadavg()
    return results


# ----------------------------------------------------------------------
# report
# ----------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=1_000_000, help="done move lines to generate (default 1,000,000)")
    parser.add_argument("--db", help="database (default trace_bench_<lines>, on 19.0 trace_bench_<lines>_19)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each measurement (median; default 5)")
    parser.add_argument(
        "--odoo-timeout", type=float, default=60.0, help="seconds after which Odoo's own trace is stopped (default 60)"
    )
    parser.add_argument("--json", default="bench-results.json", help="the figures' file (default bench-results.json)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing generated database")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--export-memory", type=int, metavar="RECALL_ID", help=argparse.SUPPRESS)
    args = parser.parse_args()
    odoo_env.import_odoo()  # in the interpreter of the series asked for (ODOO), from here on
    dbname = args.db or odoo_env.db_name(f"trace_bench_{args.lines}")
    if args.export_memory:
        print(json.dumps(export_memory(dbname, args.export_memory)))
        return
    results = {"lines_requested": args.lines, "repeat": args.repeat, "odoo_timeout_s": args.odoo_timeout}
    try:
        if args.reuse:
            results["dataset"] = describe(dbname)
        else:
            log(f"database {dbname}: installing {', '.join(INSTALL)} (no demo data)")
            install_s, _rc = timed(create_database, dbname)
            log(f"installed in {install_s:.0f}s; generating {args.lines:,} move lines")
            results["dataset"] = {**generate.generate(dbname, args.lines, args.seed, log=log), "install_s": install_s}
        results.update(measure(dbname, args.repeat, args.odoo_timeout))
    finally:
        if not args.keep_db:
            odoo_env.drop_db(dbname)
    results["database_dropped"] = not args.keep_db
    write_figures(args.json, results, run_text(results), log)


if __name__ == "__main__":
    main()
