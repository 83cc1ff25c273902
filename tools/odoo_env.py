"""Odoo's surroundings for the tools and the tests: which Odoo, where, and its databases.

The Odoo of the series asked for (``ODOO``, ``--odoo``) is imported, or found in another
interpreter (:func:`import_odoo`), never configured; the addons path comes from where it
lives (:func:`addons_path`), PostgreSQL's settings from PGHOST, PGPORT, PGUSER and
PGPASSWORD with the role ``odoo`` by default (:func:`pg_settings`, :func:`ensure_role`).

The launcher (:mod:`tools.trace_odoo`) is the command line over this module; the load
test, the benchmark, the browser tools, the live-server harness (:mod:`tools.harness`) and
the tests in ``tests/`` import it.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODULES = ("trace_compliance", "trace_recall", "trace_warranty")
SUPPORTED = (18, 19)

INSTALL_HINT = """\
Odoo {version}.0 cannot be imported: {error}

The launcher looks for Odoo {version}.0 (ODOO={version}), in this order:
  * the Python running it ({python}), when `import odoo` gives {version}.0;
  * the interpreter named by ODOO{version}_PYTHON;
  * the virtual environment $WORKON_HOME/odoo{version} (WORKON_HOME: ~/.virtualenvs).
Install Odoo {version}.0 one of the usual ways, e.g. from source in that environment:
  python3 -m venv ~/.virtualenvs/odoo{version}
  git clone --depth 1 -b {version}.0 https://github.com/odoo/odoo odoo{version}
  ~/.virtualenvs/odoo{version}/bin/pip install -r odoo{version}/requirements.txt -r requirements.txt
  ~/.virtualenvs/odoo{version}/bin/pip install -e ./odoo{version}
or the official Debian/Ubuntu package (nightly.odoo.com), or Docker instead:
  docker compose -f docker/compose-{version}.yaml up
Odoo 18.0 and 19.0 need an environment each: 19.0's `odoo` is a namespace package that an
18.0 tree on the same path shadows. See README.md, "Install".
"""
# Odoo's own modules that the add-ons extend: their tests are the gate of ``test-core``.


def requested_version():
    """The Odoo series asked for: ``--odoo`` / ``ODOO`` (18 or 19); by default the one the
    running Python imports (19 when it imports none)."""
    wanted = os.environ.get("ODOO", "").strip().removesuffix(".0")
    if wanted:
        if not wanted.isdigit() or int(wanted) not in SUPPORTED:
            sys.exit(f"ODOO={wanted!r}: the add-ons support Odoo {' and '.join(map(str, SUPPORTED))}.")
        return int(wanted)
    return imported_version() or SUPPORTED[-1]


def imported_version():
    """The major version of the ``odoo`` this Python imports, or None."""
    try:
        from odoo import release  # noqa: PLC0415  (the whole point: probe at run time)
    except ImportError:
        return None
    return release.version_info[0]


def interpreter_version(python):
    """The major version of the ``odoo`` that the interpreter ``python`` imports, or None."""
    try:
        out = subprocess.run(
            [python, "-c", "from odoo import release; print(release.version_info[0])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except OSError:
        return None
    return int(out.stdout) if out.returncode == 0 and out.stdout.strip().isdigit() else None


def odoo_interpreters(version):
    """Where Odoo ``version`` may be, in the order :func:`import_odoo` tries them."""
    yield os.environ.get(f"ODOO{version}_PYTHON")
    workon = Path(os.environ.get("WORKON_HOME") or Path.home() / ".virtualenvs").expanduser()
    yield str(workon / f"odoo{version}" / "bin" / "python")


def import_odoo():
    """Return the imported ``odoo`` package of the version asked for (:func:`requested_version`).

    When this Python imports another version or none, the launcher runs again in the
    interpreter that has it (:func:`odoo_interpreters`), with ``ODOO`` set for the children;
    without one, it exits 3 with installation advice."""
    version = requested_version()
    if imported_version() == version:
        os.environ["ODOO"] = str(version)
        import odoo  # noqa: PLC0415

        return odoo
    for python in odoo_interpreters(version):
        if python and Path(python).exists() and interpreter_version(python) == version:
            os.environ["ODOO"] = str(version)
            os.execv(python, [python, *sys.orig_argv[1:]])
    try:
        from odoo import release  # noqa: PLC0415

        error = f"this Python imports Odoo {release.version}"
    except ImportError as exc:
        error = str(exc)
    sys.stderr.write(INSTALL_HINT.format(version=version, python=sys.executable, error=error))
    sys.exit(3)


def odoo_package_dir():
    """The folder of the imported ``odoo`` package (19.0's is a namespace package: no
    ``__file__``)."""
    odoo = import_odoo()
    return Path(next(iter(odoo.__path__))).resolve()


def addons_path():
    """The addons path: Odoo's own add-on folders, then this repository."""
    package_dir = odoo_package_dir()
    paths = [package_dir / "addons", package_dir.parent / "addons", REPO]
    seen = []
    for path in paths:
        if path.is_dir() and any(path.glob("*/__manifest__.py")) and path not in seen:
            seen.append(path)
    return ",".join(str(p) for p in seen)


def pg_settings():
    return {
        "host": os.environ.get("PGHOST", "127.0.0.1"),
        "port": os.environ.get("PGPORT", "5432"),
        "user": os.environ.get("PGUSER", "odoo"),
    }


def ensure_role():
    """Make sure the PostgreSQL role exists; create it when a superuser may."""
    import psycopg2  # noqa: PLC0415

    pg = pg_settings()
    if pg["user"] == "postgres":
        sys.exit("PGUSER=postgres is refused by Odoo: use another role (default: odoo).")
    try:
        psycopg2.connect(dbname="postgres", **pg).close()
        return pg
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc) or "role" not in str(exc):
            sys.exit(f"Cannot connect to PostgreSQL at {pg['host']}:{pg['port']}: {exc}")
    from psycopg2 import sql  # noqa: PLC0415

    try:
        admin_query(sql.SQL("CREATE ROLE {} LOGIN CREATEDB").format(sql.Identifier(pg["user"])))
    except psycopg2.OperationalError as exc:
        sys.exit(
            f"Role {pg['user']!r} does not exist and cannot be created as "
            f"{admin_user()!r}: {exc}\nCreate it: createuser --createdb {pg['user']}"
        )
    print(f"Created PostgreSQL role {pg['user']!r} (LOGIN CREATEDB).")
    return pg


def pg_query(dbname, query, params=(), port=None, user=None):
    """The rows of ``query`` on ``dbname`` (none for a statement that returns none), in
    its own connection (autocommit), on the server at ``port`` (default: PGPORT's), as
    ``user`` (default: PGUSER's). PostgreSQL's errors are raised."""
    import psycopg2  # noqa: PLC0415

    given = {key: value for key, value in (("port", port), ("user", user)) if value}
    conn = psycopg2.connect(dbname=dbname, **dict(pg_settings(), **given))
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall() if cr.description else []
    finally:
        conn.close()


def admin_user():
    """PostgreSQL's superuser for what the ``odoo`` role may not do: ``PGADMINUSER``
    (default ``postgres``)."""
    return os.environ.get("PGADMINUSER", "postgres")


def admin_query(query, params=()):
    """The rows of ``query`` on the database ``postgres`` as the PostgreSQL superuser the
    launcher creates the ``odoo`` role with (``PGADMINUSER``, default ``postgres``), for
    what that role may not do (server settings such as ``data_directory``). Raises
    ``psycopg2.OperationalError`` when no such connection is possible."""
    return pg_query("postgres", query, params, user=admin_user())


def db_query(dbname, query, params=()):
    """:func:`pg_query`, or None when the database cannot be reached or the query fails."""
    import psycopg2  # noqa: PLC0415

    try:
        return pg_query(dbname, query, params)
    except psycopg2.Error:
        return None


def drop_db(dbname):
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    conn = psycopg2.connect(dbname="postgres", **pg_settings())
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
    conn.close()
    shutil.rmtree(Path(data_dir()) / "filestore" / dbname, ignore_errors=True)


def data_dir():
    """Odoo's data directory (filestore, sessions) and our logs: one per Odoo series."""
    return os.environ.get("ODOO_DATA_DIR", str(REPO / f".odoo-data{series_suffix('-')}"))


def series_suffix(separator):
    """What the names of the series in use end with: nothing on 18.0, ``<separator>19`` on
    19.0, so that the two never open each other's databases or filestores."""
    version = requested_version()
    return "" if version == SUPPORTED[0] else f"{separator}{version}"


def db_name(name):
    """The database ``name`` for the Odoo series in use (:func:`series_suffix`)."""
    suffix = series_suffix("_")
    return name if name.endswith(suffix) else f"{name}{suffix}"


def demo_options(with_demo):
    """Odoo's options to load demo data or not, on a new database: 18.0 loads it unless
    told ``--without-demo=all``; 19.0 only when told ``--with-demo``."""
    if requested_version() == 18:
        return [] if with_demo else ["--without-demo=all"]
    return ["--with-demo"] if with_demo else []


def log_dir():
    path = Path(data_dir()) / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_options(dbname):
    """Odoo's options for ``dbname``: addons path, data directory, PostgreSQL settings."""
    pg = pg_settings()
    return [
        f"--addons-path={addons_path()}",
        f"--data-dir={data_dir()}",
        f"--db_host={pg['host']}",
        f"--db_port={pg['port']}",
        f"--db_user={pg['user']}",
        f"--database={dbname}",
    ]


def odoo_cli():
    """The command that runs Odoo's command line (``odoo-bin``) in this interpreter:
    ``tools/odoo_cli.py``, a file, since Odoo's multi-process server runs its own command
    line again (``sys.argv[0]``) for its websocket process."""
    return [sys.executable, str(REPO / "tools" / "odoo_cli.py")]


def odoo_command(dbname, *args):
    """The command line that runs Odoo's server on ``dbname`` with our settings."""
    return [
        *odoo_cli(),
        "server",
        *server_options(dbname),
        f"--db-filter=^{re.escape(dbname)}$",
        "--no-database-list",
        *args,
    ]


def db_command(*args):
    """Odoo's own database manager on the command line (``odoo-bin db``: ``dump`` a
    database with its filestore to a zip, ``load`` one) with our settings."""
    pg = pg_settings()
    return [
        *odoo_cli(),
        "db",
        f"--addons-path={addons_path()}",
        f"--data-dir={data_dir()}",
        f"--db_host={pg['host']}",
        f"--db_port={pg['port']}",
        f"--db_user={pg['user']}",
        *args,
    ]


# 19.0 serves some requests in a read-only transaction and, when one writes after all, logs
# the refused query as an ERROR, then runs the request again with a read/write cursor (a
# warning): Odoo's own stock_account writes stock.lot.avg_cost whenever a lot form is read.
# The retried query is no failure.
RETRIED_READONLY_RE = re.compile(
    r"^\S+ \S+ (\d+) ERROR \S+ odoo\.sql_db: bad query: [^\n]*\nERROR: cannot execute \w+ in a read-only transaction\n"
    r"(?:\s*\n)*\S+ \S+ \1 WARNING \S+ odoo\.http: cannot execute \w+ in a read-only transaction, retrying with a "
    r"read/write cursor",
    re.MULTILINE,
)


def install_problems(text):
    """Lines of an Odoo log that say an install went wrong although Odoo exited 0.

    Odoo logs a demo file that fails to load as a warning and goes on without demo data.
    A query Odoo retried with a read/write cursor (:data:`RETRIED_READONLY_RE`) is not one.
    """
    text = RETRIED_READONLY_RE.sub("", text)
    pattern = r"^\S+ \S+ \d+ (?:(?:ERROR|CRITICAL) .*|WARNING .*demo data failed to install.*)$"
    return [
        line
        for line in re.findall(pattern, text, re.MULTILINE)
        if ".tests." not in line and "odoo.tests.result" not in line
    ]


def clone_db(source, target):
    """``target`` becomes a copy of ``source``: the database and its filestore."""
    import psycopg2  # noqa: PLC0415
    from psycopg2 import sql  # noqa: PLC0415

    drop_db(target)
    conn = psycopg2.connect(dbname="postgres", **pg_settings())
    conn.autocommit = True
    with conn.cursor() as cr:
        cr.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(target), sql.Identifier(source)))
    conn.close()
    filestore = Path(data_dir()) / "filestore"
    if (filestore / source).is_dir():
        shutil.copytree(filestore / source, filestore / target)


def install_modules(dbname, modules, logfile, with_demo=True):
    """Install ``modules`` on ``dbname`` (created when missing), no test. Returns what went
    wrong (the exit code and the errors logged, naming the log), or None."""
    args = ["-i", ",".join(modules), "--stop-after-init", f"--http-port={free_port()}", "--log-level=warn"]
    args += demo_options(with_demo)
    with open(logfile, "w", encoding="utf-8") as log:
        rc = subprocess.call(odoo_command(dbname, *args), stdout=log, stderr=subprocess.STDOUT)
    problems = install_problems(Path(logfile).read_text(encoding="utf-8"))
    if rc or problems:
        return "\n".join(
            [f"Installing {', '.join(modules)} on {dbname!r} failed (exit {rc}): see {logfile}", *problems]
        )
    return None
