#!/usr/bin/env python3
"""Load test: many users at once on Odoo's multi-process server, readers and writers.

Serves a database with ``--workers`` worker processes (Odoo's prefork server, crons off)
and drives it for ``--duration`` seconds with concurrent clients, each in its own thread
and session:

- readers (``--clients``), calls chosen at random by weight: ``trace_forward`` over
  JSON-RPC (``/jsonrpc``), ``trace_backward`` and ``trace_graph`` through the web client's
  ``/web/dataset/call_kw``, the warranty lookup of a serial, a genealogy explorer search,
  and now and then a recall drill computed and exported to a spreadsheet;
- writers (``--writers``), each in a loop: a component lot received, a manufacturing
  order consuming it taken to done (genealogy links written while others trace), its batch
  record signed, the finished lot put on hold and released again.

It prints and writes (``--json``) calls per second and the p50 / p95 / p99 latency of
each kind, the errors (a serialization failure is retried by Odoo; the client must never
see one), the retries Odoo logged, PostgreSQL's own counters for the database
(``pg_stat_database``: commits, rollbacks, deadlocks, conflicts) and, with a standby
(``--replica-port``), the share of the reads it served. At the end it checks that no write
was lost: every order done has its genealogy links, every signature its record.

The database is the benchmark's (``tools/bench``: the add-ons without demo data,
``--lines`` generated done move lines, the genealogy filled as on install) with
``trace_warranty`` added, ``trace_load_<lines>``, made when missing; or any database
(``--db``).

Usage::

    python3 -m tools.loadtest                          # 100,000 lines, 4 workers, 60 s (make loadtest)
    python3 -m tools.loadtest --lines 1000000 --workers 4 --clients 12 --duration 120 --json load.json
    python3 -m tools.loadtest --replica-port 5433      # reads on a standby (python3 -m tools.replica start)
"""

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
import xmlrpc.client
from collections import defaultdict
from pathlib import Path

from tools import odoo_env
from tools.harness import PASSWORD, Server, World, prepare_production, receive
from tools.odoo_rpc import JsonRpc, RpcError, WebSession, XmlRpc

# Readers' calls and their weights.
READS = {
    "trace_forward": 30,
    "trace_backward": 25,
    "trace_graph": 10,
    "warranty_lookup": 15,
    "explorer_search": 15,
    "recall_drill": 2,
}
# Odoo's log line when it retries a transaction (odoo/service/model.py: "SERIALIZATION_FAILURE,
# 4 tries left, try again in 0.5 sec...", also for deadlocks and lock timeouts).
RETRY_LOG = re.compile(r"odoo\.service\.model: (\w+), \d+ tries left")


# ----------------------------------------------------------------------
# what the clients work on
# ----------------------------------------------------------------------
def sample(dbname, size=400, seed=1):
    """Lots to trace (of every level), serial numbers to look up, lot names to search."""
    rows = odoo_env.db_query(
        dbname,
        """SELECT lot.id, lot.name, product.tracking
             FROM stock_lot lot
             JOIN product_product pp ON pp.id = lot.product_id
             JOIN product_template product ON product.id = pp.product_tmpl_id
            WHERE EXISTS (SELECT FROM stock_move_line line WHERE line.lot_id = lot.id AND line.state = 'done')
         ORDER BY md5(lot.id::text || %s)
            LIMIT %s""",
        (str(seed), size),
    )
    if not rows:
        raise RuntimeError(f"{dbname} has no lot with a done move: nothing to trace")
    serials = [name for _id, name, tracking in rows if tracking == "serial"] or [rows[0][1]]
    return {"lots": [(lot_id, name) for lot_id, name, _tracking in rows], "serials": serials}


# ----------------------------------------------------------------------
# the clients
# ----------------------------------------------------------------------
class Recorder:
    """Latencies and errors by kind of call, from every thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(list)

    def call(self, kind, function, *args, **kwargs):
        started = time.perf_counter()
        try:
            result = function(*args, **kwargs)
        except (RpcError, xmlrpc.client.Fault, OSError, AssertionError) as error:
            with self.lock:
                self.errors[kind].append(_error_text(error))
            return None
        elapsed = time.perf_counter() - started
        with self.lock:
            self.latencies[kind].append(elapsed)
        return result


def _error_text(error):
    if isinstance(error, xmlrpc.client.Fault):
        return error.faultString.strip().splitlines()[-1][:300]
    return f"{type(error).__name__}: {error}"[:300]


def reader(url, dbname, login, password, lots, serials, deadline, recorder, seed, index=0):
    """One user reading until ``deadline``: JSON-RPC for the traces an integration makes,
    the web client's call_kw for the rest. Reader ``index`` starts with the ``index``-th
    kind of call, so that however short the run, the first readers make each of the
    first kinds (the traces) at least once; then kinds are drawn by weight."""
    rng = random.Random(seed)
    integration = JsonRpc(url, dbname, login, password)
    web = WebSession(url, dbname, login, password)
    kinds, weights = list(READS), list(READS.values())
    first = kinds[index % len(kinds)]
    while time.monotonic() < deadline:
        kind, first = first or rng.choices(kinds, weights)[0], None
        lot_id, lot_name = rng.choice(lots)
        if kind == "trace_forward":
            recorder.call(kind, integration, "stock.lot", "trace_forward", [lot_id])
        elif kind == "trace_backward":
            recorder.call(kind, web, "stock.lot", "trace_backward", [lot_id])
        elif kind == "trace_graph":
            recorder.call(kind, web, "stock.lot", "trace_graph", [lot_id], direction="both")
        elif kind == "warranty_lookup":
            recorder.call(kind, _warranty_lookup, web, rng.choice(serials))
        elif kind == "explorer_search":
            recorder.call(kind, _explore, web, lot_name)
        elif kind == "recall_drill":
            recorder.call(kind, _drill, web, lot_id)


def _warranty_lookup(web, serial):
    try:
        return web("stock.lot", "warranty_lookup", serial)
    except RpcError as error:
        # A lot number is no serial: the lookup says so (a UserError), which is an answer.
        if error.name == "odoo.exceptions.UserError":
            return None
        raise


def _explore(web, term):
    explore_id = web("trace.genealogy.explore", "create", {"search_term": term})
    return web("trace.genealogy.explore", "action_search", [explore_id])


def _drill(web, lot_id):
    wizard = web(
        "trace.recall.start",
        "create",
        {"selection_mode": "lots", "lot_ids": [[6, 0, [lot_id]]], "reason": "Load test drill", "is_drill": True},
    )
    action = web("trace.recall.start", "action_start", [wizard])
    return web("trace.recall", "action_export_xlsx", [action["res_id"]])


def writer(url, dbname, world, index, deadline, recorder, produced):
    """One user writing until ``deadline``: receive, produce, sign, hold and release;
    ``produced`` collects the orders done and the signatures made (to verify them). Each
    writer has its own products (a production line of its own): orders of two writers
    never reserve each other's component lots, which this script's detailed operations
    would otherwise race for."""
    admin = XmlRpc(url, dbname, "admin", PASSWORD)  # a client per thread
    iteration = 0
    while time.monotonic() < deadline:
        iteration += 1
        lot_name = f"LD-{world.tag}-{index}-{iteration}"
        received = recorder.call("receipt", receive, admin, world, lot_name)
        if not received:
            continue
        done = recorder.call("mo_done", _produce, admin, world, received, f"{lot_name}-P")
        if not done:
            continue
        production_id, finished_lot = done
        produced["productions"].append((production_id, received, finished_lot))
        record = admin("trace.batch.record", "search", [["production_id", "=", production_id]])
        if record:
            signature = recorder.call("signature", admin, "trace.batch.record", "sign", record, "authored", PASSWORD)
            if signature:
                produced["signatures"].append(signature)
        recorder.call(
            "quality_status", admin, "stock.lot", "set_quality_status", [finished_lot], "on_hold", "Load test"
        )
        recorder.call(
            "quality_status", admin, "stock.lot", "set_quality_status", [finished_lot], "released", "Load test"
        )


def _produce(admin, world, component_lot, lot_name):
    production, lot = prepare_production(admin, world, component_lot, lot_name)
    result = admin("mrp.production", "button_mark_done", [production])
    assert result is True, f"marking the order of {lot_name} done opened {result}"
    return production, lot


def lag_probe(url, dbname, world, deadline, results):
    """With a standby: an order done on the primary, then at once its component lot traced
    through the web client (``@api.readonly``: read on the standby): is the new lot there
    at once, and if not, after how long."""
    admin, web = XmlRpc(url, dbname, "admin", PASSWORD), WebSession(url, dbname, "admin", PASSWORD)
    round_ = 0
    while time.monotonic() < deadline - 3:
        round_ += 1
        lot_name = f"LAG-{world.tag}-{round_}"
        component = receive(admin, world, lot_name)
        _production, finished = _produce(admin, world, component, f"{lot_name}-P")
        done = time.monotonic()
        at_once = None
        while time.monotonic() - done < 30:
            found = finished in web("stock.lot", "trace_forward", [component])["lot_ids"]
            at_once = found if at_once is None else at_once
            if found:
                break
            time.sleep(0.002)
        results.append({"visible_at_once": at_once, "visible_after_ms": round((time.monotonic() - done) * 1000, 1)})
        time.sleep(1)


def same_answers(url, dbname, lots):
    """The traces of ``lots`` read on the standby (web client, read-only) and on the
    primary (JSON-RPC): the lots that differ."""
    web = WebSession(url, dbname, "admin", PASSWORD)
    integration = JsonRpc(url, dbname, "admin", PASSWORD)
    different = []
    for lot_id, name in lots:
        for method in ("trace_forward", "trace_backward"):
            if web("stock.lot", method, [lot_id]) != integration("stock.lot", method, [lot_id]):
                different.append((name, method))
    return different


# ----------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------
def database_counters(dbname):
    rows = odoo_env.db_query(
        dbname,
        """SELECT xact_commit, xact_rollback, deadlocks, conflicts, tup_returned, tup_fetched
             FROM pg_stat_database WHERE datname = current_database()""",
    )
    return dict(
        zip(("commits", "rollbacks", "deadlocks", "conflicts", "rows_returned", "rows_fetched"), rows[0], strict=True)
    )


def index_scans(dbname, port):
    """Index scans of the genealogy and of the move lines (what a trace reads) on the
    server at ``port`` (the primary, or a standby: each counts its own)."""
    rows = odoo_env.pg_query(
        dbname,
        """SELECT COALESCE(SUM(idx_scan), 0) FROM pg_stat_user_tables
            WHERE relname IN ('trace_lot_link', 'stock_move_line')""",
        port=port,
    )
    return int(rows[0][0])


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def verify_writes(admin, produced):
    """Every order done has its genealogy links (component lot into finished lot), every
    signature answered is there."""
    missing = []
    for production_id, component_lot, finished_lot in produced["productions"]:
        links = admin(
            "trace.lot.link",
            "search_read",
            [["production_id", "=", production_id]],
            ["parent_lot_id", "child_lot_id"],
        )
        if not any(
            link["parent_lot_id"][0] == component_lot and link["child_lot_id"][0] == finished_lot for link in links
        ):
            missing.append(production_id)
    signatures = admin("trace.signature", "search_count", [["id", "in", produced["signatures"]]])
    return {
        "productions_done": len(produced["productions"]),
        "productions_without_links": len(missing),
        "signatures": len(produced["signatures"]),
        "signatures_missing": len(produced["signatures"]) - signatures,
    }


# ----------------------------------------------------------------------
# the run
# ----------------------------------------------------------------------
def run(dbname, workers=4, clients=8, writers=2, duration=60.0, replica_port=None, seed=1, logfile=None, log=print):
    """Serve ``dbname`` and load it; returns the figures (a dict)."""
    odoo_env.import_odoo()
    odoo_env.ensure_role()
    work = sample(dbname, seed=seed)
    server = Server(dbname, workers, replica_port, logfile).start()
    try:
        admin = XmlRpc(server.url, dbname, "admin", PASSWORD)
        tag = uuid.uuid4().hex[:6]
        # Each writer (and the lag probe) on a production line of its own, made before the clock starts.
        worlds = [World(admin, f"{tag}-{index}") for index in range(writers)]
        lag_world = World(admin, f"{tag}-lag") if replica_port else None
        log(
            f"{dbname}: {workers} workers, {clients} readers, {writers} writers, {duration:.0f} s"
            + (f", reads on the standby at port {replica_port}" if replica_port else "")
        )
        before = database_counters(dbname)
        primary_port = odoo_env.pg_settings()["port"]
        scans_before = [index_scans(dbname, port) for port in (primary_port, replica_port) if port]
        recorder, produced = Recorder(), {"productions": [], "signatures": []}
        started = time.monotonic()
        deadline = started + duration
        threads = [
            threading.Thread(
                target=reader,
                args=(
                    server.url,
                    dbname,
                    "admin",
                    PASSWORD,
                    work["lots"],
                    work["serials"],
                    deadline,
                    recorder,
                    seed + i,
                    i,
                ),
            )
            for i in range(clients)
        ] + [
            threading.Thread(target=writer, args=(server.url, dbname, worlds[i], i, deadline, recorder, produced))
            for i in range(writers)
        ]
        lags = []
        if replica_port:
            threads.append(threading.Thread(target=lag_probe, args=(server.url, dbname, lag_world, deadline, lags)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        after = database_counters(dbname)
        scans_after = [index_scans(dbname, port) for port in (primary_port, replica_port) if port]
        writes = verify_writes(admin, produced)
        different = same_answers(server.url, dbname, work["lots"][:50]) if replica_port else None
    finally:
        server.stop()
    retried = RETRY_LOG.findall(server.log_text())
    kinds = {}
    for kind in [*READS, "receipt", "mo_done", "signature", "quality_status"]:
        values = recorder.latencies.get(kind, [])
        errors = recorder.errors.get(kind, [])
        if not values and not errors:
            continue
        kinds[kind] = {
            "calls": len(values),
            "errors": len(errors),
            "per_s": round(len(values) / elapsed, 2),
            "p50_ms": _ms(percentile(values, 0.50)),
            "p95_ms": _ms(percentile(values, 0.95)),
            "p99_ms": _ms(percentile(values, 0.99)),
            "mean_ms": _ms(statistics.fmean(values)) if values else None,
        }
    calls = sum(kind["calls"] for kind in kinds.values())
    figures = {
        "db": dbname,
        "workers": workers,
        "clients": clients,
        "writers": writers,
        "duration_s": round(elapsed, 1),
        "replica_port": replica_port,
        "calls": calls,
        "calls_per_s": round(calls / elapsed, 2),
        "errors": sum(kind["errors"] for kind in kinds.values()),
        "error_samples": sorted({text for texts in recorder.errors.values() for text in texts})[:10],
        "retries_logged": len(retried),
        "retries_by_error": {code: retried.count(code) for code in sorted(set(retried))},
        "kinds": kinds,
        "database": {key: after[key] - before[key] for key in after},
        "writes": writes,
        "server_log": str(server.logfile),
    }
    if replica_port:
        figures["replication"] = {
            "traces_compared": 2 * min(50, len(work["lots"])),
            "different_answers": different,
            "orders_probed": len(lags),
            "new_lot_visible_at_once": sum(1 for lag in lags if lag["visible_at_once"]),
            "visible_after_ms": sorted(lag["visible_after_ms"] for lag in lags),
        }
    scans = [after - before for before, after in zip(scans_before, scans_after, strict=True)]
    figures["index_scans"] = {"primary": scans[0]}
    if replica_port:
        total = scans[0] + scans[1]
        figures["index_scans"].update(standby=scans[1], standby_share=round(scans[1] / total, 3) if total else None)
    return figures


def _ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def report(figures):
    lines = [
        f"{figures['db']}: {figures['workers']} workers, {figures['clients']} readers + {figures['writers']} "
        f"writers for {figures['duration_s']} s: {figures['calls']} calls, {figures['calls_per_s']} calls/s, "
        f"{figures['errors']} errors, {figures['retries_logged']} transactions retried by Odoo "
        f"{figures['retries_by_error'] or ''}",
        f"{'kind':<16}{'calls':>8}{'per s':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}",
    ]
    for kind, row in figures["kinds"].items():
        lines.append(
            f"{kind:<16}{row['calls']:>8}{row['per_s']:>8}{row['p50_ms'] or 0:>10}{row['p95_ms'] or 0:>10}"
            f"{row['p99_ms'] or 0:>10}{row['errors']:>8}"
        )
    db = figures["database"]
    lines.append(
        f"PostgreSQL: {db['commits']} commits, {db['rollbacks']} rollbacks, {db['deadlocks']} deadlocks, "
        f"{db['conflicts']} conflicts"
    )
    writes = figures["writes"]
    lines.append(
        f"Writes: {writes['productions_done']} orders done, {writes['productions_without_links']} without their "
        f"links; {writes['signatures']} signatures, {writes['signatures_missing']} missing"
    )
    scans = figures["index_scans"]
    if "standby" in scans:
        lines.append(
            f"Index scans of the genealogy and move lines: {scans['standby']} on the standby, "
            f"{scans['primary']} on the primary (standby share {scans['standby_share']})"
        )
    replication = figures.get("replication")
    if replication:
        lines.append(
            f"Standby: {len(replication['different_answers'])} different answers of {replication['traces_compared']} "
            f"traces; right after an order was done, its new lot was in the standby's trace at once "
            f"{replication['new_lot_visible_at_once']} times of {replication['orders_probed']} "
            f"(visible after {replication['visible_after_ms']} ms)"
        )
    for sample_text in figures["error_samples"]:
        lines.append(f"  error: {sample_text}")
    return "\n".join(lines)


def ensure_database(dbname, lines, log=print):
    """The benchmark's database of ``lines`` move lines, with ``trace_warranty`` too (for
    the warranty lookups) and its genealogy filled as on install; made when missing."""
    if odoo_env.db_query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)):
        return
    from tools.bench import generate  # noqa: PLC0415  (Odoo's registry, only when the database is made)
    from tools.bench import run as bench  # noqa: PLC0415

    log(f"{dbname}: installing the add-ons and generating {lines:,} move lines (tools/bench)")
    bench.create_database(dbname)
    args = ["-i", "trace_warranty", *odoo_env.demo_options(False), "--stop-after-init", "--log-level=warn"]
    subprocess.run(odoo_env.odoo_command(dbname, *args), check=True, capture_output=True)
    generate.generate(dbname, lines, 1, log=log)
    bench.measure_backfill(generate.load_registry(dbname), 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000, help="move lines of the generated database (100,000)")
    parser.add_argument("--db", help="database (default: trace_load_<lines>, generated when missing)")
    parser.add_argument("--workers", type=int, default=4, help="Odoo worker processes (default 4)")
    parser.add_argument("--clients", type=int, default=8, help="reading users at once (default 8)")
    parser.add_argument("--writers", type=int, default=2, help="writing users at once (default 2)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--replica-port", type=int, help="a hot standby of the database (python3 -m tools.replica)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    odoo_env.import_odoo()
    odoo_env.ensure_role()
    dbname = args.db or f"trace_load_{args.lines}"
    if not args.db:
        ensure_database(dbname, args.lines)
    figures = run(dbname, args.workers, args.clients, args.writers, args.duration, args.replica_port, args.seed)
    print(report(figures))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
        print(f"Figures written to {args.json}")
    if (
        figures["errors"]
        or figures["writes"]["productions_without_links"]
        or figures["writes"]["signatures_missing"]
        or (figures.get("replication") or {}).get("different_answers")
    ):
        sys.exit(1)


if __name__ == "__main__":
    main()
