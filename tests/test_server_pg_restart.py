"""PostgreSQL restarted under load: Odoo (2 workers) keeps running and recovers by itself
(Odoo 19.0's server may stop instead, when it must start a worker during the outage: then it
is started again, as its supervisor would, and the same checks follow).

Readers trace and writers take manufacturing orders to done while the database server
restarts (``pg_ctlcluster ... restart``, as root on a Debian cluster; skipped elsewhere).
A request caught by the restart gets an error about the connection (one a client can
retry), never a wrong answer; once PostgreSQL is back every call succeeds again without
restarting Odoo; and nothing is half-written: an order is done with its genealogy links,
or not done and without any.

(Named to run after the ``test_rpc_*`` files: it adds its own orders.)
"""

import os
import shutil
import subprocess
import threading
import time

import psycopg2
import pytest

from tools import odoo_env
from tools.harness import PASSWORD, Server, World, prepare_production, receive
from tools.odoo_rpc import JsonRpc, RpcError, XmlRpc

# What a client sees from a request that lost its database connection.
CONNECTION_ERRORS = ("OperationalError", "InterfaceError", "connection", "terminating", "shutting down")


def restart_command(dbname):
    if os.geteuid() != 0 or not shutil.which("pg_ctlcluster"):
        pytest.skip("restarting PostgreSQL needs root and a Debian cluster (pg_ctlcluster)")
    del dbname  # the server's settings are read as its superuser: the odoo role (LOGIN CREATEDB) may not
    try:
        version, directory = odoo_env.admin_query(
            "SELECT current_setting('server_version_num')::int / 10000, current_setting('data_directory')"
        )[0]
    except psycopg2.OperationalError as exc:
        pytest.skip(f"finding the cluster to restart needs PostgreSQL's superuser (PGADMINUSER): {exc}")
    cluster = os.path.basename(directory.rstrip("/"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", str(version), cluster, "restart"]


def wait_for_postgres(dbname, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            odoo_env.pg_query(dbname, "SELECT 1")
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_postgresql_restarted_under_load(odoo_server, scenario):
    db = odoo_server.db
    restart = restart_command(db)
    server = Server(db, workers=2).start()
    stop = threading.Event()
    calls, orders = [], []
    flour = scenario.lots["FL-261101"]
    try:
        world = World(XmlRpc(server.url, db, "admin", PASSWORD), f"R{int(time.time()) % 100000}")
        expected = JsonRpc(server.url, db, "admin", PASSWORD)("stock.lot", "trace_forward", [flour])

        def read():
            client = JsonRpc(server.url, db, "admin", PASSWORD)
            while not stop.is_set():
                try:
                    calls.append(("ok", client("stock.lot", "trace_forward", [flour]) == expected))
                except (RpcError, OSError) as error:
                    calls.append(("error", str(error)))
                time.sleep(0.05)

        def write():
            admin = XmlRpc(server.url, db, "admin", PASSWORD)
            index = 0
            while not stop.is_set():
                index += 1
                try:
                    component = receive(admin, world, f"PGR-{world.tag}-{index}")
                    production, _lot = prepare_production(admin, world, component, f"PGR-{world.tag}-{index}-P")
                    orders.append(production)
                    admin("mrp.production", "button_mark_done", [production])
                except Exception:
                    time.sleep(0.2)

        threads = [threading.Thread(target=read) for _ in range(2)] + [threading.Thread(target=write)]
        for thread in threads:
            thread.start()
        time.sleep(4)
        restarted_at = len(calls)
        subprocess.run(restart, check=True, capture_output=True)
        wait_for_postgres(db)
        # Odoo was not restarted: it serves again by itself. Except where Odoo 19.0's
        # multi-process server had to start a worker while PostgreSQL was still down: it then
        # stops itself (PreforkServer.process_spawn -> check_registries, Odoo's own code), and a
        # supervisor (systemd, Docker's restart policy) starts it again, as done here.
        deadline = time.monotonic() + 60
        client = None  # logging in is a request too: made once Odoo answers
        supervised = False
        while True:
            if server.process.poll() is not None and not supervised:
                log = server.logfile.read_text(encoding="utf-8", errors="replace")
                assert "check_registries" in log, f"Odoo stopped ({server.process.returncode}): {log[-2000:]}"
                server.output.close()
                server.start(append=True)
                supervised = True
                print("\nOdoo's server stopped while PostgreSQL was down (check_registries): started again")
            try:
                client = client or JsonRpc(server.url, db, "admin", PASSWORD)
                assert client("stock.lot", "trace_forward", [flour]) == expected
                break
            except (RpcError, OSError):
                assert time.monotonic() < deadline, "Odoo did not recover after PostgreSQL restarted"
                time.sleep(0.5)
        recovered_at = len(calls)
        time.sleep(4)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        # Every answer was right; every error was about the lost connection. A request whose
        # connection broke before Odoo's JSON-RPC dispatcher ran (opening the registry or the
        # session) gets a bare HTTP 500 page, with the reason in the server's log only.
        assert all(value is True for kind, value in calls if kind == "ok")
        errors = [value for kind, value in calls if kind == "error"]
        bare = [error for error in errors if error.startswith("HTTP Error 500")]
        log = server.logfile.read_text(encoding="utf-8", errors="replace")
        assert not bare or any(word in log for word in CONNECTION_ERRORS[:2]), log[-2000:]
        errors = [error for error in errors if error not in bare]
        # A server that stops drops its open requests, and its port refuses connections until
        # it is started again.
        stopped = ("Connection refused", "Connection reset", "Remote end closed")
        expected_errors = (*CONNECTION_ERRORS, *stopped) if supervised else CONNECTION_ERRORS
        unexpected = [error for error in errors if not any(word in error for word in expected_errors)]
        assert not unexpected, unexpected[:3]
        print(f"\nPostgreSQL restarted: {len(errors) + len(bare)} of {len(calls)} traces got a connection error")
        assert [kind for kind, _value in calls[recovered_at + 5 :]] == ["ok"] * len(calls[recovered_at + 5 :])
        assert restarted_at > 0 and len(calls) > recovered_at + 5
        # All or nothing: done with its links, or not done and without links.
        admin = XmlRpc(server.url, db, "admin", PASSWORD)
        assert orders
        for production in orders:
            state = admin("mrp.production", "read", [production], ["state"])[0]["state"]
            links = admin("trace.lot.link", "search_count", [["production_id", "=", production]])
            assert (state == "done") == (links > 0), (production, state, links)
    finally:
        stop.set()
        server.stop()
