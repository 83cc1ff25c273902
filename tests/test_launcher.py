"""The launcher finds Odoo without configuration and fails loudly without it."""

import ast
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = REPO / "tools" / "trace_odoo.py"
MODULES = ("trace_compliance", "trace_recall", "trace_warranty")


def run(*args, env=None, python=(sys.executable,)):
    return subprocess.run(
        [*python, str(LAUNCHER), *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_addons_path_derived_from_odoo_and_repo():
    result = run("addons-path")
    assert result.returncode == 0, result.stderr
    paths = result.stdout.strip().split(",")
    assert str(REPO) in paths
    assert any(Path(p, "base", "__manifest__.py").exists() for p in paths), paths
    assert any(Path(p, "mrp", "__manifest__.py").exists() for p in paths), paths


def test_without_odoo_fails_with_install_advice():
    # -S: no site-packages, so no Odoo; -I: ignore PYTHONPATH too.
    result = run("addons-path", python=(sys.executable, "-I", "-S"))
    assert result.returncode == 3
    assert "Odoo 18.0 cannot be imported" in result.stderr
    assert "pip install" in result.stderr


def test_postgres_role_refused():
    env = dict(os.environ, PGUSER="postgres")
    result = run("test", "--db", "never_created", env=env)
    assert result.returncode != 0
    assert "refused by Odoo" in result.stderr


def test_manifests_declare_the_dependency_chain():
    depends = {}
    for module in MODULES:
        manifest = ast.literal_eval((REPO / module / "__manifest__.py").read_text())
        assert manifest["version"].startswith("18.0."), module
        assert manifest["license"] == "LGPL-3", module
        for path in manifest.get("data", []) + manifest.get("demo", []):
            assert (REPO / module / path).is_file(), f"{module}: {path}"
        assert all(not p.startswith("demo/") for p in manifest.get("data", [])), module
        depends[module] = set(manifest["depends"])
    assert {"stock", "mrp", "mail", "product_expiry"} <= depends["trace_compliance"]
    assert {"trace_compliance", "sale_stock"} <= depends["trace_recall"]
    assert {"trace_recall", "repair"} <= depends["trace_warranty"]
