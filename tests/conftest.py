"""A live Odoo for the external API suite: one server for the whole pytest session.

``odoo_server`` creates a fresh database (``trace_rpc_<pid>``) with the three add-ons and
no demo data, serves it on a free port of 127.0.0.1 with the live-server harness
(``tools.harness.Server``, as the load test and the browser tools do), and drops it at the
end. Odoo, the addons path and the PostgreSQL settings come from the launcher's library
(``tools.odoo_env``), exactly as ``make test`` runs Odoo.

``TRACE_RPC_KEEP=1`` keeps the database (and prints its name) for a look afterwards.
While developing, ``TRACE_RPC_TEMPLATE=<db>`` copies that database (and its filestore)
instead of installing: a database the add-ons were installed on without demo data and
nothing else done, e.g. one made by a first run with ``TRACE_RPC_KEEP_TEMPLATE=<db>``.
"""

import os

import pytest
from rpc_scenario import Scenario

from tools import odoo_env
from tools.harness import Server
from tools.odoo_rpc import JsonRpc, WebSession, XmlRpc


def _install(dbname, logfile):
    """The three add-ons, without demo data, on a new database; fails on any logged error."""
    odoo_env.drop_db(dbname)
    failure = odoo_env.install_modules(dbname, odoo_env.MODULES, logfile, with_demo=False)
    if failure:
        pytest.fail(failure)


@pytest.fixture(scope="session")
def odoo_server():
    """The harness's :class:`~tools.harness.Server` (threaded, crons off) on the suite's
    database: ``url``, ``db``, ``login``, ``password``, ``log_size()``, ``log_since()``."""
    odoo_env.import_odoo()
    odoo_env.ensure_role()
    dbname = f"trace_rpc_{os.getpid()}"
    logdir = odoo_env.log_dir()
    if os.environ.get("TRACE_RPC_TEMPLATE"):
        odoo_env.clone_db(os.environ["TRACE_RPC_TEMPLATE"], dbname)
    else:
        _install(dbname, logdir / f"{dbname}-install.log")
        if os.environ.get("TRACE_RPC_KEEP_TEMPLATE"):
            odoo_env.clone_db(dbname, os.environ["TRACE_RPC_KEEP_TEMPLATE"])
    server = Server(dbname, workers=0, logfile=logdir / f"{dbname}-server.log")
    try:
        try:
            server.start()
        except RuntimeError as error:
            pytest.fail(str(error))
        yield server
    finally:
        server.stop()
        if os.environ.get("TRACE_RPC_KEEP"):
            print(f"\nKept database {dbname} (TRACE_RPC_KEEP)")
        else:
            odoo_env.drop_db(dbname)


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
