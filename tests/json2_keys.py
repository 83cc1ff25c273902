"""API keys for Odoo 19.0's JSON-2 API, made by Odoo's own ``shell`` on a database.

JSON-2 (``POST /json/2/<model>/<method>``) authenticates with an API key only; a user makes
one in *Preferences > Security > Add API Key*. For the tests (and an administrator
with access to the database), :func:`generate_api_keys` makes them without the web client:
it runs ``odoo shell`` on the database with the launcher's settings (``tools.odoo_env``:
addons path, data directory, PostgreSQL) and calls
``env["res.users.apikeys"].with_user(user)._generate(scope, name, expiration_date)``, then
commits. From the command line (the launcher picks Odoo 19.0's interpreter)::

    python3 -m tests.json2_keys --db trace_demo_19 admin [--days 1] [--name "ERP link"]
"""

import argparse
import json
import os
import subprocess
import sys

from tools import odoo_env

MARKER = "TRACE-JSON2-KEY "
# Run by ``odoo shell`` (``env`` is the superuser's); PARAMS is replaced by the arguments' JSON.
SCRIPT = """
import datetime, json
params = json.loads(PARAMS)
expiration = datetime.datetime.now() + datetime.timedelta(days=params["days"]) if params["days"] else None
for login in params["logins"]:
    user = env["res.users"].search([("login", "=", login)])
    if len(user) != 1:
        raise SystemExit(f"no user with the login {login!r}")
    key = env["res.users.apikeys"].with_user(user)._generate(params["scope"], params["name"], expiration)
    print(MARKER + json.dumps([login, key]), flush=True)
env.cr.commit()
"""


def generate_api_keys(db, logins, name="trace tests (JSON-2)", days=1, scope=None, timeout=300, json2=True):
    """{login: API key} of new keys for the users ``logins`` of ``db``, valid ``days`` days
    (at most 1 for a user who is not an administrator unless one of their groups allows
    more; ``days=None``: a key that never expires, for an administrator only); ``scope``
    None: every RPC, JSON-2 included. One ``odoo shell`` of the Odoo series in use, which
    must be 19.0 or later (18.0 has no JSON-2) unless ``json2`` is false (a key for XML-RPC
    or a bearer route such as ``/epcis/capture``, which 18.0 has too); :class:`RuntimeError`
    when it fails."""
    if json2 and odoo_env.requested_version() < 19:
        raise RuntimeError(f"JSON-2 API keys need Odoo 19.0 or later, not {odoo_env.requested_version()}.0")
    odoo_env.import_odoo()  # this Python runs that Odoo (the launcher re-executes otherwise)
    params = {"logins": list(logins), "name": name, "days": days, "scope": scope}
    script = SCRIPT.replace("PARAMS", repr(json.dumps(params))).replace("MARKER", repr(MARKER))
    command = [
        *odoo_env.odoo_cli(),
        "shell",
        *odoo_env.server_options(db),
        "--no-http",
        "--max-cron-threads=0",
        "--log-level=warn",
    ]
    done = subprocess.run(command, input=script, capture_output=True, text=True, timeout=timeout, check=False)
    keys = dict(json.loads(line.removeprefix(MARKER)) for line in done.stdout.splitlines() if line.startswith(MARKER))
    if done.returncode or set(keys) != set(logins):
        raise RuntimeError(
            f"odoo shell on {db} made no API key for {sorted(set(logins) - set(keys))} "
            f"(exit {done.returncode}):\n{done.stderr[-3000:]}{done.stdout[-1000:]}"
        )
    return keys


def generate_api_key(db, login, **options):
    """A new API key of the user ``login`` of ``db`` (see :func:`generate_api_keys`)."""
    return generate_api_keys(db, [login], **options)[login]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True)
    parser.add_argument("--name", default="JSON-2 integration")
    parser.add_argument("--days", type=float, default=1, help="validity in days; 0: never expires (administrators)")
    parser.add_argument("login")
    args = parser.parse_args()
    os.environ.setdefault("ODOO", "19")
    try:
        print(generate_api_key(args.db, args.login, name=args.name, days=args.days or None))
    except RuntimeError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main()
