"""The README's External API examples, run in order against the live server.

Every ```python block of the README's "External API" section is a step of one script
(the first one connects); each runs here as a test, in the README's order, sharing one
namespace, against the scenario's documents (the demo story's names). The first block's
connection line is pointed at the test server.
"""

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
CONNECT = 'url, db, login, password = "http://localhost:8069", "trace_demo", "admin", "admin"'


def readme_examples():
    """[(subsection title, code)] of the python blocks of the External API section."""
    text = README.read_text(encoding="utf-8")
    section = re.search(r"^## External API\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL).group(1)
    examples, title = [], "External API"
    for match in re.finditer(r"^### ([^\n]+)$|^```python\n(.*?)^```$", section, re.MULTILINE | re.DOTALL):
        if match.group(1):
            title = match.group(1)
        else:
            examples.append((title, match.group(2)))
    return examples


EXAMPLES = readme_examples()


@pytest.fixture(scope="module")
def namespace(odoo_server, scenario, tmp_path_factory):
    """The script's globals, shared by the blocks; files are written in a scratch folder."""
    del scenario  # the documents the examples name
    return {"__name__": "readme", "_cwd": tmp_path_factory.mktemp("readme")}


def test_readme_has_examples():
    titles = [title for title, _code in EXAMPLES]
    assert len(EXAMPLES) >= 8, titles
    assert CONNECT in EXAMPLES[0][1], "the first example connects with the line the test rewrites"


@pytest.mark.parametrize(("title", "code"), EXAMPLES, ids=[f"{n}-{title}" for n, (title, _c) in enumerate(EXAMPLES)])
def test_readme_example(odoo_server, namespace, monkeypatch, title, code):
    monkeypatch.chdir(namespace["_cwd"])
    code = code.replace(
        CONNECT, f"url, db, login, password = {odoo_server.url!r}, {odoo_server.db!r}, 'admin', 'admin'"
    )
    exec(compile(code, f"README.md: {title}", "exec"), namespace)  # the README is ours
