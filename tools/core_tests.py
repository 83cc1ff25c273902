#!/usr/bin/env python3
"""Run Odoo's own tests of installed modules against the complete registry.

Odoo runs a module's ``at_install`` tests while it installs that module, with only the
modules loaded so far: Odoo's own ``stock`` tests never meet an add-on that depends on
``stock``.  To learn whether our add-ons break what Odoo's own tests check, those tests
must run with every installed module loaded.  This runner loads a database whose modules
are all installed (no ``-i``/``-u``), runs no test while the registry loads, and then runs
the selected modules' ``at_install`` tests (module by module, in dependency order) followed
by their ``post_install`` tests, as Odoo's server does, with its HTTP server up for the
tours.  Run on a database with and without our add-ons, the same command gives the
baseline and the result to compare (``trace_odoo.py test-core`` does both).

Usage (Odoo's own server options follow the runner's)::

    python3 -m tools.core_tests --modules stock,mrp [--tags SPEC] -- -d DB --addons-path=... [...]
"""

import argparse
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modules", required=True, help="comma-separated modules whose tests run")
    parser.add_argument("--tags", default="", help="Odoo --test-tags; default: every test of --modules")
    parser.add_argument("odoo_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    modules = [name for name in args.modules.split(",") if name]
    tags = args.tags or ",".join(f"/{name}" for name in modules)

    # Odoo 19's ``odoo`` is a namespace package: ``import odoo`` no longer imports
    # odoo.tools nor odoo.service, so both are imported by name (as on 18 too).
    from odoo.service import server  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    odoo_args = [arg for arg in args.odoo_args if arg != "--"]
    config.parse_config(["--test-enable", f"--test-tags={tags}", "--stop-after-init", *odoo_args], setup_logging=True)
    if config["init"] or config["update"]:
        sys.exit("core_tests.py runs on an installed database: no -i or -u.")
    # -d: a comma-separated string on 18, a list on 19.
    databases = config["db_name"]
    databases = databases.split(",") if isinstance(databases, str) else list(databases)

    from odoo.tests import loader  # noqa: PLC0415
    from odoo.tests.suite import OdooSuite  # noqa: PLC0415

    make_suite = loader.make_suite

    def complete_registry_suite(module_names, position="at_install"):
        if position == "at_install":
            # While the registry loads (only some modules loaded): nothing.
            return OdooSuite([])
        # After loading, with every module: at_install tests in dependency order, then
        # post_install ones, as the selected modules would see them after our install.
        ordered = [name for name in modules if name in module_names]
        at_install = [test for name in ordered for test in make_suite([name], "at_install")]
        return OdooSuite(at_install + list(make_suite(ordered, "post_install")))

    loader.make_suite = complete_registry_suite
    rc = server.start(preload=databases, stop=True)
    sys.exit(rc)


if __name__ == "__main__":
    main()
