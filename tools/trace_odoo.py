#!/usr/bin/env python3
"""Run Odoo 18.0 with the traceability add-ons: serve a demo database or run the tests.

Odoo is found, never configured: ``import odoo`` must work in this Python.  The addons
path is derived from where the ``odoo`` package lives (its own ``addons`` and a source
tree's sibling ``addons/``) plus this repository.  PostgreSQL settings come from the
standard variables PGHOST, PGPORT, PGUSER and PGPASSWORD.  Odoo refuses the ``postgres``
role, so the default role is ``odoo``, created (with CREATEDB) when it is missing and a
superuser connection is possible.

Usage (from the repository's root)::

    python3 -m tools.trace_odoo run [--db NAME] [--port 8069]
    python3 -m tools.trace_odoo test [--keep-db] [--no-pytest] [--no-core]
    python3 -m tools.trace_odoo install-matrix
    python3 -m tools.trace_odoo test-core [--all | --classes SPEC]
    python3 -m tools.trace_odoo db dump trace_demo backup.zip    # Odoo's own dump, with filestore
    python3 -m tools.trace_odoo db load trace_restored backup.zip
    python3 -m tools.trace_odoo addons-path
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tools.odoo_env import (
    MODULES,
    REPO,
    SUPPORTED,
    addons_path,
    clone_db,
    data_dir,
    db_command,
    db_name,
    db_query,
    demo_options,
    drop_db,
    ensure_role,
    free_port,
    import_odoo,
    install_modules,
    install_problems,
    log_dir,
    odoo_command,
    requested_version,
    server_options,
)

# Odoo modules the add-ons' tests need beside them: the dropship flow's (trace_warranty's
# test_trace_flows) is installed on the test database only.
TEST_MODULES = ("stock_dropshipping",)


class SeriesDefault(str):
    """An option's default database name, made the series' own by :func:`db_name` once the
    series is known (after ``--odoo`` is read); a name given by the user is used as given."""


CORE_MODULES = ("stock", "product_expiry", "stock_account", "mrp", "purchase_stock", "sale_stock", "repair")
# The gate that ``make test`` runs (``test-core --all`` runs every test of CORE_MODULES): the
# test files of Odoo's own flows that the add-ons extend (manufacturing orders, unbuild and
# scrap, transfers, lots, returns, inventory, sales and purchases delivered and received,
# repairs, expiry dates), as ``--test-tags`` specs, one selection per series (both fit CI's
# time). Left out of both: stock's picking tours (product_expiry's serial tour walks the same
# screen), the manufacturing orders' planning-only tests (no order is finished), the
# untracked backorders; on 19.0 lot valuation too (Odoo skips its tests there).
MRP_PLANNING_ONLY = (
    "test_workorder_sequence",
    "test_recursive_work_orders",
    "test_update_plan_date",
    "test_workcenter_timezone",
    "test_workorder_set_duration",
    "test_planning_workorder",
    "test_timers_after_cancelling_mo",
    "test_starting_wo_twice",
    "test_replan_workorders01",
    "test_replan_workorders02",
    "test_replan_mo_without_bom",
    "test_workcenter_specific_capacities",
    "test_unlink_workorder_with_consumed_operations",
    "test_manufacture_lead_days",
    "test_multi_edit_start_date_wo",
    "test_expected_duration_alternative_wc",
    "test_update_workcenter_adapt_finish_date",
    "test_mrp_link_new_operations",
    "test_workorder_planning_validity_with_workcenters",
    "test_workcenter_with_resource_calendar_from_another_company",
    "test_workorder_without_product",
    "test_mo_modify_date_with_manuf_lead_time",
    "test_json_popover_with_workorder_dependence",
)
CORE_TEST_SELECTION_COMMON = (
    *(
        f"/stock/tests/{name}.py"
        for name in (
            "test_move",
            "test_move2",
            "test_move_lines",
            "test_stock_flow",
            "test_packing",
            "test_quant",
            "test_quant_inventory_mode",
            "test_inventory",
            "test_stock_lot",
            "test_stock_return_picking",
            "test_generate_serial_numbers",
            "test_multicompany",
            "test_robustness",
        )
    ),
    "/mrp/tests/test_order.py:TestMrpOrder",
    *(f"-/mrp:TestMrpOrder.{name}" for name in MRP_PLANNING_ONLY),
    *(
        f"/mrp/tests/{name}.py"
        for name in (
            "test_multicompany",
            "test_unbuild",
            "test_traceability",
            "test_byproduct",
            "test_cancel_mo",
            "test_consume_component",
            "test_stock",
        )
    ),
    *(
        f"/mrp/tests/test_backorder.py:TestMrpProductionBackorder.{name}"
        for name in (
            "test_tracking_backorder_series_lot_1",
            "test_tracking_backorder_series_lot_2",
            "test_tracking_backorder_series_serial_1",
            "test_tracking_backorder_immediate_production_serial_1",
        )
    ),
    "/product_expiry",
    "/repair",
    *(
        f"/sale_stock/tests/{name}.py"
        for name in ("test_sale_stock", "test_sale_stock_multicompany", "test_sale_stock_access_rights")
    ),
    "/stock_account/tests/test_stockvaluation.py",
    *(
        f"/purchase_stock/tests/{name}.py"
        for name in ("test_create_picking", "test_purchase_order_process", "test_move_cancel_propagation")
    ),
)
CORE_TEST_SELECTION = {
    18: (*CORE_TEST_SELECTION_COMMON, "/stock_account/tests/test_lot_valuation.py"),
    19: CORE_TEST_SELECTION_COMMON,
}
TEST_FAILURE_RE = re.compile(r"^\S+ \S+ \d+ ERROR \S+ (odoo\.addons\.[\w.]+): (?:FAIL|ERROR): (.+)$", re.MULTILINE)
RESULT_RE = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database")


def cmd_db(args):
    import_odoo()
    ensure_role()
    sys.exit(subprocess.call(db_command(*[arg for arg in args.db_args if arg != "--"])))


def run_logged(cmd, logfile):
    """Run ``cmd``, echo its output and keep a copy in ``logfile``; return the exit code."""
    with open(logfile, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
        return proc.wait()


def installed_modules(dbname):
    rows = db_query(
        dbname,
        "SELECT name FROM ir_module_module WHERE state = 'installed' AND name = ANY(%s)",
        (list(MODULES),),
    )
    return {row[0] for row in rows or []}


def cmd_run(args):
    import_odoo()
    ensure_role()
    modules = ",".join(MODULES)
    present = installed_modules(args.db)
    if present == set(MODULES):
        print(f"Reusing database {args.db!r}; updating the add-ons.")
        setup = ["-u", modules]
    else:
        if db_query(args.db, "SELECT 1") is not None and not present:
            print(f"Database {args.db!r} exists without the add-ons: installing them.")
        setup = ["-i", modules, *demo_options(True)]
    logfile = Path(data_dir()) / f"install-{args.db}.log"
    logfile.parent.mkdir(parents=True, exist_ok=True)
    rc = run_logged(odoo_command(args.db, *setup, "--stop-after-init", "--log-level=warn"), logfile)
    if rc or install_problems(logfile.read_text(encoding="utf-8")):
        sys.exit(f"Installing the add-ons on {args.db!r} failed (exit {rc}): see {logfile}")
    url = f"http://localhost:{args.port}"
    print(f"\nOdoo is starting on {url}  (database {args.db}, login admin / password admin)\n")
    sys.stdout.flush()
    os.execv(
        sys.executable,
        odoo_command(args.db, f"--http-port={args.port}", f"--http-interface={args.interface}"),
    )


def run_odoo_tests(dbname, modules, logfile, with_demo=True, tests=True, tags=None):
    """Install ``modules`` on a fresh ``dbname``; with ``tests``, run their tests.

    Returns (exit code, passed, failed) where failed counts failures and errors.
    """
    drop_db(dbname)
    args = ["-i", ",".join(modules), "--stop-after-init", f"--http-port={free_port()}"]
    args += demo_options(with_demo)
    if tests:
        tags = tags or ",".join(f"/{name}" for name in MODULES)
        args += ["--test-enable", f"--test-tags={tags}", "--log-level=test"]
    else:
        args.append("--log-level=warn")
    rc = run_logged(odoo_command(dbname, *args), logfile)
    text = Path(logfile).read_text(encoding="utf-8")
    passed = failed = 0
    matches = RESULT_RE.findall(text)
    if matches:
        fail, err, total = (int(x) for x in matches[-1])
        failed, passed = fail + err, total - fail - err
    problems = install_problems(text)
    if problems:
        # An error logged outside a test (install, data file, demo data) is a failure too.
        print("\n".join(["Installation problems:", *problems]))
        rc = rc or 1
        if tests and not failed:
            failed = 1
    return rc, passed, failed


def cmd_test(args):
    import_odoo()
    ensure_role()
    logdir = log_dir()
    dbname = args.db
    # Each add-on installed alone (install-matrix) on the second core while our Odoo tests
    # run; over before the pytest suite, whose drills restart PostgreSQL.
    matrix = None
    if not args.no_matrix:
        matrix_log = open(logdir / "install-matrix.log", "w", encoding="utf-8")  # closed below
        matrix = subprocess.Popen(
            [sys.executable, "-m", "tools.trace_odoo", "install-matrix"],
            cwd=REPO,
            stdout=matrix_log,
            stderr=subprocess.STDOUT,
        )
    rc, passed, failed = run_odoo_tests(dbname, MODULES + TEST_MODULES, logdir / f"{dbname}.log", tags=args.tags)
    print(f"Odoo tests: {passed} passed, {failed} failed (exit {rc})")
    if not args.keep_db:
        drop_db(dbname)
    if matrix:
        rc = matrix.wait() or rc
        matrix_log.close()
        outcome = (logdir / "install-matrix.log").read_text(encoding="utf-8")
        print(outcome, end="")
        installed = re.findall(r"^install \S+ alone, no demo: (ok|FAILED)", outcome, re.MULTILINE)
        passed += installed.count("ok")
        failed += len(MODULES) - installed.count("ok")
    if not args.no_pytest:
        prc, ppassed, pfailed = run_pytest(logdir / "pytest.log")
        rc = rc or prc
        passed += ppassed
        failed += pfailed
    skipped = 0
    if not args.no_core:
        core = argparse.Namespace(db=args.core_db, classes=None, all=False, keep_db=False)
        cpassed, cfailed, skipped = cmd_test_core(core)
        passed += cpassed
        failed += cfailed
    # Odoo's own tests that fail without the add-ons too are not judged: counted as skipped.
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    sys.exit(1 if (rc or failed) else 0)


def run_pytest(logfile):
    """Run the cross-module suite in tests/; returns (exit code, passed, failed)."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "tests")]
    rc = run_logged(cmd, logfile)
    text = Path(logfile).read_text(encoding="utf-8")
    summary = [line for line in text.splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    counts = {"passed": 0, "failed": 0, "error": 0, "errors": 0}
    if summary:
        for number, word in re.findall(r"(\d+) (passed|failed|errors?)", summary[-1]):
            counts[word] += int(number)
    if rc == 5:  # no test collected
        rc = 0
    return rc, counts["passed"], counts["failed"] + counts["error"] + counts["errors"]


def core_test_outcome(logfile):
    """``(tests run, {failing test})`` from the log of a ``core_tests.py`` run; a failing
    test is named ``python module: Class.method`` (subtests and class set-ups included)."""
    text = Path(logfile).read_text(encoding="utf-8")
    matches = RESULT_RE.findall(text)
    run = int(matches[-1][2]) if matches else 0
    failing = {f"{module}: {test.strip()}" for module, test in TEST_FAILURE_RE.findall(text)}
    return run, failing


def core_test_tag(failure):
    """The ``--test-tags`` spec that runs again the test named by :func:`core_test_outcome`."""
    module, test = failure.split(": ", 1)
    addon = module.split(".")[2]
    found = re.search(r"\(odoo\.addons\.[\w.]+\.(\w+)\)$", test)  # "setUpClass (odoo.addons.x.tests.y.Class)"
    if found:
        return f"/{addon}:{found[1]}"
    found = re.search(r"(\w+)\.(test\w*)", test)
    return f"/{addon}:{found[1]}.{found[2]}" if found else f"/{addon}"


def run_core_tests(databases, tags, logdir, label):
    """Run ``core_tests.py`` with ``tags`` on each database at once; ``{db: (run, failing)}``."""
    runs = {}
    for dbname in databases:
        cmd = [
            sys.executable,
            "-m",
            "tools.core_tests",
            f"--modules={','.join(CORE_MODULES)}",
            f"--tags={tags}",
            "--",
            *server_options(dbname),
            f"--http-port={free_port()}",
            "--log-level=test",
        ]
        logfile = logdir / f"core-{label}-{dbname}.log"
        log = open(logfile, "w", encoding="utf-8")  # closed below, once the run is over
        runs[dbname] = (subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT), log, logfile)
    outcome = {}
    for dbname, (proc, log, logfile) in runs.items():
        proc.wait()
        log.close()
        outcome[dbname] = core_test_outcome(logfile)
    return outcome


def cmd_test_core(args):
    """Odoo's own tests of the modules we extend, with and without our add-ons.

    Returns ``(passed, failed, skipped)``: the tests passing with the add-ons, the failures
    they add to the baseline (plus one if the two runs differ), and the baseline's own
    failures (not judged)."""
    import_odoo()
    ensure_role()
    logdir = log_dir()
    base_db, suite_db = f"{args.db}_base", f"{args.db}_suite"
    tags = args.classes or ("" if args.all else ",".join(CORE_TEST_SELECTION[requested_version()]))
    started = time.time()
    print(f"Odoo's own tests of {', '.join(CORE_MODULES)}: installing them on {base_db!r} (the baseline) ...")
    drop_db(base_db)
    failure = install_modules(base_db, CORE_MODULES, logdir / f"install-{base_db}.log")
    if failure:
        sys.exit(failure)
    clone_db(base_db, suite_db)
    print(f"... and the add-ons on a copy of it, {suite_db!r} ({time.time() - started:.0f}s)")
    failure = install_modules(suite_db, MODULES, logdir / f"install-{suite_db}.log", with_demo=False)
    if failure:
        sys.exit(failure)
    query = "SELECT name FROM ir_module_module WHERE state = 'installed'"
    added = {row[0] for row in db_query(suite_db, query)} - {row[0] for row in db_query(base_db, query)}
    if added != set(MODULES):
        sys.exit(f"Installing the add-ons installed more than them: {sorted(added - set(MODULES))}")

    what = "the selection (CORE_TEST_SELECTION)" if not (args.classes or args.all) else tags or "every test"
    print(f"Running {what} on both databases at once ({time.time() - started:.0f}s); logs: {logdir}/core-*.log")
    outcome = run_core_tests((base_db, suite_db), tags, logdir, "run")
    (base_run, base_failing), (suite_run, suite_failing) = outcome[base_db], outcome[suite_db]
    added_failures = suite_failing - base_failing
    for attempt in (1, 2):
        if not added_failures:
            break
        # A test that fails with the add-ons and passes without them runs again on both, twice
        # at most: Odoo's browser tours can fail by chance on a loaded machine (with or without
        # us). A failure of ours fails every time with the add-ons and never without them.
        again = ",".join(sorted({core_test_tag(name) for name in added_failures}))
        print(f"Running again ({attempt}/2) the {len(added_failures)} tests failing only with the add-ons: {again}")
        rerun = run_core_tests((base_db, suite_db), again, logdir, f"rerun{attempt}")
        by_chance = {name for name in added_failures if name not in rerun[suite_db][1] or name in rerun[base_db][1]}
        for name in sorted(by_chance):
            print(f"    failed by chance (passed again with the add-ons, or failed without them): {name}")
        added_failures -= by_chance
        suite_failing -= by_chance
    print(f"\nOdoo's own tests, {time.time() - started:.0f}s:")
    print(f"  without the add-ons: {base_run} tests, {len(base_failing)} failing (the baseline)")
    print(f"  with the add-ons:    {suite_run} tests, {len(suite_failing)} failing")
    for name in sorted(base_failing & suite_failing):
        print(f"    fails without the add-ons too: {name}")
    for name in sorted(base_failing - suite_failing):
        print(f"    fails only without the add-ons: {name}")
    for name in sorted(added_failures):
        print(f"    ADDED BY THE ADD-ONS: {name}")
    failed = len(added_failures)
    if not base_run or base_run != suite_run:
        failed += 1
        print(f"  THE TWO RUNS DIFFER: {base_run} tests without the add-ons, {suite_run} with them")
    print(f"  failures added by the add-ons: {len(added_failures)}")
    if not args.keep_db:
        drop_db(base_db)
        drop_db(suite_db)
    return suite_run - len(suite_failing), failed, len(base_failing & suite_failing)


def cmd_test_core_main(args):
    passed, failed, skipped = cmd_test_core(args)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


def cmd_odoo(args):
    import_odoo()
    ensure_role()
    extra = [arg for arg in args.odoo_args if arg != "--"]
    sys.exit(subprocess.call(odoo_command(args.db, *extra)))


def cmd_install_matrix(args):
    """Install each add-on on its own (with its dependencies) without demo data."""
    import_odoo()
    ensure_role()
    logdir = log_dir()
    failures = []
    for module in MODULES:
        dbname = f"{args.db}_{module}"
        started = time.time()
        rc, _passed, _failed = run_odoo_tests(
            dbname, [module], logdir / f"install-{module}.log", with_demo=False, tests=False
        )
        print(f"install {module} alone, no demo: {'ok' if not rc else 'FAILED'} ({time.time() - started:.0f}s)")
        drop_db(dbname)
        if rc:
            failures.append(module)
    if failures:
        sys.exit(f"Installation failed for: {', '.join(failures)}")


def main():
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also in a CI log
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--odoo", choices=[str(v) for v in SUPPORTED], help="Odoo series (default: ODOO)")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the demo database")
    run.add_argument("--db", default=os.environ.get("TRACE_DB", SeriesDefault("trace_demo")))
    run.add_argument("--port", type=int, default=int(os.environ.get("HTTP_PORT", "8069")))
    run.add_argument("--interface", default=os.environ.get("HTTP_INTERFACE", "127.0.0.1"))
    run.set_defaults(func=cmd_run)
    test = sub.add_parser("test", help="fresh database, install, run every test")
    test.add_argument("--db", default=os.environ.get("TRACE_TEST_DB", SeriesDefault("trace_test")))
    test.add_argument("--keep-db", action="store_true")
    test.add_argument("--no-pytest", action="store_true")
    test.add_argument("--no-matrix", action="store_true", help="without installing each add-on alone (install-matrix)")
    test.add_argument("--tags", help="Odoo --test-tags to run instead of every test of the add-ons")
    test.add_argument("--no-core", action="store_true", help="without the gate of Odoo's own tests (test-core)")
    test.add_argument("--core-db", default=os.environ.get("TRACE_CORE_DB", SeriesDefault("trace_core")))
    test.set_defaults(func=cmd_test)
    matrix = sub.add_parser("install-matrix", help="install each add-on alone, no demo")
    matrix.add_argument("--db", default=SeriesDefault("trace_install"))
    matrix.set_defaults(func=cmd_install_matrix)
    raw = sub.add_parser("odoo", help="run Odoo's server command with our settings: odoo --db DB -- ARGS")
    raw.add_argument("--db", default=os.environ.get("TRACE_DB", SeriesDefault("trace_demo")))
    raw.add_argument("odoo_args", nargs=argparse.REMAINDER)
    raw.set_defaults(func=cmd_odoo)
    database = sub.add_parser(
        "db", help="Odoo's database manager with our settings: db dump DB FILE.zip | db load NAME FILE.zip"
    )
    database.add_argument("db_args", nargs=argparse.REMAINDER)
    database.set_defaults(func=cmd_db)
    core = sub.add_parser("test-core", help="Odoo's own tests of the modules we extend, with and without us")
    core.add_argument("--db", default=os.environ.get("TRACE_CORE_DB", SeriesDefault("trace_core")))
    core.add_argument("--classes", help="Odoo --test-tags instead of the selection (CORE_TEST_SELECTION)")
    core.add_argument("--all", action="store_true", help="every test of the core modules, not the selection")
    core.add_argument("--keep-db", action="store_true")
    core.set_defaults(func=cmd_test_core_main)
    path = sub.add_parser("addons-path", help="print the derived addons path")
    path.set_defaults(func=lambda _args: print(addons_path()))
    python = sub.add_parser("python", help="print the interpreter that runs the Odoo asked for")
    python.set_defaults(func=lambda _args: import_odoo() and print(sys.executable))
    args = parser.parse_args()
    if args.odoo:
        os.environ["ODOO"] = args.odoo
    for attr in ("db", "core_db"):
        if isinstance(getattr(args, attr, None), SeriesDefault):
            setattr(args, attr, db_name(getattr(args, attr)))
    args.func(args)


if __name__ == "__main__":
    main()
