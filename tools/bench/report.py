#!/usr/bin/env python3
"""The benchmark's figures rendered: the table a run prints (:func:`run_text`, what
``tools.bench.run`` shows at its end) and, from the command line, Markdown tables (as in
docs/performance.md) from the JSON files of benchmark runs.

It prints them; nothing is written into the page.

Usage::

    python3 -m tools.bench.report tools/bench/results/100k.json tools/bench/results/1m.json
    python3 -m tools.bench.report tools/bench/results/1m-18-beside-19.json tools/bench/results/1m-19.json
"""

import argparse
import json
from pathlib import Path


def size(results):
    lines = results["dataset"]["lines"]
    return f"{lines / 1e6:.1f}M" if lines >= 1e6 else f"{lines / 1e3:.0f}k"


def series(results):
    """The Odoo series of a run ("18.0", "19.0"; a release string such as 19.0+e-20251227 cut)."""
    return results["machine"]["odoo"].split("+")[0]


def label(results, runs):
    """The run's size, and its Odoo series when the runs compared are of several."""
    several = len({series(run) for run in runs}) > 1
    return f"{size(results)} on {series(results)}" if several else size(results)


def duration(seconds):
    """Milliseconds below a tenth of a second, seconds above."""
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds:.3f} s"


def odoo_cell(lot):
    if lot["odoo_timed_out"]:
        return f">{lot['odoo_timeout_s']:.0f} s (stopped)"
    return duration(lot["odoo_s"])


def ratio_cell(lot):
    if not lot["ratio"]:
        return "-"
    return f"{'>' if lot['odoo_timed_out'] else ''}{lot['ratio']:,.0f}x"


# The columns of the sampled lots' table: (key of :func:`lot_cells`, header).
MARKDOWN_COLUMNS = (
    ("lot", "Lot"),
    ("kind", "Kind"),
    ("fan_out", "Fan-out"),
    ("reached", "Lots downstream"),
    ("move_lines", "Their move lines"),
    ("deliveries", "Deliveries"),
    ("forward", "`trace_forward`"),
    ("orm_read", "ORM reading its result"),
    ("odoo", "Odoo's trace"),
    ("ratio", "Ratio"),
    ("contains", "Ours contain Odoo's"),
    ("backward", "`trace_backward`"),
)
TEXT_COLUMNS = (
    ("kind", "kind"),
    ("lot", "lot"),
    ("fan_out", "fan-out"),
    ("reached", "lots reached"),
    ("move_lines", "move lines"),
    ("deliveries", "deliveries"),
    ("forward", "trace_forward"),
    ("orm_read", "ORM reading it"),
    ("odoo", "Odoo's trace"),
    ("ratio", "ratio"),
    ("contains", "ours ⊇ Odoo's"),
    ("backward", "trace_backward"),
)


def lot_cells(lot, no):
    """The cells of one sampled lot by column; ``no``: what says that our deliveries miss
    some of Odoo's."""
    return {
        "lot": lot["lot"],
        "kind": lot["kind"],
        "fan_out": f"{lot['fan_out']:,}",
        "reached": f"{lot['reached_lots']:,}",
        "move_lines": f"{lot['reached_move_lines']:,}",
        "deliveries": f"{lot['deliveries']:,}",
        "forward": duration(lot["forward_s"]),
        "orm_read": duration(lot["orm_read_s"]) if "orm_read_s" in lot else "n/a",
        "odoo": odoo_cell(lot),
        "ratio": ratio_cell(lot),
        "contains": {True: "yes", False: no, None: "n/a"}[lot["contains_odoo"]],
        "backward": duration(lot["backward_s"]),
    }


def lot_table(lots, columns, no, layout):
    """The sampled lots, one row each, in ``columns`` (:data:`MARKDOWN_COLUMNS`,
    :data:`TEXT_COLUMNS`), laid out by ``layout`` (:func:`markdown`, :func:`aligned`)."""
    rows = [[cells[key] for key, _header in columns] for cells in (lot_cells(lot, no) for lot in lots)]
    return layout([header for _key, header in columns], rows)


def markdown(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def aligned(header, rows):
    """Plain text columns, each as wide as its widest cell, under a rule."""
    widths = [max(len(str(row[i])) for row in (header, *rows)) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in (header, tuple("-" * w for w in widths), *rows)
    )


def run_tables(results):
    data, recall, backfill = results["dataset"], results["recall"], results["backfill"]
    memory = recall["memory"]
    out = [
        f"**{data['lines']:,} done move lines** ({data['lots']:,} lots, {data['productions']:,} manufacturing "
        f"orders on {data['levels']} levels, {data['deliveries']:,} deliveries to {data['customers']:,} customers, "
        f"{data['receipts']:,} receipts)"
        + (f", generated in {data['seconds']:.0f} s" if data.get("seconds") else "")
        + f"; median of {results['repeat']} runs:",
        "",
        lot_table(results["lots"], MARKDOWN_COLUMNS, "**no**", markdown),
        "",
        markdown(
            ("Operation", "Figure"),
            [
                (
                    "Genealogy backfill, whole database (as on install)",
                    f"{backfill['seconds']:.1f} s ({backfill['links']:,} links)",
                ),
                (
                    f"Recall of {recall['lot']}: `action_compute`",
                    f"{recall['compute_s']:.2f} s ({recall['affected_lots']:,} lots, "
                    f"{recall['delivery_lines']:,} delivery lines, {recall['customers']:,} customers)",
                ),
                (
                    "`action_export_xlsx`",
                    f"{recall['export_s']:.1f} s ({recall['xlsx_rows_total']:,} rows, "
                    f"{recall['xlsx_bytes'] / 2**20:.1f} MiB)",
                ),
                (
                    "Memory of the export (fresh process)",
                    f"+{memory['rss_growth_mib']:.0f} MiB resident (peak {memory['rss_peak_mib']:.0f} MiB)",
                ),
                *graph_rows(results["lots"][0]),
            ],
        ),
    ]
    return "\n".join(out)


def graph_rows(lot):
    """The trace map of the widest lot (runs without it: none)."""
    if "graph_s" not in lot:
        return []
    return [
        (
            f"Trace map of {lot['lot']}: `trace_graph` (grouped)",
            f"{duration(lot['graph_s'])} (`trace_forward` {duration(lot['forward_s'])}); {lot['graph_nodes']:,} nodes "
            f"({lot['graph_groups']:,} groups of {lot['graph_grouped_members']:,}), {lot['graph_edges']:,} edges, "
            f"{lot['graph_bytes'] / 1024:,.0f} KiB of JSON",
        ),
        (
            "The same map not grouped",
            f"{duration(lot['graph_ungrouped_s'])}; {lot['graph_ungrouped_nodes']:,} nodes, "
            f"{lot['graph_ungrouped_edges']:,} edges, {lot['graph_ungrouped_bytes'] / 1024:,.0f} KiB of JSON",
        ),
    ]


def graph_lines(lot):
    """The trace map of the widest lot, beside its ``trace_forward`` (older runs: none)."""
    if "graph_s" not in lot:
        return []
    return [
        f"Trace map of {lot['lot']} (trace_graph, grouped): {lot['graph_nodes']:,} nodes ({lot['graph_groups']:,} "
        f"groups of {lot['graph_grouped_members']:,}), {lot['graph_edges']:,} edges, {lot['graph_columns']} columns, "
        f"{lot['graph_bytes'] / 1024:,.0f} KiB of JSON; {duration(lot['graph_s'])} "
        f"(trace_forward {duration(lot['forward_s'])})",
        f"  not grouped: {lot['graph_ungrouped_nodes']:,} nodes, {lot['graph_ungrouped_edges']:,} edges, "
        f"{lot['graph_ungrouped_bytes'] / 1024:,.0f} KiB of JSON; {duration(lot['graph_ungrouped_s'])} (one run)",
    ]


def run_text(results):
    """The figures of one run as text: what the benchmark prints at the end of a run."""
    data = results["dataset"]
    lines = [
        f"Dataset: {data['lines']:,} done move lines, {data['lots']:,} lots, {data['productions']:,} manufacturing "
        f"orders ({data['levels']} levels), {data['deliveries']:,} deliveries, {data['receipts']:,} receipts, "
        f"{data['customers']:,} customers"
        + (f"; generated in {data['seconds']:.0f}s (install {data['install_s']:.0f}s)." if data["seconds"] else "."),
        f"Median of {results['repeat']} runs; Odoo's trace stopped after {results['odoo_timeout_s']:.0f}s.",
        "",
    ]
    lines.append(lot_table(results["lots"], TEXT_COLUMNS, "NO", aligned))
    recall, backfill = results["recall"], results["backfill"]
    memory = recall["memory"]
    lines += ["", *graph_lines(results["lots"][0])]
    lines += [
        f"Genealogy backfill (whole database, as on install): {backfill['seconds']:.2f} s for {backfill['links']:,} "
        "links",
        f"Recall of {recall['lot']}: {recall['affected_lots']:,} affected lots, {recall['delivery_lines']:,} delivery "
        f"lines, {recall['customers']:,} customers; action_compute {recall['compute_s']:.2f} s",
        f"action_export_xlsx: {recall['export_s']:.2f} s for {recall['xlsx_rows_total']:,} rows "
        f"({', '.join(f'{k} {v:,}' for k, v in recall['xlsx_rows'].items())}), {recall['xlsx_bytes'] / 2**20:.1f} MiB",
        f"Export memory (fresh process): resident set +{memory['rss_growth_mib']:.0f} MiB "
        f"(peak {memory['rss_peak_mib']:.0f} MiB), ru_maxrss +{memory['maxrss_growth_mib']:.0f} MiB",
        "",
        "Machine: {cpus} CPUs ({cpu_model}), {ram_gib} GiB, PostgreSQL {postgresql} (shared_buffers "
        "{shared_buffers}), Odoo {odoo}, Python {python}".format(**results["machine"]),
        "Load average (1, 5, 15 min) at start {} and end {}".format(
            *(", ".join(f"{x:.1f}" for x in results["load_average"][k]) for k in ("start", "end"))
        ),
    ]
    return "\n".join(lines)


def same_lots(runs):
    """The lots traced at every size, side by side."""
    names = [lot["lot"] for lot in runs[0]["lots"]]
    by_run = [{lot["lot"]: lot for lot in run["lots"]} for run in runs]
    common = [name for name in names if all(name in lots for lots in by_run)]
    header = ["Lot", "Lots downstream"]
    for run in runs:
        header += [f"`trace_forward` at {label(run, runs)}", f"Odoo's at {label(run, runs)}"]
    rows = []
    for name in common:
        reached = {lots[name]["reached_lots"] for lots in by_run}
        row = [name, " / ".join(f"{n:,}" for n in sorted(reached))]
        for lots in by_run:
            row += [duration(lots[name]["forward_s"]), odoo_cell(lots[name])]
        rows.append(row)
    return markdown(header, rows)


def write_figures(path, results, text, log=print):
    """The figures of a run written to ``path`` (JSON), ``text`` (their table) shown."""
    Path(path).write_text(json.dumps(results, indent=1), encoding="utf-8")
    log("")
    log(text)
    log(f"\nFigures written to {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    runs = sorted(
        (json.loads(path.read_text(encoding="utf-8")) for path in args.files),
        key=lambda r: (r["dataset"]["lines"], series(r)),
    )
    for run in runs:
        print(run_tables(run))
        print()
    if len(runs) > 1:
        print(same_lots(runs))


if __name__ == "__main__":
    main()
