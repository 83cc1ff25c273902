#!/usr/bin/env python3
"""Odoo's command line (``odoo-bin``) in the interpreter running it.

The launcher runs Odoo through this file rather than ``python -c``: Odoo's multi-process
server starts its websocket process by running its own command line again
(``sys.executable, sys.argv[0], "gevent", ...``), so ``sys.argv[0]`` must be a file that runs
it. On 19.0 the main process also reads the database before spawning each process: a
websocket process that cannot start is spawned again and again, and the first attempt made
while PostgreSQL is down stops the whole server.
"""

import sys

from odoo.cli import main

if __name__ == "__main__":
    sys.exit(main())
