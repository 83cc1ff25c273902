"""Every raw SQL statement in the repository takes its values as parameters.

A static check over all Python files: the query given to ``cursor.execute`` (or to Odoo's
``SQL`` builder) is a literal string, a ``SQL(...)`` object, or a name bound to one; never
an f-string, ``%`` / ``+`` formatting or ``str.format`` of a query. Values go in as
``%s`` / ``%(name)s`` parameters, identifiers through ``SQL.identifier``.
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path
    for pattern in ("trace_*/**/*.py", "tools/**/*.py", "tests/**/*.py")
    for path in REPO.glob(pattern)
    if "/.git/" not in str(path)
)


def _is_built_string(node):
    """An expression that builds text at run time (so could splice a value into SQL)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        # "..." "..." concatenation of literals only is fine
        return not (_is_literal(node.left) and _is_literal(node.right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return isinstance(node.func.value, ast.Constant)
    return False


def _is_literal(node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _call_name(node):
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


def _violations(tree):
    """(line, reason) of every query built from text at run time."""
    assigned = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _call_name(node)
        if name not in ("execute", "executemany", "mogrify", "SQL"):
            continue
        query = node.args[0]
        candidates = [query, *assigned.get(query.id, [])] if isinstance(query, ast.Name) else [query]
        for candidate in candidates:
            if _is_built_string(candidate):
                found.append((node.lineno, f"{name}() of a query built with {type(candidate).__name__}"))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: str(path.relative_to(REPO)))
def test_queries_take_values_as_parameters(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert not _violations(tree), f"{path.relative_to(REPO)}: {_violations(tree)}"


def test_the_check_finds_spliced_values():
    bad = ast.parse(
        "cr.execute(f\"SELECT * FROM stock_lot WHERE name = '{name}'\")\n"
        'cr.execute("SELECT * FROM stock_lot WHERE id = %s" % lot_id)\n'
        'query = "DELETE FROM x WHERE id = " + str(i)\ncr.execute(query)\n'
        'cr.execute(SQL("SELECT {}".format(col)))\n'
    )
    assert len(_violations(bad)) == 4
    good = ast.parse(
        'cr.execute("SELECT 1")\ncr.execute(SQL("SELECT %s", 1))\n'
        'query = SQL("SELECT %(x)s", x=1)\ncr.execute(query)\ncr.execute("SELECT 1 " "FROM x", [1])\n'
    )
    assert not _violations(good)
