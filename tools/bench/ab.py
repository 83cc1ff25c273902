"""Compare the traces of two (or more) checkouts of this repository on one generated
database, interleaved, where a machine is too noisy for two separate benchmark runs.

Each round runs every checkout in turn, each in a fresh process of that checkout's own code
(its ``python3 -m tools.bench.ab --worker``, run in that checkout's folder) with its
add-ons: ``trace_forward`` and ``trace_backward`` of the benchmark's sample lots
(``run.select_sample``), as the admin user, the ORM cache emptied before each call,
``--repeat`` calls each. Reports, per lot and direction, the fastest and the median call
of every checkout over all rounds: the fastest is what the code costs, the median what
the machine let it have. Nothing is written to the database.

Usage::

    git worktree add /tmp/before <commit>
    python3 -m tools.bench.ab --db trace_bench_1000000 /tmp/before . --json ab.json
    ODOO=19 python3 -m tools.bench.ab /tmp/before .   # on 19.0: trace_bench_1000000_19
    python3 -m tools.bench.ab .@18 .@19               # one checkout on both series

A checkout given as ``PATH@18`` or ``PATH@19`` runs on that Odoo series (``ODOO``), the others
on the series in use. The default database is the benchmark's at 1,000,000 lines of each
one's series (``odoo_env.db_name``: ``trace_bench_1000000``, ``trace_bench_1000000_19``).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tools import odoo_env


def worker(dbname, repeat):
    """Run in a checkout's process: the call times (ms) of each sample lot and direction."""
    from tools.bench import generate, run  # noqa: PLC0415  (the checkout's own: run in its folder)

    registry = generate.load_registry(dbname)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    times = {}
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        env = env(user=env.ref("base.user_admin"))
        _day, sample = run.select_sample(cr)
        for _kind, lot_id, name in sample:
            lot = env["stock.lot"].browse(lot_id)
            for direction in ("forward", "backward"):
                runs = []
                for _call in range(repeat):
                    env.invalidate_all()
                    started = time.perf_counter()
                    getattr(lot, f"trace_{direction}")()
                    runs.append((time.perf_counter() - started) * 1000)
                times[f"{name} {direction}"] = runs
        cr.rollback()
    print(json.dumps(times))


def split_series(spec):
    """(checkout path, Odoo series or None) of a checkout given as ``PATH`` or ``PATH@19``."""
    path, _at, series = spec.rpartition("@")
    return (path, int(series)) if path and series.isdigit() else (spec, None)


def default_db(series):
    """The benchmark's database at 1,000,000 lines on ``series`` (``odoo_env.db_name``
    with ``ODOO`` set to it)."""
    current = os.environ["ODOO"]
    os.environ["ODOO"] = str(series)
    try:
        return odoo_env.db_name("trace_bench_1000000")
    finally:
        os.environ["ODOO"] = current


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "checkouts", nargs="*", help="checkouts of this repository to compare (PATH, or PATH@18 / PATH@19)"
    )
    parser.add_argument("--db", help="the generated database of every checkout (default: its series' 1M database)")
    parser.add_argument("--repeat", type=int, default=15, help="calls of each trace per round (default 15)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every checkout (default 3)")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.db, args.repeat)
    odoo_env.import_odoo()  # the workers run in the interpreter of the series asked for (ODOO)
    runs_on = {}  # checkout (PATH or PATH@SERIES) -> (path, series, database)
    for spec in args.checkouts:
        path, series = split_series(spec)
        path = str(Path(path).resolve())
        checkout = f"{path}@{series}" if series else path
        series = series or int(os.environ["ODOO"])
        runs_on[checkout] = (path, series, args.db or default_db(series))
    checkouts = list(runs_on)
    if len(checkouts) < 2:
        parser.error("give two checkouts or more")
    calls = {checkout: {} for checkout in checkouts}
    for round_ in range(args.rounds):
        for checkout in checkouts:
            path, series, dbname = runs_on[checkout]
            output = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "tools.bench.ab",
                    "--db",
                    dbname,
                    "--repeat",
                    str(args.repeat),
                    "--worker",
                    path,
                ],
                cwd=path,  # that checkout's tools package, first on the worker's path (python -m)
                check=True,
                capture_output=True,
                text=True,
                env=dict(os.environ, ODOO=str(series)),  # the worker runs again in that series' Python
            ).stdout
            for key, runs in json.loads(output.strip().splitlines()[-1]).items():
                calls[checkout].setdefault(key, []).extend(runs)
            print(f"round {round_ + 1}: {checkout} done", file=sys.stderr)
    figures = {
        checkout: {
            key: {"min_ms": round(min(runs), 2), "median_ms": round(statistics.median(runs), 2)}
            for key, runs in by_key.items()
        }
        for checkout, by_key in calls.items()
    }
    print(
        f"{'lot and direction':30}"
        + "".join(f"{Path(c).name[-22:]:>24}" for c in checkouts)
        + "   (fastest / median, ms)"
    )
    for key in figures[checkouts[0]]:
        cells = "".join(f"{figures[c][key]['min_ms']:>11.1f} /{figures[c][key]['median_ms']:>9.1f} " for c in checkouts)
        print(f"{key:30}{cells}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "db": args.db or ", ".join(sorted({runs_on[checkout][2] for checkout in checkouts})),
                    "databases": {checkout: runs_on[checkout][2] for checkout in checkouts},
                    "repeat": args.repeat,
                    "rounds": args.rounds,
                    "figures": figures,
                },
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
