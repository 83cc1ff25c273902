"""The External API examples of docs/api.md, run in order against the live server.

Every ```python block of docs/api.md is a step of one script (the first one connects);
each runs here as a test, in the page's order, sharing one namespace, against the
scenario's documents (the demo story's names). The first block's connection line is
pointed at the test server; on 19.0, the JSON-2 block's API key line gets a key of the
administrator (``json2_keys.py``).
"""

import re
from pathlib import Path

import pytest
from json2_keys import generate_api_key

from tools import odoo_env

REPO = Path(__file__).resolve().parent.parent
API_DOC = Path("docs") / "api.md"
CONNECT = 'url, db, login, password = "http://localhost:8069", "trace_demo", "admin", "admin"'
API_KEY = 'api_key = "your-api-key"'


def api_examples():
    """[(section title, code)] of the python blocks of docs/api.md, in the page's order."""
    text = (REPO / API_DOC).read_text(encoding="utf-8")
    examples, title = [], "External API"
    for match in re.finditer(r"^#{2,3} ([^\n]+)$|^```python\n(.*?)^```$", text, re.MULTILINE | re.DOTALL):
        if match.group(1):
            title = match.group(1)
        else:
            examples.append((title, match.group(2)))
    return examples


EXAMPLES = api_examples()


@pytest.fixture(scope="module")
def namespace(odoo_server, scenario, tmp_path_factory):
    """The script's globals, shared by the blocks; files are written in a scratch folder."""
    del scenario  # the documents the examples name
    api_key = generate_api_key(odoo_server.db, "admin") if odoo_env.requested_version() >= 19 else None
    return {"__name__": "api_examples", "_cwd": tmp_path_factory.mktemp("api"), "_api_key": api_key}


def test_api_doc_has_examples():
    titles = [title for title, _code in EXAMPLES]
    assert len(EXAMPLES) >= 8, titles
    assert CONNECT in EXAMPLES[0][1], "the first example connects with the line the test rewrites"
    assert any(API_KEY in code for _title, code in EXAMPLES), "the JSON-2 example's key line, which the test rewrites"


@pytest.mark.parametrize(
    ("title", "code"), EXAMPLES, ids=[f"{API_DOC.as_posix()}-{n}-{title}" for n, (title, _c) in enumerate(EXAMPLES)]
)
def test_api_example(odoo_server, namespace, monkeypatch, title, code):
    monkeypatch.chdir(namespace["_cwd"])
    code = code.replace(
        CONNECT, f"url, db, login, password = {odoo_server.url!r}, {odoo_server.db!r}, 'admin', 'admin'"
    )
    if namespace["_api_key"]:
        code = code.replace(API_KEY, f"api_key = {namespace['_api_key']!r}")
    exec(compile(code, f"{API_DOC.as_posix()}: {title}", "exec"), namespace)  # the page is ours
