"""The documentation holds together: no Odoo server needed.

Every relative link of README.md, ARCHITECTURE.md and docs/*.md points to a file or folder
that exists and, with an anchor, to a heading of that page (anchors as GitHub makes them);
every image exists; the README stays a five-minute read (under 12,000 bytes); the only
Python examples are those of docs/api.md, which ``test_rpc_readme.py`` runs; and the
sections that code and comments name (``README.md, "Install"``) exist.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = sorted([REPO / "README.md", REPO / "ARCHITECTURE.md", *(REPO / "docs").glob("*.md")])
README_LIMIT = 12_000

FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# A section named in code, comments or another page: README.md, "Install"; docs/api.md, "Recalls"
NAMED_SECTION = re.compile(r"\b((?:docs/)?[\w-]+\.md),? \"([^\"]+)\"")


def relative(path):
    return path.relative_to(REPO).as_posix()


def without_code_blocks(text):
    """The text with fenced code blocks blanked (their lines kept, so line numbers hold)."""
    return FENCE.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def heading_text(raw):
    """A heading as GitHub renders it: links reduced to their text, code and emphasis marks
    dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", raw)
    text = CODE_SPAN.sub(lambda match: match.group(0).strip("`"), text)
    return re.sub(r"(\*+|(?<!\w)_+|_+(?!\w))", "", text).strip()


def slug(text):
    """GitHub's anchor of a heading (github-slugger): lower case, punctuation but ``-`` and
    ``_`` removed, each space a hyphen."""
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def headings(path):
    """The heading texts of a Markdown page, in order."""
    text = without_code_blocks(path.read_text(encoding="utf-8"))
    return [heading_text(match.group(2)) for match in HEADING.finditer(text)]


def anchors(path):
    """The anchors of a page's headings, the repeated ones numbered as GitHub does."""
    seen, result = {}, set()
    for text in headings(path):
        base = slug(text)
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if not count else f"{base}-{count}")
    return result


def links(path):
    """(line, is_image, target) of the inline links and images outside code."""
    text = without_code_blocks(path.read_text(encoding="utf-8"))
    spans = [match.span() for match in CODE_SPAN.finditer(text)]
    for match in LINK.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        yield text.count("\n", 0, match.start()) + 1, bool(match.group(1)), match.group(3)


def test_slugs_are_githubs():
    assert slug(heading_text("Odoo's own tests as a gate: `make test-core`")) == (
        "odoos-own-tests-as-a-gate-make-test-core"
    )
    assert slug(heading_text("The trace map of the widest lot (`trace_graph`)")) == (
        "the-trace-map-of-the-widest-lot-trace_graph"
    )
    assert slug(heading_text("On Odoo 19.0, beside 18.0")) == "on-odoo-190-beside-180"
    assert slug(heading_text("Recalls (`trace_recall`)")) == "recalls-trace_recall"


def test_readme_is_short():
    size = (REPO / "README.md").stat().st_size
    assert size < README_LIMIT, f"README.md is {size:,} bytes: move the detail to docs/"


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_links_resolve(page):
    broken = []
    for line, is_image, target in links(page):
        if EXTERNAL.match(target):
            continue
        file_part, _hash, anchor = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        where = f"{relative(page)}:{line}: {target}"
        if not destination.exists():
            broken.append(f"{where}: no such {'image' if is_image else 'file'}")
        elif is_image and not destination.is_file():
            broken.append(f"{where}: the image is not a file")
        elif anchor:
            if destination.suffix != ".md" or not destination.is_file():
                broken.append(f"{where}: an anchor into what is not a Markdown page")
            elif anchor not in anchors(destination):
                broken.append(f"{where}: no heading with that anchor in {relative(destination)}")
    assert not broken, "\n".join(broken)


def test_pages_have_links():
    """The checker reads the pages' links at all (a broken pattern would pass everything)."""
    readme = [target for _line, _image, target in links(REPO / "README.md")]
    assert "docs/index.md" in readme
    assert "#which-odoo-the-commands-use" in readme
    guide = [target for _line, image, target in links(REPO / "docs" / "user-guide.md") if image]
    assert "screenshots/trace-map-FL-261101-forward.png" in guide


def test_python_examples_are_those_run():
    """The README's and the docs' Python examples are in docs/api.md, whose blocks
    test_rpc_readme.py executes (ARCHITECTURE.md's blocks are sketches of overrides)."""
    stray = [
        relative(page)
        for page in PAGES
        if page.name != "ARCHITECTURE.md"
        and page != REPO / "docs" / "api.md"
        and "```python" in page.read_text(encoding="utf-8")
    ]
    assert not stray, f"Python examples outside docs/api.md, which nothing runs: {stray}"


def named_sections():
    """(where, page, section) of each 'page.md, "Section"' in the tools, tests, build files,
    the pages and the add-ons' readme fragments."""
    sources = [
        *(REPO / "tools").rglob("*.py"),
        *(REPO / "tests").glob("*.py"),
        *(REPO / "docs").glob("*.md"),
        *REPO.glob("*/readme/*.md"),
        REPO / "ARCHITECTURE.md",
        REPO / "README.md",
        REPO / "Makefile",
        REPO / "requirements.txt",
        REPO / ".ci" / "run",
    ]
    for source in sources:
        if source == Path(__file__):
            continue
        text = source.read_text(encoding="utf-8")
        for match in NAMED_SECTION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield f"{relative(source)}:{line}", match.group(1), " ".join(match.group(2).split())


def test_named_sections_exist():
    found = list(named_sections())
    assert any(page == "README.md" and section == "Install" for _where, page, section in found)
    missing = []
    for where, page, section in found:
        path = REPO / page
        if not path.is_file():
            path = REPO / "docs" / page
        titles = [title.lower() for title in headings(path)] if path.is_file() else []
        if not any(title.startswith(section.lower()) for title in titles):
            missing.append(f"{where}: {page}, {section!r}: no such section")
    assert not missing, "\n".join(missing)
