"""The load test (``tools/loadtest.py``, ``make loadtest``) at a tiny size: Odoo's
multi-process server with 2 workers, on the suite's database beside the suite's own server,
readers and writers at once for a few seconds. No error reaches a client (a serialization
failure is Odoo's to retry), and no write is lost: every order done has its genealogy
links, every signature answered is stored. No time is asserted.

(Named to run after the ``test_rpc_*`` files: it adds its own products, lots and orders.)
"""

from tools import loadtest


def test_tiny_load_without_errors_or_lost_writes(odoo_server, scenario):
    figures = loadtest.run(odoo_server.db, workers=2, clients=3, writers=1, duration=6, log=lambda *_args: None)
    assert figures["errors"] == 0, figures["error_samples"]
    assert {"trace_forward", "trace_backward", "mo_done", "signature"} <= set(figures["kinds"])
    writes = figures["writes"]
    assert writes["productions_done"] >= 1 and writes["signatures"] >= 1
    assert (writes["productions_without_links"], writes["signatures_missing"]) == (0, 0)
    assert figures["database"]["deadlocks"] == 0


def test_a_lost_write_is_reported(admin):
    """The check that makes the test above meaningful: an order without links, a signature
    that is not there, are counted."""
    writes = loadtest.verify_writes(admin, {"productions": [(2**31 - 1, 1, 2)], "signatures": [2**31 - 1]})
    assert (writes["productions_without_links"], writes["signatures_missing"]) == (1, 1)
