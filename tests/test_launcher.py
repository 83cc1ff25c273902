"""The launcher finds Odoo without configuration and fails loudly without it."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = ("-m", "tools.trace_odoo")  # run from the repository's root
MODULES = ("trace_compliance", "trace_recall", "trace_warranty")


def run(*args, env=None, python=(sys.executable,)):
    return subprocess.run(
        [*python, *LAUNCHER, *args], cwd=REPO, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_addons_path_derived_from_odoo_and_repo():
    result = run("addons-path")
    assert result.returncode == 0, result.stderr
    paths = result.stdout.strip().split(",")
    assert str(REPO) in paths
    assert any(Path(p, "base", "__manifest__.py").exists() for p in paths), paths
    assert any(Path(p, "mrp", "__manifest__.py").exists() for p in paths), paths


def test_without_odoo_fails_with_install_advice(tmp_path):
    # -S: no site-packages, so no Odoo; -E: ignore PYTHONPATH too (not -I, which would also
    # leave out the current folder, where ``-m tools.trace_odoo`` is found); nothing where the
    # launcher looks for another interpreter (ODOO<N>_PYTHON, $WORKON_HOME/odoo<N>).
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PYTHON")}
    for series in (18, 19):
        env.update(ODOO=str(series), WORKON_HOME=str(tmp_path))
        result = run("addons-path", python=(sys.executable, "-E", "-S"), env=env)
        assert result.returncode == 3
        assert f"Odoo {series}.0 cannot be imported" in result.stderr
        assert f"~/.virtualenvs/odoo{series}" in result.stderr
        assert "pip install" in result.stderr


def test_finds_the_series_asked_for():
    """Whichever Odoo this Python imports, the launcher runs the series ODOO names in the
    interpreter that has it, and refuses a series the add-ons do not support."""
    for series in (18, 19):
        result = run("python", env=dict(os.environ, ODOO=str(series)))
        if result.returncode == 3:
            continue  # that series is not installed here: the advice is tested above
        assert result.returncode == 0, result.stderr
        python = result.stdout.strip()
        version = subprocess.run(
            [python, "-c", "from odoo import release; print(release.version_info[0])"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert version.stdout.strip() == str(series)
    result = run("python", env=dict(os.environ, ODOO="17"))
    assert result.returncode != 0
    assert "support Odoo 18 and 19" in result.stderr


def test_postgres_role_refused():
    env = dict(os.environ, PGUSER="postgres")
    result = run("test", "--db", "never_created", env=env)
    assert result.returncode != 0
    assert "refused by Odoo" in result.stderr


def test_manifests_declare_the_dependency_chain():
    depends = {}
    for module in MODULES:
        manifest = ast.literal_eval((REPO / module / "__manifest__.py").read_text())
        # No series in the version: 18.0 and 19.0 prefix their own to a 3-part version.
        assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"]), module
        assert manifest["license"] == "LGPL-3", module
        for path in manifest.get("data", []) + manifest.get("demo", []):
            assert (REPO / module / path).is_file(), f"{module}: {path}"
        assert all(not p.startswith("demo/") for p in manifest.get("data", [])), module
        depends[module] = set(manifest["depends"])
    assert {"stock", "mrp", "mail", "product_expiry"} <= depends["trace_compliance"]
    assert {"trace_compliance", "sale_stock"} <= depends["trace_recall"]
    assert {"trace_recall", "repair"} <= depends["trace_warranty"]
