"""The briefing page and the site's chrome in a real browser (issue 14, part D).

Quotes are figures with a blockquote and a caption, at readable sizes; citations
show a card on hover and on focus, lead to their source and back, and copy as
"[4]"; no page logs a console error, none is wider than its screen, and the
content comes before the table of contents in keyboard order. Every kind of
page is photographed on a phone and a desktop, light and dark, into
tests/artifacts/.

The real briefs have no headlines for their sources, so the citation tests use a
small synthetic site: the valid fixtures and tests/fixtures/page/.
"""

from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup

from generator import pipeline
from tests import test_browser
from tests.browser import harness
from tests.conftest import FIXTURES, SEED, SEED_SPEAKERS, make_project
from tests.test_browser import ARTIFACTS, BADGES, PAGES, Visit

# The real site, its server, the browser and each kind of page's address: the
# fixtures of test_browser, shared by name.
site = test_browser.site
paths = test_browser.paths
base = test_browser.base
browser = test_browser.browser

pytestmark = [pytest.mark.browser, pytest.mark.build]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SCHEMES = ["light", "dark"]
CITED = "briefings/cited-sources/"


def open_page(browser, base: str, path: str, viewport: dict[str, int], scheme: str = "light"):
    """A fresh context at this size and colour scheme, recording console errors."""
    session = Visit(browser, base, viewport)
    session.page.emulate_media(color_scheme=scheme)
    session.console = []
    session.page.on(
        "console", lambda m: session.console.append(m.text) if m.type == "error" else None
    )
    session.open(path, idle=True)
    return session


@pytest.fixture
def session(browser, base):
    """Open pages of the real site; every context is closed after the test."""
    opened: list[Visit] = []

    def start(path: str, viewport=DESKTOP, scheme: str = "light", root: str | None = None):
        opened.append(open_page(browser, root or base, path, viewport, scheme))
        return opened[-1]

    yield start
    for each in opened:
        each.context.close()


@pytest.fixture(scope="module")
def cited_base(tmp_path_factory):
    """A small synthetic site whose sources have outlets, headlines and dates."""
    tmp = tmp_path_factory.mktemp("cited")
    folder = tmp / "briefs"
    shutil.copytree(FIXTURES / "valid", folder)
    shutil.copy(FIXTURES / "page" / "cited-sources.yml", folder)
    built = pipeline.build(make_project(tmp / "project", folder)).site_dir
    with harness.serve(built) as url:
        yield url


def px(page, selector: str) -> list[float]:
    return page.evaluate(
        "(s) => [...document.querySelectorAll(s)].map(e => parseFloat(getComputedStyle(e).fontSize))",
        selector,
    )


# --- Quotes ----------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_quotes_are_figures_at_readable_sizes(session, device, scheme):
    page = session(f"briefings/{SEED}/", VIEWPORTS[device], scheme).page
    structure = page.evaluate(
        """() => [...document.querySelectorAll('article figure.quote')].map(f => ({
            children: [...f.children].map(c => c.tagName.toLowerCase()),
            speakers: [...f.querySelectorAll('.quote-speaker')].map(s => s.textContent.trim()),
            inQuote: f.querySelector('blockquote').textContent,
        }))"""
    )
    assert [q["children"] for q in structure] == [["blockquote", "figcaption"]] * len(SEED_SPEAKERS)
    assert [q["speakers"] for q in structure] == [[name] for name in SEED_SPEAKERS]
    assert not [q for q in structure if any(s in q["inQuote"] for s in q["speakers"])]

    quotes = px(page, "article figure.quote blockquote .quote-text")
    body = px(page, "article > p")[0]
    assert len(quotes) == len(SEED_SPEAKERS)
    assert min(quotes) >= max(16, body), quotes
    assert min(px(page, "article figure.quote figcaption")) >= 14
    badges = px(page, "article figure.quote :is(.reported, .anonymous)")
    assert badges and min(badges) >= 12, badges
    assert min(px(page, BADGES)) >= 12


# --- Citations -------------------------------------------------------------------


def test_citations_are_links_with_a_meaningful_title_without_javascript(site):
    article = BeautifulSoup(
        (site / "briefings" / SEED / "index.html").read_text("utf-8"), "lxml"
    ).select_one("article")
    cites = article.select("a.cite")
    assert cites
    for cite in cites:
        number = cite.get_text()
        assert re.fullmatch(r"\[\d+\]", number)
        source = article.find(id=cite["href"].removeprefix("#"))
        assert source is not None and source.name == "li"
        outlet = source.select_one(".source-outlet").get_text()
        assert cite["title"].startswith(f"Source {number[1:-1]}: {outlet}")


def test_a_citation_card_names_outlet_headline_and_date_on_hover_and_focus(session, cited_base):
    page = session(CITED, root=cited_base).page
    card = page.locator("#cite-card")
    second = page.locator("article li a.cite").nth(1)  # [2] of the first key point
    second.hover()
    assert card.is_visible()
    assert card.inner_text().split("\n") == [
        "SOURCE 2",
        "Borduria Courier",
        "Closure is unlawful, says Borduria",
        "10 March 2025",
    ]
    assert second.get_attribute("aria-describedby") == "cite-card"
    page.mouse.move(0, 0)
    assert card.is_hidden()

    first = page.locator("article .why-it-matters a.cite")
    for _ in range(80):  # keyboard only: tab until the citation has focus
        page.keyboard.press("Tab")
        if first.evaluate("e => e === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the first citation")
    assert card.is_visible()
    assert card.inner_text().split("\n") == [
        "SOURCE 1",
        "The Example Gazette",
        "Ruritania shuts the border overnight",
        "9 March 2025",
    ]
    page.keyboard.press("Escape")
    assert card.is_hidden()


def test_a_click_highlights_the_source_and_leads_back_to_the_text(session, cited_base):
    page = session(CITED, root=cited_base).page
    cite = page.locator("article li a.cite").nth(1)
    cite_id = cite.get_attribute("id")
    cite.click()
    source = page.locator("li#source-courier")
    assert page.evaluate("location.hash") == "#source-courier"
    assert "source--cited" in source.get_attribute("class")
    # The highlight's style follows the class a moment later: wait for it, then check.
    page.wait_for_function(
        "e => getComputedStyle(e).outlineStyle === 'solid'",
        arg=source.element_handle(),
        timeout=10_000,
    )
    outline = source.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline == "solid"
    back = source.locator("a.cite-back")
    assert back.inner_text() == "↩ back to text"
    assert back.get_attribute("href") == f"#{cite_id}"
    back.click()
    assert page.evaluate("location.hash") == f"#{cite_id}"
    assert page.locator(f"#{cite_id}").is_visible()


def test_the_copied_text_of_a_cited_sentence_has_its_brackets(session, cited_base):
    opened = session(CITED, root=cited_base)
    opened.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = opened.page
    point = page.locator("article #key-points + ul > li").first
    point.evaluate(
        """li => { const range = document.createRange(); range.selectNodeContents(li);
                   const sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); }"""
    )
    page.keyboard.press("Control+C")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == "Ruritania closed all four crossings on the night of 9 March.[1][2]"


# --- Chrome ----------------------------------------------------------------------


def test_breadcrumbs_lead_from_a_briefing_to_its_story_and_topics(session, base):
    page = session(f"briefings/{SEED}/").page
    crumbs = page.locator("article nav.breadcrumbs[aria-label='Breadcrumbs'] a")
    hrefs = crumbs.evaluate_all("links => links.map(a => a.href)")
    assert hrefs[0] == base
    assert hrefs[1] == f"{base}threads/{SEED}/"
    assert [h for h in hrefs[2:] if not h.startswith(f"{base}topics/")] == []
    assert len(hrefs) > 2


def test_content_comes_before_the_table_of_contents_in_keyboard_order(session):
    page = session(f"briefings/{SEED}/").page
    reached = []
    for _ in range(120):
        page.keyboard.press("Tab")
        where = page.evaluate(
            """() => { const e = document.activeElement;
                       return e.closest('article') ? 'content'
                            : e.closest('.md-sidebar--secondary') ? 'toc' : 'other'; }"""
        )
        reached.append(where)
        if "content" in reached and "toc" in reached:
            break
    assert "content" in reached, "Tab never reached the content"
    assert "toc" not in reached[: reached.index("content")]


def test_feed_links_are_found_by_their_rel_tokens_but_not_read_as_languages(site, session):
    """Feed readers tokenise rel; Material reads only an exact rel="alternate"."""
    html = BeautifulSoup((site / "index.html").read_text("utf-8"), "lxml")
    feeds = html.select('link[rel~="alternate"][type="application/atom+xml"]')
    assert [f["href"] for f in feeds] == ["feeds/index.xml"]
    page = session("").page
    assert page.locator('link[rel="alternate"]').count() == 0
    assert page.locator('link[rel~="alternate"][type="application/atom+xml"]').count() == 1
    page.locator("article a[href*='briefings/']").first.click()  # instant navigation
    page.wait_for_load_state("networkidle")
    assert page.locator('link[rel="alternate"]').count() == 0


def test_headings_are_bold_and_dark(session):
    page = session("").page
    style = page.locator("article h1").first.evaluate(
        "e => [getComputedStyle(e).fontWeight, getComputedStyle(e).color,"
        " getComputedStyle(document.body).color]"
    )
    weight, color, body = style
    assert int(weight) >= 600
    assert color == body


# --- Every kind of page ----------------------------------------------------------


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_console_errors(session, paths, base, kind):
    found = session(paths[kind], PHONE if kind == "briefing" else DESKTOP)
    errors = list(found.console)
    if kind == "404":  # the browser reports the page's own status
        errors = [e for e in errors if "404" not in e or "sitemap" in e]
    assert errors == [], f"{kind} logged {errors}"
    assert not found.errors


OVERFLOW = """() => {
  const out = [];
  const limit = document.documentElement.clientWidth;
  const scrolls = (e) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(e).overflowX);
  for (const e of document.querySelectorAll('.md-main *, .md-header *')) {
    if (e.closest('[hidden], .md-search, .md-sidebar--secondary, .md-nav--secondary')) continue;
    const box = e.getBoundingClientRect();
    if (!box.width || getComputedStyle(e).visibility === 'hidden') continue;
    if (box.right <= 0) continue;  // off-canvas: the closed navigation drawer
    let clipped = false;
    for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
      if (scrolls(a)) { clipped = true; break; }
    if (clipped) continue;
    if (box.right > limit + 1 || box.left < -1)
      out.push(`${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(box.left)}-${Math.round(box.right)}`);
  }
  return {out: out.slice(0, 10), scroll: document.documentElement.scrollWidth, limit};
}"""


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_element_is_wider_than_the_screen(session, paths, kind, device):
    page = session(paths[kind], VIEWPORTS[device]).page
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["limit"], found
    assert found["out"] == [], f"{kind} on a {device}: {found['out']}"


def test_screenshots_of_every_kind_of_page(browser, base, cited_base, paths):
    """Phone and desktop, light and dark, full pages, into tests/artifacts/ (look at them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    sites = {base: [(kind, paths[kind]) for kind in PAGES], cited_base: [("cited", CITED)]}
    for device, viewport in VIEWPORTS.items():
        for scheme in SCHEMES:
            for root, pages in sites.items():
                shots = Visit(browser, root, viewport)
                shots.page.emulate_media(color_scheme=scheme)
                try:
                    for kind, path in pages:
                        shots.open(path, idle=True)
                        shot = ARTIFACTS / f"page-{kind.replace(' ', '-')}-{device}-{scheme}.png"
                        shots.page.screenshot(path=shot, full_page=True)
                        assert shot.stat().st_size > 10_000, f"{shot.name} looks empty"
                finally:
                    shots.context.close()


@pytest.mark.parametrize("kind", ["briefing", "home", "actor", "story"])
def test_no_serious_accessibility_violation_in_the_dark(session, paths, kind):
    page = session(paths[kind], DESKTOP, "dark").page
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    found = harness.axe_violations(page)
    assert not found, harness.describe(found, f"{kind} (dark)")
