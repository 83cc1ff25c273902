"""A live Odoo for the external API suite: one server for the whole pytest session.

``odoo_server`` creates a fresh database (``trace_rpc_<pid>``) with the three add-ons and
no demo data, serves it with odoo-bin on a free port of 127.0.0.1, and drops it at the
end. Odoo, the addons path and the PostgreSQL settings come from the launcher
(``tools/trace_odoo.py``), exactly as ``make test`` runs Odoo.

``TRACE_RPC_KEEP=1`` keeps the database (and prints its name) for a look afterwards.
While developing, ``TRACE_RPC_TEMPLATE=<db>`` copies that database (and its filestore)
instead of installing: a database the add-ons were installed on without demo data and
nothing else done, e.g. one made by a first run with ``TRACE_RPC_KEEP_TEMPLATE=<db>``.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The launcher and the RPC clients live in tools/ (the load test uses them too).
sys.path.insert(0, str(REPO / "tools"))
import trace_odoo  # noqa: E402
from odoo_rpc import JsonRpc, WebSession, XmlRpc  # noqa: E402
from rpc_scenario import Scenario  # noqa: E402

START_TIMEOUT = 180


@dataclass
class OdooServer:
    url: str
    db: str
    log_path: Path
    login: str = "admin"
    password: str = "admin"

    def log_size(self):
        return self.log_path.stat().st_size

    def log_since(self, offset):
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            return log.read()


def _install(dbname, logfile):
    """The three add-ons, without demo data, on a new database; fails on any logged error."""
    trace_odoo.drop_db(dbname)
    failure = trace_odoo.install_modules(dbname, trace_odoo.MODULES, logfile, with_demo=False)
    if failure:
        pytest.fail(failure)


def _wait_for_login_page(url, process, logfile):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Odoo exited ({process.returncode}) while starting, see {logfile}")
        try:
            with urllib.request.urlopen(f"{url}/web/login", timeout=10) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"Odoo did not answer {url}/web/login within {START_TIMEOUT}s, see {logfile}")


@pytest.fixture(scope="session")
def odoo_server():
    trace_odoo.import_odoo()
    trace_odoo.ensure_role()
    dbname = f"trace_rpc_{os.getpid()}"
    logdir = trace_odoo.log_dir()
    logdir.mkdir(parents=True, exist_ok=True)
    if os.environ.get("TRACE_RPC_TEMPLATE"):
        trace_odoo.clone_db(os.environ["TRACE_RPC_TEMPLATE"], dbname)
    else:
        _install(dbname, logdir / f"{dbname}-install.log")
        if os.environ.get("TRACE_RPC_KEEP_TEMPLATE"):
            trace_odoo.clone_db(dbname, os.environ["TRACE_RPC_KEEP_TEMPLATE"])
    port = trace_odoo.free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = logdir / f"{dbname}-server.log"
    with open(server_log, "w", encoding="utf-8") as log:
        process = subprocess.Popen(
            trace_odoo.odoo_command(
                dbname,
                "--http-interface=127.0.0.1",
                f"--http-port={port}",
                "--max-cron-threads=0",
                "--log-level=info",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_login_page(url, process, server_log)
        yield OdooServer(url=url, db=dbname, log_path=server_log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if os.environ.get("TRACE_RPC_KEEP"):
            print(f"\nKept database {dbname} (TRACE_RPC_KEEP)")
        else:
            trace_odoo.drop_db(dbname)


@pytest.fixture(scope="session")
def admin(odoo_server):
    """XML-RPC as the administrator (Traceability and Recall Manager)."""
    return XmlRpc(odoo_server.url, odoo_server.db, odoo_server.login, odoo_server.password)


@pytest.fixture(scope="session")
def admin_json(odoo_server):
    """JSON-RPC (/jsonrpc) as the administrator."""
    return JsonRpc(odoo_server.url, odoo_server.db, odoo_server.login, odoo_server.password)


@pytest.fixture(scope="session")
def admin_web(odoo_server):
    """A web-client session of the administrator: /web/dataset/call_kw and downloads."""
    return WebSession(odoo_server.url, odoo_server.db, odoo_server.login, odoo_server.password)


@pytest.fixture(scope="session")
def scenario(admin):
    """Receipts, manufacturing orders and deliveries of the demo story, and the users,
    made once over XML-RPC (see rpc_scenario.py)."""
    return Scenario(admin).build()
