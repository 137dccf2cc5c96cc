"""The front page and the proposal tracker in Chromium: fit, errors, accessibility, pictures.

At 390 px (a phone) and 1366 px (a laptop), in light and dark: no element of the
page's content is wider than its container (a scroll container may hold wider
content: the stance grid scrolls inside its own labelled box), no console or
script error, no serious or critical axe-core violation. Screenshots go to
tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import harness
from tests.test_browser import ARTIFACTS, TIMEOUT_MS, base, browser, paths, site  # noqa: F401
from tests.test_browser import PAGES as KINDS

pytestmark = [pytest.mark.browser, pytest.mark.build]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
VIEWPORTS = {"phone": PHONE, "desktop": LAPTOP}
SCHEMES = ["light", "dark"]
PAGES = {"home": "", "tracker": "proposals/"}

OVERFLOW = """() => {
  const root = document.querySelector('article.md-content__inner');
  const scrolls = (el) => ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const found = [];
  const walk = (el) => {
    for (const child of el.children) {
      const style = getComputedStyle(child);
      if (style.display === 'none' || style.position === 'absolute' || style.position === 'fixed') continue;
      const r = child.getBoundingClientRect(), p = el.getBoundingClientRect();
      if ((r.width || r.height) && (r.right > p.right + 1 || r.left < p.left - 1)) {
        found.push(`${name(child)} (${Math.round(r.left)} to ${Math.round(r.right)} px) in ${name(el)} (${Math.round(p.left)} to ${Math.round(p.right)} px)`);
      }
      if (!scrolls(child)) walk(child);  // a scroll container's content scrolls within it
    }
  };
  walk(root);
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth) found.push(`the page: ${page.scrollWidth} px in ${window.innerWidth} px`);
  return found;
}"""


class Session:
    """A context in one viewport and colour scheme that records console errors and requests."""

    def __init__(self, browser, base: str, viewport: dict[str, int], scheme: str):  # noqa: F811
        self.base = base
        self.errors: list[str] = []
        self.missing: list[str] = []
        self.outside: list[str] = []
        self.context = browser.new_context(
            viewport=viewport, color_scheme=scheme, reduced_motion="reduce"
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.on(
            "request",
            lambda r: None if harness.local(r.url, base) else self.outside.append(r.url),
        )
        self.context.route(
            re.compile(r"^(?!" + re.escape(base) + r"|data:|blob:)"),
            lambda route: route.abort("blockedbyclient"),
        )
        self.page = self.context.new_page()
        self.page.on("response", lambda r: self.missing.append(r.url) if r.status >= 400 else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console",
            lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None,
        )

    def open(self, path: str):
        self.page.goto(self.base + path, wait_until="networkidle")
        return self.page


@pytest.fixture
def session(browser, base):  # noqa: F811
    opened: list[Session] = []

    def start(viewport: dict[str, int], scheme: str) -> Session:
        opened.append(Session(browser, base, viewport, scheme))
        return opened[-1]

    yield start
    for each in opened:
        each.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_fits_its_screen_without_errors_or_serious_violations(session, kind, device, scheme):
    visit = session(VIEWPORTS[device], scheme)
    page = visit.open(PAGES[kind])
    expected = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    where = f"{kind} at {VIEWPORTS[device]['width']} px, {scheme}"
    assert page.evaluate(OVERFLOW) == [], where
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"board-{kind}-{device}-{scheme}.png", full_page=True)
    violations = harness.axe_violations(page)
    assert not violations, harness.describe(violations, where)
    assert not visit.outside, f"{where} requested {visit.outside}"
    assert not visit.errors, f"{where}: {visit.errors} ({visit.missing})"


def test_the_stance_grid_scrolls_in_its_own_labelled_box_on_a_phone(session):
    page = session(PHONE, "light").open(PAGES["tracker"])
    grid = page.locator("div.stance-grid[role=region]")
    box = grid.evaluate(
        "g => ({client: g.clientWidth, scroll: g.scrollWidth, focus: g.tabIndex,"
        " label: document.getElementById(g.getAttribute('aria-labelledby')).innerText})"
    )
    assert box["scroll"] > box["client"], "the grid fits: no need for the scroll box any more?"
    assert box["focus"] == 0  # a keyboard can reach it and scroll it
    assert box["label"] == "Stances on each proposal (scroll sideways for every actor)"
    # the row headers stay in view while the grid scrolls
    grid.evaluate("g => { g.scrollLeft = g.scrollWidth; }")
    left = page.locator("div.stance-grid tbody th").first.evaluate(
        "th => th.getBoundingClientRect().left - th.closest('.stance-grid').getBoundingClientRect().left"
    )
    assert abs(left) <= 2


def test_board_columns_sit_side_by_side_on_a_desktop_and_stack_on_a_phone(session):
    def lefts(viewport):
        page = session(viewport, "light").open(PAGES["tracker"])
        return page.locator(".board > .board__column").evaluate_all(
            "cols => cols.map(c => Math.round(c.getBoundingClientRect().left))"
        )

    desktop, phone = lefts(LAPTOP), lefts(PHONE)
    assert len(set(desktop)) > 1, f"one column on a desktop: {desktop}"
    assert len(set(phone)) == 1, f"columns side by side on a phone: {phone}"


def test_links_on_the_front_page_cards_are_not_underlined(session):
    page = session(PHONE, "light").open(PAGES["home"])
    decorations = page.locator(".status-tile a, .story-card h3 a").evaluate_all(
        "links => links.map(a => getComputedStyle(a).textDecorationLine)"
    )
    assert decorations and set(decorations) == {"none"}


WIDE_TABLES = """() => [...document.querySelectorAll('article table')]
  .filter(t => !t.closest('.stance-grid'))  // a labelled scroll region of its own, by design
  .map(t => [t.getBoundingClientRect().width, t.closest('article').clientWidth])
  .filter(([table, room]) => table > room + 1)"""


@pytest.mark.parametrize("kind", list(KINDS))
def test_no_table_is_wider_than_a_phone_screen(session, paths, kind):  # noqa: F811
    """Each kind of page at 390 px: tables reflow into one card per row."""
    page = session(PHONE, "light").open(paths[kind])
    assert page.evaluate(WIDE_TABLES) == [], kind
