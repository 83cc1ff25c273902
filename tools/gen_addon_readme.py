#!/usr/bin/env python3
"""Each add-on's README.rst and static/description/index.html, from its readme/ fragments.

A stand-in for OCA's ``oca-gen-addon-readme`` (OCA/maintainer-tools), which is not published
on PyPI, writing the same layout from the same inputs: the manifest and the Markdown (or
reStructuredText) fragments of ``readme/`` (DESCRIPTION, CONTEXT, INSTALL, CONFIGURE, USAGE,
DEVELOP, ROADMAP, HISTORY, CONTRIBUTORS, CREDITS), Markdown turned into reStructuredText by
pandoc (GitHub-flavoured, raw HTML off), the HTML page rendered by docutils with PyPI's
safe settings, a source digest in the banner. The options are OCA's, so that the
pre-commit hook can call either. pandoc comes with ``pypandoc-binary`` and docutils is
pinned in requirements.txt: the same fragments always give the same files, which is what
the lint step checks (``make readme`` regenerates them).
"""

import argparse
import ast
import hashlib
import re
import sys
import tempfile
from pathlib import Path

import docutils.core
import jinja2
import pypandoc

FRAGMENTS_DIR = "readme"
# Fragment name -> heading level of its section: 2 under the title, 3 under Credits.
FRAGMENTS = {
    "DESCRIPTION": 2,
    "CONTEXT": 2,
    "INSTALL": 2,
    "CONFIGURE": 2,
    "USAGE": 2,
    "ROADMAP": 2,
    "DEVELOP": 2,
    "CONTRIBUTORS": 3,
    "CREDITS": 3,
    "HISTORY": 2,
}
MANIFEST_NAMES = ("__manifest__.py", "__openerp__.py")
TEMPLATE = Path(__file__).with_suffix(".rst.jinja")
# GitHub-flavoured Markdown without raw HTML and without automatic heading anchors (which
# docutils would report as unreferenced targets).
PANDOC_FROM = "gfm-raw_html-gfm_auto_identifiers"
# The settings PyPI's readme_renderer uses: no file inclusion nor raw HTML, and any docutils
# warning stops the rendering (a fragment with broken markup fails the hook).
RST2HTML_SETTINGS = {
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "halt_level": 2,
    "report_level": 2,
    "math_output": "MathJax",
    "smart_quotes": True,
    "syntax_highlight": "short",
    "xml_declaration": False,
    "output_encoding": "utf-8",
}
STATUS_BADGES = {
    "alpha": ("Alpha", "red"),
    "beta": ("Beta", "yellow"),
    "production/stable": ("Production%2FStable", "green"),
    "mature": ("Mature", "brightgreen"),
}
LICENSES = {
    "AGPL-3": "http://www.gnu.org/licenses/agpl-3.0-standalone.html",
    "LGPL-3": "http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
    "GPL-3": "http://www.gnu.org/licenses/gpl-3.0-standalone.html",
}
# The text that marks a page as generated; OCA's tool looks for the same one before it
# overwrites an index.html, so either tool may take over from the other.
GENERATED_MARK = "oca-gen-addon-readme"
IMAGE_RE = re.compile(r"^(?P<lead>\s*\.\. (?:\|[^|]+\| )?(?:figure|image)::\s+)(?P<path>\S+)\s*$")


def read_manifest(addon_dir):
    for name in MANIFEST_NAMES:
        path = addon_dir / name
        if path.is_file():
            return path, ast.literal_eval(path.read_text(encoding="utf-8"))
    return None, None


def find_addons(addons_dir):
    for addon_dir in sorted(p for p in addons_dir.iterdir() if p.is_dir()):
        manifest_path, manifest = read_manifest(addon_dir)
        if manifest is not None and manifest.get("installable", True):
            yield addon_dir, manifest_path, manifest


def source_digest(addon_dir, manifest_path):
    """sha256 of the manifest and of every file under readme/, names included."""
    digest = hashlib.sha256()
    paths = [manifest_path]
    fragments_dir = addon_dir / FRAGMENTS_DIR
    if fragments_dir.is_dir():
        paths += sorted(
            p
            for p in fragments_dir.rglob("*")
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(addon_dir).parts)
        )
    for path in paths:
        digest.update(path.relative_to(addon_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return f"sha256:{digest.hexdigest()}"


def fragment_path(addon_dir, name):
    """The fragment's file, .md or .rst; both at once is an error, as for OCA's tool."""
    found = [p for p in (addon_dir / FRAGMENTS_DIR / f"{name}{ext}" for ext in (".md", ".rst")) if p.is_file()]
    if len(found) > 1:
        sys.exit(f"{found[0]} and {found[1]}: keep one of them")
    return found[0] if found else None


def markdown_to_rst(path, level):
    return pypandoc.convert_file(
        str(path),
        to="rst",
        format=PANDOC_FROM,
        extra_args=[f"--shift-heading-level-by={level - 2}"],
        sandbox=True,
    )


def absolute_images(text, raw_url):
    """Relative image paths (``../static/description/x.png``) become URLs of the file in the
    repository, so that the page shows them wherever it is read."""
    lines = []
    for line in text.splitlines():
        match = IMAGE_RE.match(line)
        if match and not re.match(r"^[a-z]+://", match["path"]):
            line = match["lead"] + raw_url + match["path"].replace("../", "")
        lines.append(line)
    return "\n".join(lines)


def read_fragments(addon_dir, raw_url):
    fragments = {}
    formats = set()
    for name, level in FRAGMENTS.items():
        path = fragment_path(addon_dir, name)
        if not path:
            continue
        formats.add(path.suffix)
        text = markdown_to_rst(path, level) if path.suffix == ".md" else path.read_text(encoding="utf-8")
        text = absolute_images(text, raw_url).strip()
        if text:
            fragments[name] = text + "\n"
    if len(formats) > 1:
        sys.exit(f"{addon_dir / FRAGMENTS_DIR}: both .md and .rst fragments; use one format")
    return fragments, formats.pop() if formats else ".md"


def badges(manifest, org, repo, branch, addon):
    status = manifest.get("development_status", "Beta").lower()
    result = []
    if status in STATUS_BADGES:
        label, colour = STATUS_BADGES[status]
        result.append(
            (
                f"https://img.shields.io/badge/maturity-{label}-{colour}.png",
                "https://odoo-community.org/page/development-status",
                label.replace("%2F", "/"),
            )
        )
    license_ = manifest.get("license")
    if license_ in LICENSES:
        result.append(
            (
                f"https://img.shields.io/badge/license-{license_.replace('-', '--')}-blue.png",
                LICENSES[license_],
                f"License: {license_}",
            )
        )
    result.append(
        (
            f"https://img.shields.io/badge/github-{org.replace('-', '--')}%2F{repo.replace('-', '--')}"
            "-lightgray.png?logo=github",
            f"https://github.com/{org}/{repo}/tree/{branch}/{addon}",
            f"{org}/{repo}",
        )
    )
    return status, result


def render_readme(addon_dir, manifest, digest, args):
    addon = addon_dir.name
    raw_url = f"https://raw.githubusercontent.com/{args.org_name}/{args.repo_name}/{args.branch}/{addon}/"
    fragments, fmt = read_fragments(addon_dir, raw_url)
    status, badge_list = badges(manifest, args.org_name, args.repo_name, args.branch, addon)
    # reStructuredText, not HTML: nothing to escape.
    environment = jinja2.Environment(keep_trailing_newline=True, autoescape=False)
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    text = template.render(
        addon_name=addon,
        manifest=manifest,
        fragments=fragments,
        badges=badge_list,
        development_status=status,
        authors=[a.strip() for a in manifest.get("author", "").split(",") if a.strip() and "(OCA)" not in a],
        maintainers=manifest.get("maintainers", []),
        org_name=args.org_name,
        repo_name=args.repo_name,
        branch=args.branch,
        source_digest=digest,
        generated_mark=GENERATED_MARK,
        level3="-" if fmt == ".md" else "~",
    )
    # One blank line at most between blocks, none at the end.
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def render_html(readme_path):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "index.html"
        docutils.core.publish_file(
            source_path=str(readme_path),
            destination_path=str(out),
            writer_name="html4css1",
            settings_overrides=RST2HTML_SETTINGS,
        )
        html = out.read_bytes()
    # Leave docutils' version out, as OCA's tool does: it changes nothing on the page.
    return re.sub(rb"(<meta[^>]*generator[^>]*Docutils)\s*[\d.]+", rb"\1", html)


def write_if_changed(path, content):
    data = content.encode("utf-8") if isinstance(content, str) else content
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def generate(addon_dir, manifest_path, manifest, args):
    """Write the add-on's README.rst (and index.html); return the paths that changed."""
    if not fragment_path(addon_dir, "DESCRIPTION"):
        return []
    readme = addon_dir / "README.rst"
    digest = source_digest(addon_dir, manifest_path)
    if args.if_source_changed and readme.is_file() and f"!! source digest: {digest}" in readme.read_text("utf-8"):
        return []
    changed = []
    if write_if_changed(readme, render_readme(addon_dir, manifest, digest, args)):
        changed.append(readme)
    index = addon_dir / "static" / "description" / "index.html"
    if args.gen_html and manifest.get("preloadable", True):
        if index.is_file() and GENERATED_MARK.encode() not in index.read_bytes():
            print(f"{index}: written by hand, left as it is")
        elif write_if_changed(index, render_html(readme)):
            changed.append(index)
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--org-name", default="OCA", help="GitHub organisation, for links and badges")
    parser.add_argument("--repo-name", required=True, help="GitHub repository, for links and badges")
    parser.add_argument("--branch", required=True, help="branch the links point to")
    parser.add_argument("--addon-dir", dest="addon_dirs", action="append", default=[], type=Path)
    parser.add_argument("--addons-dir", type=Path, help="every installable add-on in this directory")
    parser.add_argument(
        "--if-source-changed",
        "--if-fragments-changed",
        action="store_true",
        help="only when the manifest or a fragment changed (the digest in README.rst differs)",
    )
    parser.add_argument("--gen-html", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args(argv)

    addons = list(find_addons(args.addons_dir)) if args.addons_dir else []
    for addon_dir in args.addon_dirs:
        manifest_path, manifest = read_manifest(addon_dir)
        if manifest is not None:
            addons.append((addon_dir, manifest_path, manifest))
    if not addons:
        parser.error("no add-on found: give --addons-dir or --addon-dir")
    changed = []
    for addon_dir, manifest_path, manifest in addons:
        changed += generate(addon_dir, manifest_path, manifest, args)
    for path in changed:
        print(f"{path}: regenerated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
