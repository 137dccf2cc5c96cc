"""Serve a built site on loopback and drive Debian's Chromium through Playwright.

Playwright never downloads a browser here: it launches the system Chromium
(`/usr/bin/chromium`, from Debian's `chromium` package, installed by `make test`).
axe-core comes from the npm registry (`package.json`, installed by `npm ci`).

When something the browser tests need is missing they are skipped with the
reason, except in CI (`CI=true`), where a missing browser is a failure: CI must
really run them.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# No sandbox: CI runs as root. The rest keeps Chromium from calling home.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them in CI, where they must run."""
    if in_ci():
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def require_browser() -> None:
    """Skip (or fail in CI) unless Chromium and axe-core are installed."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(
            f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium when run "
            "as root; otherwise run `sudo apt-get install -y chromium`"
        )
    if not AXE.is_file():
        unavailable(f"no axe-core at {AXE.relative_to(ROOT)}: run `npm ci` (or `make test`)")


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of a built site; a missing page gets the site's own 404.html, as on Pages."""

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep the test output quiet


class SiteServer(ThreadingHTTPServer):
    """A threaded server that takes a browser hanging up mid-response calmly."""

    daemon_threads = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # broken pipe, reset
            super().handle_error(request, client_address)


@contextmanager
def serve(site: Path) -> Iterator[str]:
    """Serve `site` on 127.0.0.1 at a free port; yields the base URL, ending in a slash."""
    handler = functools.partial(SiteHandler, directory=str(site))
    server = SiteServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def local(url: str, base: str) -> bool:
    """Whether a request stays on this machine: the test server, or inline data."""
    return url.startswith((base, "data:", "blob:"))


AXE_RUN = """async (known) => {
  const result = await axe.run(document, {resultTypes: ['violations'], elementRef: true});
  const found = [];
  for (const v of result.violations) {
    if (!['serious', 'critical'].includes(v.impact)) continue;
    for (const node of v.nodes) {
      const e = node.element;
      found.push({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        target: node.target.join(' '),
        html: node.html.replace(/\\s+/g, ' ').slice(0, 160),
        summary: (node.failureSummary || '').replace(/\\s+/g, ' '),
        known: known.findIndex(([rule, css]) => rule === v.id && e && e.matches(css)),
      });
    }
  }
  return found;
}"""


def axe_violations(page, known: list[tuple[str, str]] = ()) -> list[dict]:
    """Serious and critical axe-core violations, one per element.

    Each carries `known`: the index of the first (rule id, CSS selector) pair in
    `known` that the element matches, or -1.
    """
    from playwright.sync_api import TimeoutError as Timeout  # the browser tests' own dependency

    with suppress(Timeout):  # a page that never settles is left to axe, which reports it
        page.wait_for_function(CODE_SETTLED, timeout=5000)
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN, [list(k) for k in known])


CODE_SETTLED = """() => [...document.querySelectorAll("pre > code")].every(
    (code) => code.scrollWidth <= code.clientWidth || code.hasAttribute("tabindex"))"""
"""Whether every code block that scrolls can take the focus. Material gives it a
``tabindex`` from a resize observer, after the page has loaded: axe run before
that reported ``scrollable-region-focusable`` on the guide, once in a loaded run."""


def describe(violations: list[dict], where: str) -> str:
    """One line per element: rule, impact, selector, page, axe's summary and the markup."""
    return "\n".join(
        f"{v['rule']} ({v['impact']}) at {v['target']} on {where}: {v['help']}\n"
        f"    {v['summary']}\n    {v['html']}"
        for v in violations
    )
