"""What a search costs a reader: the bytes Chromium transfers for one query.

The built site is served on 127.0.0.1 by a plain static server (no compression:
Pagefind's index chunks are gzipped files already; its scripts would shrink on a
server that compresses). Each query runs in a fresh browser context, so nothing
is cached: the page loads, then the counter starts, the reader presses "/" and
types the query, and the counter stops once the results are shown and the
network has been quiet for half a second. Bytes are Chromium's own count of what
came over the wire (Playwright's ``Request.sizes()``: response headers and bodies as
transferred) for the files under ``pagefind/``, the page's requests and those of
Pagefind's web worker (the page may still be fetching its favicon, which is not
the search's).

``bytes_gzip`` is the same files' bodies as a host that compresses scripts, styles
and JSON would send them (computed from the files, without headers).

``bytes_by_kind`` splits ``bytes`` by what the files are: Pagefind's code (the same
whatever the archive), each bundle's entry and meta (a few bytes a page), the
filters (none, unless the reader opens the "Filter" disclosure), the index chunks
the query's words fall in (at least one per bundle searched: Pagefind cuts an
index in chunks of ~20,000 word positions) and the fragments of the results. The
theme's search merges the newest years first and older ones only as it needs
them, so ``bundles`` names the bundles a query read.

Two queries: a word every briefing has (its "Sources" heading), so that the first
ten results are shown, and a word no page has.

Run on its own against a built site::

    .venv/bin/python -m benchmarks.search_transfer path/to/site
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CHROMIUM = Path(os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

COMMON = "sources"
"""In every briefing (its "Sources" heading): a query with more than ten results."""

NOTHING = "qxzvqxzv"
"""In no page."""

QUIET_SECONDS = 0.5
TIMEOUT_MS = 60_000


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _serve(site: Path) -> Iterator[str]:
    """The site on a free port of 127.0.0.1, for as long as the block runs."""
    handler = functools.partial(_Quiet, directory=str(site.resolve()))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def available() -> str | None:
    """Why the measurement cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (the test extras install it)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no Chromium at {CHROMIUM} (make browser-deps installs Debian's)"
    return None


def _moved(request: Any) -> int:
    """Bytes of one response as transferred: headers and body.

    Chromium gives a worker's own script a body size of 0 (Pagefind's
    pagefind-worker.js), so the body is at least what Content-Length said.
    """
    size = request.sizes()
    response = request.response()
    length = int(response.headers.get("content-length", 0)) if response else 0
    return int(size["responseHeadersSize"]) + max(int(size["responseBodySize"]), length)


COMPRESSED_BY_HOSTS = (".js", ".css", ".json")
"""What a static host (GitHub Pages, Netlify, nginx with gzip on) compresses; Pagefind's
index chunks and WebAssembly are gzipped files already."""


def _gzipped(path: Path) -> int:
    """The body of ``path`` as a host that compresses would send it."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if path.suffix in COMPRESSED_BY_HOSTS else len(data)


KINDS = (("fragment/", "fragments"), ("index/", "index"), ("filter/", "filters"),
         (".pf_meta", "meta"), ("pagefind-entry.json", "entries"), ("bundles.json", "entries"))  # fmt: skip
"""What a file of the search is, by its path; the rest is code (scripts, styles, WebAssembly)."""


def _kind(path: str) -> str:
    """The kind of a file of the search (:data:`KINDS`), for the breakdown of a query's bytes."""
    return next((kind for part, kind in KINDS if part in path), "code")


def _query(browser: Any, site: Path, url: str, query: str, *, results: int) -> dict[str, Any]:
    """Bytes and requests from opening the search to seeing ``query``'s results."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        counting = {"on": False, "last": time.monotonic()}
        finished: list[Any] = []

        def done(request: Any) -> None:
            # Only the search's own files: the page may still fetch its favicon, say.
            if counting["on"] and request.url.startswith(f"{url}pagefind/"):
                finished.append(request)
                counting["last"] = time.monotonic()

        # The page's requests and its workers' (Pagefind searches in a web worker).
        page.on("requestfinished", done)
        page.goto(url, wait_until="networkidle")
        page.locator("button.briefings-search-open").wait_for()  # the search's script ran
        counting["on"] = True
        started = time.perf_counter()
        page.keyboard.press("/")
        box = page.locator("dialog.briefings-search input[type=search]")
        box.wait_for()
        box.press_sequentially(query)
        if results:
            page.locator(".briefings-search__result").nth(results - 1).wait_for()
        else:
            page.locator(".briefings-search__status", has_text="No results").wait_for()
        shown = time.perf_counter() - started
        while time.monotonic() - counting["last"] < QUIET_SECONDS:
            page.wait_for_timeout(100)
        counting["on"] = False
        moved = [_moved(request) for request in finished]
        names = [request.url.removeprefix(url).partition("?")[0] for request in finished]
        paths = [site / name for name in names]
        by_kind: dict[str, int] = {}
        for name, size in zip(names, moved, strict=True):
            by_kind[_kind(name)] = by_kind.get(_kind(name), 0) + size
        return {
            "query": query,
            "results_shown": page.locator(".briefings-search__result").count(),
            "bytes": sum(moved),
            "bytes_gzip": sum(_gzipped(path) for path in paths),
            "requests": len(finished),
            "bytes_by_kind": dict(sorted(by_kind.items(), key=lambda item: -item[1])),
            "bundles": sorted({name.split("/")[1] for name in names if name.count("/") > 1}),
            "files": sorted({request.url.removeprefix(url) for request in finished}),
            "seconds_to_results": round(shown, 3),
        }
    finally:
        context.close()


def measure(site: Path) -> dict[str, Any]:
    """The bytes a ten-result query and a query that finds nothing transfer."""
    from playwright.sync_api import sync_playwright

    with _serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            return {
                "ten_results": _query(browser, site, url, COMMON, results=10),
                "no_results": _query(browser, site, url, NOTHING, results=0),
            }
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a site built by `briefings build`")
    args = parser.parse_args(argv)
    missing = available()
    if missing:
        print(f"cannot measure: {missing}", file=sys.stderr)
        return 1
    print(json.dumps(measure(args.site), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
