"""Hostile and broken input: each case of tests/hostile/ behaves as its manifest says.

Rejected input is reported at the right place and leaves the previous site
untouched; accepted input renders inert. Every HTML file of a build is then
scanned for anything that could run in a reader's browser.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from generator import pipeline
from generator.config import load_settings
from generator.errors import BriefingsError
from tests.conftest import FIXTURES, ROOT, guarded, make_project

HOSTILE = Path(__file__).resolve().parent / "hostile"
MANIFEST = yaml.safe_load((HOSTILE / "manifest.yml").read_text(encoding="utf-8"))["cases"]
REJECT = [c for c in MANIFEST if c["expect"] == "reject"]
INERT = [c for c in MANIFEST if c["expect"] == "inert"]


def place(case: dict, folder: Path) -> None:
    """Put a case's file(s) into a briefs folder."""
    name = case["file"]
    if case.get("generate") == "oversize":
        (folder / name).write_bytes(b"title: " + b"x" * (300_000 - 8) + b"\n")
    elif "symlink_to" in case:
        shutil.copy(HOSTILE / "cases" / case["symlink_to"], folder / case["symlink_to"])
        (folder / name).symlink_to(folder / case["symlink_to"])
    else:
        shutil.copy(HOSTILE / "cases" / name, folder / name)
    for extra in case.get("with", []):
        shutil.copy(HOSTILE / "cases" / extra, folder / extra)


def fresh_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(FIXTURES / "valid" / "actors.yml", folder / "actors.yml")
    return folder


def relative(problem, folder: Path) -> str:
    text = str(problem).replace(f"{folder}/", "", 1)
    name = problem.file.name
    return (
        text[len(name) :].lstrip(":") if text.startswith(name + ":") and problem.position else text
    )


def test_the_manifest_covers_every_case_file_and_the_issue_list():
    listed = {c["file"] for c in MANIFEST} | {x for c in MANIFEST for x in c.get("with", [])}
    listed |= {c["symlink_to"] for c in MANIFEST if "symlink_to" in c}
    on_disk = {p.name for p in (HOSTILE / "cases").iterdir()}
    assert on_disk <= listed
    assert len(MANIFEST) >= 50
    covered = " ".join(c["covers"] for c in MANIFEST)
    for item in [
        "duplicate key, top level", "duplicate key, nested", "NO/yes/on", "'on:' as a key",
        "010", "12:30", "1e3", "2024-02-30", "timestamp", "!!python/object/apply", "!!set",
        "!!binary", "alias bomb", "self-referential alias", "deep nesting", "over-size",
        "several documents", "empty file", "top-level list", "tabs", "unquoted ': '", "' #'",
        "invalid UTF-8", "UTF-16", "NUL byte", "control character", "lone surrogate", "U+2028",
        "bidirectional override", "zero-width", "BOM", "CRLF", "<script>", "event-handler",
        "<iframe>", "<style>", "javascript: URL", "data: URL", "closes its own Markdown link",
        "Markdown link and image", "admonition", "heading", "thematic break", "table pipe",
        "attribute lists", "abbreviation", "link-reference", "snippet include", "Jinja",
        "front-matter keys", "'..' in a", "absolute path", "reserved name index",
        "reserved name 404", "reserved name search", "reserved name assets", "reserved name con",
        "reserved name nul", "non-ASCII", "empty file name", "differing only in case",
        "symlinked brief", "unknown actor", "unknown related slug", "related to itself",
        "noncharacters written as escapes", "raw noncharacter U+FFFF in a comment",
        "raw noncharacter U+1FFFE", "terminal escape sequences", "a newline in an echoed value",
        "keys holding '[' or '('", "an NBSP in a key", "Hangul fillers", "braille blanks",
        "invisible characters only", "over-long title", "after U+2028", "CR-only line ends",
    ]:  # fmt: skip
        assert item in covered, item


@pytest.mark.parametrize("case", REJECT, ids=[c["file"] for c in REJECT])
def test_rejected_input_is_reported_where_it_is(tmp_path, case):
    folder = fresh_folder(tmp_path)
    place(case, folder)
    settings = load_settings(ROOT / "site_config.yml", briefings_dir=folder)
    with guarded():
        checked = pipeline.check(settings)
    assert [relative(p, folder) for p in checked.report.errors] == case["errors"]
    assert [relative(p, folder) for p in checked.report.warnings] == case.get("warnings", [])


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_every_rejected_case_leaves_the_previous_site_byte_for_byte(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    pipeline.build(settings)
    before = digest(settings.site_dir)
    for case in REJECT:
        extra = set(settings.briefings_dir.iterdir())
        place(case, settings.briefings_dir)
        with pytest.raises(BriefingsError):
            pipeline.build(settings)
        assert digest(settings.site_dir) == before, case["file"]
        for path in set(settings.briefings_dir.iterdir()) - extra:
            path.unlink()


@pytest.fixture(scope="module")
def inert_site(tmp_path_factory):
    """One build holding every inert case, as readers would get it."""
    tmp = tmp_path_factory.mktemp("inert")
    folder = fresh_folder(tmp)
    for case in INERT:
        place(case, folder)
    settings = make_project(tmp / "project", folder)
    checked = pipeline.check(settings)
    assert [str(p) for p in checked.report.errors] == []
    return pipeline.build(settings).site_dir


def page_text(site: Path, slug: str) -> BeautifulSoup:
    html = (site / "briefings" / slug / "index.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "lxml")


@pytest.mark.build
@pytest.mark.parametrize("case", INERT, ids=[c["file"] for c in INERT])
def test_accepted_input_renders_literally(inert_site, case):
    page = page_text(inert_site, Path(case["file"]).stem)
    text = " ".join(page.select_one("article").get_text(" ").split())
    for expected in case["shows"]:
        assert expected in text, expected
    if "table_row" in case:
        rows = [
            [c.get_text(" ").strip() for c in tr.find_all("td")]
            for tr in page.select("article tbody tr")
        ]
        assert case["table_row"] in [[cell.split(" [")[0] for cell in row] for row in rows]


def _theme_elements(site: Path) -> set[str]:
    """Every script, style and iframe element the theme itself writes, page by page."""
    found = set()
    for html in site.rglob("*.html"):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        for tag in page.find_all(["script", "style", "iframe"]):
            found.add(
                f"{tag.name} {tag.get('src', '')} {hashlib.sha256(tag.get_text().encode()).hexdigest()[:12]}"
            )
    return found


def scan(site: Path, allowed: set[str]) -> list[str]:
    """What in a built site could run in a reader's browser, beyond the theme's own."""
    findings = []
    for html in sorted(site.rglob("*.html")):
        page = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
        name = html.relative_to(site).as_posix()
        for tag in page.find_all(True):
            for attr, value in tag.attrs.items():
                if attr.lower().startswith("on"):
                    findings.append(f"{name}: <{tag.name} {attr}>")
                values = value if isinstance(value, list) else [value]
                for item in values:
                    if attr in ("href", "src", "action", "formaction", "data", "poster") and str(
                        item
                    ).strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                        findings.append(f"{name}: <{tag.name} {attr}={item}>")
        for tag in page.find_all(["script", "style", "iframe"]):
            if tag.name == "script" and tag.get("type") == "application/ld+json":
                json.loads(tag.get_text())  # a data block: it must be JSON, and it never runs
                continue
            key = f"{tag.name} {tag.get('src', '')} {hashlib.sha256(tag.get_text().encode()).hexdigest()[:12]}"
            if key not in allowed:
                findings.append(f"{name}: unexpected <{tag.name}>")
    return findings


@pytest.mark.build
def test_no_html_file_of_the_hostile_site_holds_anything_that_runs(inert_site, tmp_path):
    clean = pipeline.build(make_project(tmp_path, FIXTURES / "valid")).site_dir
    allowed = _theme_elements(clean)
    assert scan(inert_site, allowed) == []


@pytest.mark.build
def test_the_scan_finds_what_it_looks_for(inert_site, tmp_path):
    """The scan itself must catch a planted handler, URL and script."""
    site = tmp_path / "site"
    shutil.copytree(inert_site, site)
    page = site / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(
        html.replace(
            "</article>",
            '<a href="javascript:x">a</a><img src=x onerror=y><script>z()</script></article>',
        ),
        encoding="utf-8",
    )
    findings = scan(site, _theme_elements(inert_site))
    assert findings == [
        "index.html: <a href=javascript:x>",
        "index.html: <img onerror>",
        "index.html: unexpected <script>",
    ]
