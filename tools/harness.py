"""The live-server harness: an Odoo server of our own on a database, and the records
writers work with, made over XML-RPC.

The load test (:mod:`tools.loadtest`), the browser tools (:mod:`tools.trace_map_browser`,
:mod:`tools.recall_response_browser`) and the tests in ``tests/`` (``conftest.py``'s
``odoo_server`` and the drills of ``test_server_*.py``) start Odoo with :class:`Server`;
:class:`World`, :func:`receive` and :func:`prepare_production` give them a production line
of their own to write on.
"""

import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tools import odoo_env

PASSWORD = "admin"


class Server:
    """Odoo's server on ``dbname`` (multi-process with ``workers``, threaded with 0), on free
    ports of 127.0.0.1, crons off, with the launcher's settings (:mod:`tools.odoo_env`); its
    log in ``logfile`` (default: ``loadtest-<dbname>.log`` in the launcher's log folder).
    ``db``, ``url``, ``login`` and ``password`` are what a client needs."""

    login = "admin"
    password = PASSWORD

    def __init__(self, dbname, workers, replica_port=None, logfile=None):
        self.db, self.workers = dbname, workers
        self.port = odoo_env.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = Path(logfile or Path(odoo_env.data_dir()) / "logs" / f"loadtest-{dbname}.log")
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        args = [
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={odoo_env.free_port()}",
            f"--workers={workers}",
            "--max-cron-threads=0",
            "--limit-time-real=1200",
            "--limit-time-cpu=1200",
            "--limit-memory-soft=4294967296",
            "--limit-memory-hard=6442450944",
            "--log-level=info",
        ]
        if replica_port:
            pg = odoo_env.pg_settings()
            args += [f"--db_replica_host={pg['host']}", f"--db_replica_port={replica_port}"]
        self.process = None
        self.args = args

    def start(self, timeout=180, append=False):
        """Start Odoo (again, on the same ports and log, with ``append``)."""
        self.output = open(self.logfile, "a" if append else "w", encoding="utf-8")  # closed by stop()
        self.process = subprocess.Popen(
            odoo_env.odoo_command(self.db, *self.args), stdout=self.output, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Odoo exited ({self.process.returncode}) while starting: see {self.logfile}")
            try:
                with urllib.request.urlopen(f"{self.url}/web/login", timeout=10) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Odoo did not answer {self.url} within {timeout}s: see {self.logfile}")

    def kill(self):
        """SIGKILL, as a crash: no request finishes, no transaction commits."""
        self.process.kill()
        self.process.wait()
        self.output.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if getattr(self, "output", None):
            self.output.close()

    def log_text(self):
        return self.logfile.read_text(encoding="utf-8", errors="replace")

    def log_size(self):
        return self.logfile.stat().st_size

    def log_since(self, offset):
        """What Odoo logged after the first ``offset`` bytes (:meth:`log_size`)."""
        with open(self.logfile, encoding="utf-8", errors="replace") as log:
            log.seek(offset)
            return log.read()


class World:
    """The products, partners and bill of materials the writers use: made once, over
    XML-RPC as the administrator, with names of their own (``tag``)."""

    def __init__(self, admin, tag):
        self.admin, self.tag = admin, tag
        rpc = admin
        self.company_id = rpc("res.users", "read", [rpc.uid], ["company_id"])[0]["company_id"][0]
        warehouse = rpc(
            "stock.warehouse",
            "search_read",
            [["company_id", "=", self.company_id]],
            ["lot_stock_id", "in_type_id"],
            limit=1,
        )[0]
        self.stock, self.in_type = warehouse["lot_stock_id"][0], warehouse["in_type_id"][0]
        self.suppliers = rpc.ref("stock.stock_location_suppliers")
        self.vendor = rpc("res.partner", "create", {"name": f"Load Mill {tag}", "is_company": True})
        kg, unit = rpc.ref("uom.product_uom_kgm"), rpc.ref("uom.product_uom_unit")
        self.component = self._product(f"Load Flour {tag}", kg, batch_record=False)
        self.finished = self._product(f"Load Loaf {tag}", unit, batch_record=True)
        template, uom = self._template(self.finished)
        self.bom = rpc(
            "mrp.bom",
            "create",
            {
                "product_tmpl_id": template,
                "product_qty": 10,
                "product_uom_id": uom,
                "consumption": "flexible",
                "bom_line_ids": [[0, 0, {"product_id": self.component, "product_qty": 5, "product_uom_id": kg}]],
            },
        )

    def _product(self, name, uom, batch_record):
        return self.admin(
            "product.product",
            "create",
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": uom,
                "trace_batch_record": batch_record,
            },
        )

    def _template(self, product):
        row = self.admin("product.product", "read", [product], ["product_tmpl_id", "uom_id"])[0]
        return row["product_tmpl_id"][0], row["uom_id"][0]


def receive(admin, world, lot_name):
    picking = admin(
        "stock.picking",
        "create",
        {
            "picking_type_id": world.in_type,
            "partner_id": world.vendor,
            "location_id": world.suppliers,
            "location_dest_id": world.stock,
            "move_ids": [
                [
                    0,
                    0,
                    {
                        "product_id": world.component,
                        "product_uom_qty": 5,
                        "location_id": world.suppliers,
                        "location_dest_id": world.stock,
                    },
                ]
            ],
        },
    )
    admin("stock.picking", "action_confirm", [picking])
    move = admin("stock.move", "search", [["picking_id", "=", picking]])[0]
    set_move_lines(admin, move, [{"picking_id": picking, "lot_name": lot_name, "quantity": 5}])
    result = admin("stock.picking", "button_validate", [picking])
    assert result is True, f"validating the receipt of {lot_name} opened {result}"
    return admin("stock.lot", "search", [["product_id", "=", world.component], ["name", "=", lot_name]])[0]


def prepare_production(admin, world, component_lot, lot_name):
    """A manufacturing order of 10 ``world.finished`` into a new lot ``lot_name``, consuming
    5 of ``component_lot``, ready to be marked done: ``(production id, lot id)``."""
    production = admin(
        "mrp.production", "create", {"product_id": world.finished, "bom_id": world.bom, "product_qty": 10}
    )
    admin("mrp.production", "action_confirm", [production])
    lot = admin("stock.lot", "create", {"name": lot_name, "product_id": world.finished, "company_id": world.company_id})
    admin("mrp.production", "write", [production], {"qty_producing": 10, **admin.series.producing_lot_vals(lot)})
    move = admin("stock.move", "search", [["raw_material_production_id", "=", production]])[0]
    set_move_lines(admin, move, [{"lot_id": component_lot, "quantity": 5}])
    return production, lot


def set_move_lines(admin, move_id, lines):
    """The detailed operations of a move: what Odoo reserved replaced by picked ``lines``
    (values of each: ``lot_id`` or ``lot_name``, ``quantity``, ...), as a user does."""
    move = admin(
        "stock.move",
        "read",
        [move_id],
        ["move_line_ids", "product_id", "product_uom", "location_id", "location_dest_id"],
    )[0]
    if move["move_line_ids"]:
        admin("stock.move.line", "unlink", move["move_line_ids"])
    for values in lines:
        admin(
            "stock.move.line",
            "create",
            {
                "move_id": move_id,
                "product_id": move["product_id"][0],
                "product_uom_id": move["product_uom"][0],
                "location_id": move["location_id"][0],
                "location_dest_id": move["location_dest_id"][0],
                "picked": True,
                **values,
            },
        )
    admin("stock.move", "write", [move_id], {"picked": True})
