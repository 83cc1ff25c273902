"""The repository's tools: the launcher, the live-server harness, the load test, the
benchmark, the browser tools and the external API clients.

Run each from the repository's root as a module: ``python3 -m tools.trace_odoo test``,
``python3 -m tools.loadtest``, ``python3 -m tools.bench.run``. A tool imports another as
``from tools import odoo_env``; the tests find the package through ``pyproject.toml``
(pytest's ``pythonpath``). See docs/development.md, "Repository layout".
"""
