"""The benchmark runs end to end at a tiny size, so it never rots. No timing is asserted:
speed is what the benchmark prints (docs/performance.md, "The benchmark")."""

import json
import subprocess
import sys
from pathlib import Path

from tools import odoo_env

REPO = Path(__file__).resolve().parent.parent

DB = odoo_env.db_name("trace_bench_pytest")  # trace_bench_pytest_19 on Odoo 19.0


def run_module(*args):
    """``python -m <args>`` from the repository's root, as ``make bench`` runs the benchmark."""
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True, timeout=900, check=False
    )


def test_benchmark_at_a_tiny_size(tmp_path):
    output = tmp_path / "bench.json"
    result = run_module("tools.bench.run", "--lines", "2000", "--db", DB, "--json", str(output))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "trace_forward" in result.stdout  # the table
    figures = json.loads(output.read_text(encoding="utf-8"))

    dataset = figures["dataset"]
    assert dataset["lines"] >= 2000
    assert dataset["levels"] >= 5
    assert dataset["deliveries"] and dataset["receipts"] and dataset["productions"] and dataset["consume_links"]

    kinds = {lot["kind"] for lot in figures["lots"]}
    assert kinds == {"widest", "raw material", "intermediate", "finished good"}
    for lot in figures["lots"]:
        assert len(lot["forward_runs"]) == len(lot["backward_runs"]) == figures["repeat"] >= 5, lot
        assert lot["forward_s"] is not None and lot["backward_s"] is not None, lot
        assert lot["odoo_timed_out"] or lot["odoo_s"] is not None, lot
        # Our deliveries contain every delivery Odoo's own trace finds.
        assert lot["odoo_timed_out"] or lot["contains_odoo"] is True, lot
    widest = figures["lots"][0]
    assert widest["kind"] == "widest" and widest["reached_lots"] > 0 and widest["deliveries"] > 0
    # Its trace map: the trace's lots, deliveries and customers as nodes, grouped when wide.
    assert widest["graph_s"] is not None and len(widest["graph_runs"]) == figures["repeat"]
    nodes = widest["reached_lots"] + 1 + widest["deliveries"] + widest["customers"]
    assert widest["graph_ungrouped_nodes"] == nodes
    assert 0 < widest["graph_nodes"] <= nodes and 0 < widest["graph_bytes"] <= widest["graph_ungrouped_bytes"]

    backfill = figures["backfill"]
    assert 0 < backfill["links"] <= dataset["consume_links"]
    assert backfill["seconds"] is not None

    recall = figures["recall"]
    assert recall["lot"] == widest["lot"]
    assert recall["affected_lots"] == widest["reached_lots"] + 1
    assert recall["compute_s"] is not None and recall["export_s"] is not None
    assert recall["xlsx_rows"]["Deliveries"] == recall["delivery_lines"] + 1  # and the header
    assert recall["xlsx_rows_total"] > recall["affected_lots"]
    assert recall["memory"]["rss_growth_mib"] >= 0

    assert set(figures["machine"]) >= {"cpus", "cpu_model", "ram_gib", "postgresql"}
    # The throwaway database is gone.
    assert figures["database_dropped"]
    assert not odoo_env.db_query("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (DB,))


def test_reservation_benchmark_at_a_tiny_size(tmp_path):
    """Both databases reserve the same delivery; with the add-on no held lot is taken (the
    FIFO-first lot of every product is held), and the filter adds no query."""
    output = tmp_path / "reserve.json"
    command = ["tools.bench.reserve", "--lines", "10", "--lots", "100", "--repeat", "1"]
    result = run_module(*command, "--json", str(output))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    figures = json.loads(output.read_text(encoding="utf-8"))
    odoo, trace = figures["odoo"], figures["trace"]
    assert (odoo["lots_on_hold"], trace["lots_on_hold"]) == (0, 10)
    for side in (odoo, trace):
        assert side["reserved"] == {"state": "assigned", "move_lines": 30, "quantity": 250.0, "held_lots_reserved": 0}
    assert trace["queries"] == odoo["queries"]
    for name in ("trace_bench_reserve_odoo", "trace_bench_reserve_trace"):
        assert not odoo_env.db_query(
            "postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (odoo_env.db_name(name),)
        )
