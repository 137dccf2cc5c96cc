"""Incremental site builds: only the changed pages are rendered, into a copy of the published site.

Each test builds the synthetic valid briefs once in full, changes them, and
builds again with what the generator wrote (``site.Changes``). The result must
be the site a clean full build makes of the same Markdown, and the published
version must not change while it is made.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from generator import live_engine, pipeline, site
from generator.config import Settings
from generator.errors import BuildError
from tests.conftest import FIXTURES, make_project

pytestmark = pytest.mark.build

UNRELATED = FIXTURES / "unrelated" / "lighthouse-keepers-strike.yml"
"""A new brief that shares no actor, topic or link with the fixture briefs."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The valid fixture briefs, generated and built once in full, with a fixed build date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the sitemap's lastmod: 2026-01-01
    settings = make_project(tmp_path / "project", FIXTURES / "valid")
    site.build_site(settings, changes=generate(settings))
    return settings


def generate(settings: Settings) -> site.Changes:
    """Run the generator; what it wrote and removed, as the lead's ``generate`` will report it."""
    stats = pipeline.generate(settings).stats
    return site.Changes(written=list(stats.written), removed=list(stats.removed))


def url(page: str) -> str:
    """The folder a page's HTML goes in, as directory URLs put it: ``a/b.md`` → ``a/b/``."""
    folder, _, name = page.removesuffix(".md").rpartition("/")
    path = folder if name == "index" else f"{folder}/{name}".lstrip("/")
    return f"{path}/" if path else ""


def published(settings: Settings) -> Path:
    """The version folder ``site/`` links to."""
    return settings.site_dir.resolve()


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def without_search(found: dict[str, bytes]) -> dict[str, bytes]:
    """``found`` without Pagefind's index, which no two runs write alike."""
    return {path: data for path, data in found.items() if not path.startswith("pagefind/")}


def state(folder: Path) -> dict[str, tuple[int, int, str]]:
    """Every file under ``folder``: inode, modification time and digest of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            info = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(folder).as_posix()] = (info.st_ino, info.st_mtime_ns, digest)
    return found


def no_whole_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a whole build fail the test: the build under test must be incremental."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the whole site was built")

    monkeypatch.setattr(site, "run_mkdocs", refuse)


def edit_add_remove(settings: Settings) -> None:
    """Edit one brief's summary, add an unrelated brief, remove another brief."""
    edited = settings.briefings_dir / "border-talks.yml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("after a series of", "after a long series of"), "utf-8")
    shutil.copy(UNRELATED, settings.briefings_dir)
    (settings.briefings_dir / "ruritania-election.yml").unlink()


def full_build(settings: Settings, folder: Path) -> Path:
    """A clean full build of the same docs folder into a site of its own; its version folder."""
    other = replace(settings, site_dir=folder / "site")
    site.build_site(other)
    return other.site_dir.resolve()


def test_an_incremental_build_makes_the_site_a_full_build_makes(project, tmp_path, monkeypatch):
    """Same files, same bytes, sitemap included; the Pagefind index is left out.

    The one thing the engine varies from day to day, the sitemap's ``lastmod``
    (and the gzip copy's time), is fixed by ``SOURCE_DATE_EPOCH`` for both
    builds. Pagefind names some of its files by a hash that differs from one
    run to the next on the very same site, so ``pagefind/`` is only checked
    to be there.
    """
    before = files(published(project))
    edit_add_remove(project)
    changes = generate(project)
    monkeypatch.setattr(site, "MAX_SHARE", 1.0)  # three changed briefs are most of this small site
    with monkeypatch.context() as patched:
        no_whole_build(patched)
        site.build_site(project, changes=changes)
    after = files(published(project))
    assert "briefings/ruritania-election/index.html" in before
    assert "briefings/ruritania-election/index.html" not in after
    assert not (published(project) / "briefings/ruritania-election").exists()  # nor its folder
    assert "briefings/lighthouse-keepers-strike/index.html" in after
    assert after["briefings/border-talks/index.html"] != before["briefings/border-talks/index.html"]
    clean = files(full_build(project, tmp_path / "full"))
    assert any(path.startswith("pagefind/") for path in after)  # a search index was built
    after, clean = without_search(after), without_search(clean)
    assert sorted(after) == sorted(clean)
    assert [path for path in clean if after[path] != clean[path]] == []


def test_an_incremental_build_renders_only_the_changed_pages(project, monkeypatch, caplog):
    edited = project.briefings_dir / "patrols-agreed.yml"
    text = edited.read_text(encoding="utf-8")
    assert "summary: " in text
    edited.write_text(text.replace("summary: ", "summary: Now confirmed. ", 1), "utf-8")
    changes = generate(project)
    pages = [path for path in changes.written if path.endswith(".md")]
    assert "briefings/patrols-agreed.md" in pages
    no_whole_build(monkeypatch)
    told: list[dict[str, object]] = []
    index = site.search.index_site
    monkeypatch.setattr(site.search, "index_site", lambda v, **kw: told.append(kw) or index(v))
    old = published(project)
    with caplog.at_level(logging.INFO, logger="generator.site"):
        site.build_site(project, changes=changes)
    assert f"built {len(pages)} changed page(s)" in caplog.text
    html = sorted(url(page) + "index.html" for page in pages)
    assert told == [{"changed_html": html, "removed_html": [], "previous": old}]


def test_an_incremental_build_leaves_the_published_version_untouched(project, monkeypatch):
    """Not one file of the published version changes: inode, time and bytes."""
    old = published(project)
    before = state(old)
    edit_add_remove(project)
    changes = generate(project)
    monkeypatch.setattr(site, "MAX_SHARE", 1.0)
    no_whole_build(monkeypatch)
    site.build_site(project, changes=changes)
    new = published(project)
    assert new != old
    assert state(old) == before
    # The new version shares the unchanged files with the old one, and rewrote the others.
    shared = {path for path, (inode, *_) in state(new).items() if before.get(path, [0])[0] == inode}
    assert "assets/stylesheets/briefings.css" in shared
    assert "briefings/patrols-agreed/index.html" in shared
    assert "briefings/border-talks/index.html" not in shared
    assert "sitemap.xml" not in shared


def test_a_warning_in_a_changed_page_fails_the_build_and_publishes_nothing(project, monkeypatch):
    old = published(project)
    before = state(old)
    page = project.docs_dir / "briefings" / "border-talks.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n[More](missing.md)\n", "utf-8")
    no_whole_build(monkeypatch)
    with pytest.raises(BuildError) as failed:
        site.build_site(
            project, changes=site.Changes(written=["briefings/border-talks.md"], removed=[])
        )
    assert str(failed.value) == (
        "ProperDocs could not build the site:\n"
        "  WARNING -  Doc file 'briefings/border-talks.md' contains a link 'missing.md', "
        "but the target 'briefings/missing.md' is not found among documentation files.\n"
        "  Aborted with 1 warnings in strict mode!"
    )
    assert published(project) == old
    assert state(old) == before
    builds = sorted(path.name for path in site.versions_folder(project.site_dir).iterdir())
    assert builds == [".lock", old.name]


def test_without_changes_the_whole_site_is_built(project, caplog):
    with caplog.at_level(logging.INFO, logger="generator.site"):
        site.build_site(project)
    assert "building the whole site: the generator did not say which pages changed" in caplog.text


def test_a_changed_theme_template_builds_the_whole_site(project, caplog):
    template = project.root / "theme" / "partials" / "search.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n<!-- changed -->\n", "utf-8")
    with caplog.at_level(logging.INFO, logger="generator.site"):
        site.build_site(project, changes=site.Changes(written=[], removed=[]))
    assert (
        "building the whole site: the configuration, theme or engine changed "
        "since the published version"
    ) in caplog.text
    page = published(project) / "briefings/border-talks/index.html"
    assert "<!-- changed -->" in page.read_text(encoding="utf-8")


def test_a_changed_theme_style_is_copied_without_a_whole_build(project, monkeypatch):
    """Pages link the theme's styles and scripts: a changed one is only copied."""
    css = project.root / "theme" / "assets" / "stylesheets" / "briefings.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", "utf-8")
    no_whole_build(monkeypatch)
    site.build_site(project, changes=site.Changes(written=[], removed=[]))
    assert "/* changed */" in (published(project) / "assets/stylesheets/briefings.css").read_text()


def test_a_changed_navigation_builds_the_whole_site(project, caplog):
    """A nav page's front matter shows in every page's navigation: all pages change."""
    page = project.docs_dir / "map.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: Map of incidents\n")
    page.write_text(text.replace("\n", "\nsubtitle: Where it happened\n", 1), "utf-8")
    with caplog.at_level(logging.INFO, logger="generator.site"):
        site.build_site(project, changes=site.Changes(written=["map.md"], removed=[]))
    assert "building the whole site: the navigation changed (404.html differs)" in caplog.text
    other = published(project) / "briefings/border-talks/index.html"
    assert "Where it happened" in other.read_text(encoding="utf-8")


def test_many_changed_pages_build_the_whole_site(project, caplog):
    pages = [str(path.relative_to(project.docs_dir)) for path in project.docs_dir.rglob("*.md")]
    with caplog.at_level(logging.INFO, logger="generator.site"):
        site.build_site(project, changes=site.Changes(written=pages, removed=[]))
    assert f"building the whole site: {len(pages)} of {len(pages)} pages changed" in caplog.text


def test_a_changed_static_file_is_copied_and_a_removed_one_goes(project, monkeypatch):
    card = project.docs_dir / "cards" / "border-talks.png"
    card.write_bytes(card.read_bytes() + b"\0")
    extra = project.docs_dir / "data" / "extra.json"
    os.utime(card, ns=(card.stat().st_atime_ns, card.stat().st_mtime_ns + 10**9))
    extra.write_text("{}", "utf-8")
    no_whole_build(monkeypatch)
    site.build_site(project, changes=site.Changes(written=["data/extra.json"], removed=[]))
    assert (published(project) / "cards/border-talks.png").read_bytes() == card.read_bytes()
    assert (published(project) / "data/extra.json").read_text() == "{}"
    extra.unlink()
    site.build_site(project, changes=site.Changes(written=[], removed=["data/extra.json"]))
    assert not (published(project) / "data/extra.json").exists()


def test_a_changed_private_theme_template_signature_stops_with_a_message(monkeypatch):
    changed = dict(live_engine.PRIVATE_API)
    changed["commands.build._build_theme_template"] = ["template_name", "env"]
    monkeypatch.setattr(live_engine, "PRIVATE_API", changed)
    with pytest.raises(live_engine.EngineChanged, match=r"_build_theme_template takes"):
        live_engine.check("properdocs")


@pytest.mark.parametrize(
    ("engine", "changes", "reason"),
    [
        (
            "zensical",
            site.Changes(written=[], removed=[]),
            "the zensical engine builds whole sites only",
        ),
        ("properdocs", site.Changes(written=[], removed=[]), "no published version to start from"),
        ("properdocs", None, "the generator did not say which pages changed"),
    ],
)
def test_why_a_build_is_whole(tmp_path, engine, changes, reason):
    settings = replace(make_project(tmp_path, FIXTURES / "valid"), engine=engine)
    with pytest.raises(site._Whole) as whole:
        site._reusable(settings, site.fingerprint(settings), changes)
    assert str(whole.value) == reason


@pytest.mark.parametrize("cp", ["cp", None])
def test_the_new_version_starts_as_hard_links_to_the_published_one(tmp_path, monkeypatch, cp):
    source, destination = tmp_path / "published", tmp_path / "new"
    (source / "briefings" / "a").mkdir(parents=True)
    (source / "briefings" / "a" / "index.html").write_text("a page", encoding="utf-8")
    (source / "index.html").write_text("home", encoding="utf-8")
    (source / "latest").symlink_to("briefings/a")
    (source / "pagefind").mkdir()
    (source / "pagefind" / "entry.json").write_text("{}", encoding="utf-8")
    destination.mkdir()
    if cp is None:  # no GNU cp: the generator links file by file
        monkeypatch.setattr(site.shutil, "which", lambda _name: None)
    site._link_tree(source, destination, skip={"pagefind"})
    made = sorted(p.relative_to(destination).as_posix() for p in destination.rglob("*"))
    assert made == ["briefings", "briefings/a", "briefings/a/index.html", "index.html", "latest"]
    for page in ("index.html", "briefings/a/index.html"):
        assert (destination / page).stat().st_ino == (source / page).stat().st_ino
    assert (destination / "latest").readlink() == Path("briefings/a")
