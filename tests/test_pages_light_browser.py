"""The split and paginated pages of issue 15 in Chromium: fit, errors, accessibility.

A month of the archive, a speaker's quotes, and an actor's first page and one of
its older pages (stable pagination: ``actors/x/briefings/page/N/``), at 390 px and
1366 px, light and dark: nothing wider than its container, no console or script
error, no serious or critical axe-core violation, and the pagination's current
page marked. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.corpus import write_corpus
from generator import pipeline, render
from tests.browser import harness
from tests.conftest import make_project
from tests.test_browser import ARTIFACTS, base, browser  # noqa: F401
from tests.test_browser_board import OVERFLOW, SCHEMES, VIEWPORTS, session  # noqa: F401
from tests.test_pages_light import SIZES

pytestmark = [pytest.mark.browser, pytest.mark.build]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A small synthetic site built with tiny page sizes, so that its listings paginate."""
    harness.require_browser()
    root = tmp_path_factory.mktemp("light-browser")
    write_corpus(root / "corpus", 30, seed=7)
    settings = make_project(root / "project", root / "corpus")
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SIZES.items():
            patch.setattr(render, name, value)
        return pipeline.build(settings).site_dir.resolve()


@pytest.fixture(scope="module")
def pages(site) -> dict[str, str]:
    """The address of each kind of page the test opens: the busiest of each kind."""
    months = sorted(
        (p for p in (site / "archive").iterdir() if p.is_dir()),
        key=lambda p: (-len(list(p.rglob("*.html"))), -(p / "index.html").stat().st_size),
    )
    speakers = [
        p
        for p in (site / "quotes").iterdir()
        if p.name not in ("anonymous", "page") and (p / "index.html").is_file()
    ]
    speaker = max(speakers, key=lambda p: (p / "index.html").stat().st_size)
    actors = [
        p
        for p in (site / "actors").iterdir()
        if p.name != "page" and (p / "briefings" / "page" / "2").is_dir()
    ]
    actor = max(actors, key=lambda p: len(list((p / "briefings" / "page").iterdir())))
    return {
        "archive-month": f"archive/{months[0].name}/",
        "speaker": f"quotes/{speaker.name}/",
        "actor-first": f"actors/{actor.name}/",
        "actor-older": f"actors/{actor.name}/briefings/page/1/",
    }


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("kind", ["archive-month", "speaker", "actor-first", "actor-older"])
def test_light_pages_fit_their_screen_without_errors(session, pages, kind, device, scheme):  # noqa: F811
    visit = session(VIEWPORTS[device], scheme)
    page = visit.open(pages[kind])
    where = f"{kind} at {VIEWPORTS[device]['width']} px, {scheme}"
    # Material wraps each table in a scroll box that bleeds into the article's padding
    # by design (margin: 0 -0.8rem); the table scrolls inside it.
    overflow = [
        o for o in page.evaluate(OVERFLOW) if not o.startswith("div.md-typeset__scrollwrap")
    ]
    assert overflow == [], where
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"light-{kind}-{device}-{scheme}.png", full_page=True)
    violations = harness.axe_violations(page)
    assert not violations, harness.describe(violations, where)
    assert not visit.outside, f"{where} requested {visit.outside}"
    assert not visit.errors, f"{where}: {visit.errors} ({visit.missing})"


def test_the_pagination_marks_the_current_page_and_its_links_work(session, pages):  # noqa: F811
    page = session(VIEWPORTS["desktop"], "light").open(pages["actor-first"])
    name = "Pages of the briefings"
    nav = page.get_by_role("navigation", name=name)
    assert nav.locator('[aria-current="page"]').inner_text() == "Newest"
    nav.get_by_role("link", name="Oldest").click()
    page.wait_for_url(f"**/{pages['actor-older']}")
    oldest = page.get_by_role("navigation", name=name)
    label = oldest.locator('[aria-current="page"]').inner_text()
    assert any(str(year) in label for year in range(1990, 2030)), label  # its dates
    assert oldest.get_by_role("link", name="Older").count() == 0
    oldest.get_by_role("link", name="Newer").click()
    page.wait_for_url("**/briefings/page/2/")
    newer = page.get_by_role("navigation", name=name)
    newer.get_by_role("link", name="Newest").click()
    page.wait_for_url(f"**/{pages['actor-first']}")
