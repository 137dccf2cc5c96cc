"""How long from saving a brief to the preview showing the change.

Starts ``briefings serve`` on a synthetic corpus, edits one brief's title, and
waits for the new title: by default in Debian's Chromium (Playwright), with the
page open and reloaded by MkDocs' live-reload script, as an author sees it;
with ``--http``, by polling the page's address instead. Prints one line per edit
and the median. Run: ``.venv/bin/python -m benchmarks.serve_latency --briefs 1000``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from functools import partial
from pathlib import Path

from benchmarks import builds
from benchmarks.corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except OSError:
        return ""


def _wait(url: str, text: str, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if text in _get(url):
            return time.monotonic() - start
        time.sleep(0.02)
    raise TimeoutError(f"{text!r} not served within {timeout} s")


class _Browser:
    """One Chromium tab on the page, reloaded by the live-reload script alone.

    A change counts as shown once a page load has the new title and the page
    has painted a frame after it. The tab notes each load as Chromium reports
    it, and the heading is looked for then: Playwright's own wait for an
    element polls every half second after its first tries, which alone added
    up to 0.5 s to a save that showed in 0.4.
    """

    def __init__(self, url: str) -> None:
        from playwright.sync_api import sync_playwright

        self.playwright = sync_playwright().start()
        self.chromium = self.playwright.chromium.launch(
            executable_path=os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        self.page = self.chromium.new_page()
        self.loads = 0
        self.page.on("domcontentloaded", self._loaded)
        self.page.goto(url)

    def _loaded(self, _page: object) -> None:
        self.loads += 1

    def wait(self, text: str, timeout: float) -> float:
        from playwright.sync_api import Error

        start = time.monotonic()
        heading = self.page.locator("article h1", has_text=text)
        while time.monotonic() - start < timeout:
            seen = self.loads
            with contextlib.suppress(Error):  # the page went away under the look: look again
                if heading.count():
                    self.page.evaluate(PAINTED)
                    return time.monotonic() - start
            while self.loads == seen and time.monotonic() - start < timeout:
                self.page.wait_for_timeout(5)  # Chromium's events are taken in meanwhile
        raise TimeoutError(f"{text!r} not shown within {timeout} s")

    def close(self) -> None:
        self.chromium.close()
        self.playwright.stop()


PAINTED = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
"""Resolves once the page has painted the frame it had when asked (the second frame begins)."""


def _takes_ctrl_c() -> None:
    """In the preview's process, before it starts: take Ctrl-C as a command at a terminal does.

    A benchmark started in the background (``… &``) ignores SIGINT, and so would
    the preview it starts; :func:`_stop` then waited its whole grace for it.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def startup_timeout(briefs: int) -> float:
    """Seconds to wait for the preview's first whole build, which grows with the corpus.

    At 10,000 briefs that first build took 500 s (issue 15), so a fixed ten
    minutes was too short; a second per brief, at least ten minutes, leaves room.
    """
    return max(600.0, float(briefs))


def _stop(server: subprocess.Popen[bytes], grace: float = 120.0) -> None:
    """Stop the preview: Ctrl-C, then, if it is still busy after ``grace`` seconds, kill it.

    On a loaded machine a preview in the middle of rebuilding listing pages took more
    than a minute to stop; raising then would lose every figure already measured.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGINT)
    try:
        server.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def measure(
    briefs: int,
    edits: int,
    full: bool,
    settle: float = 10.0,
    *,
    browser: bool = True,
    workdir: Path | None = None,
    seed: int = 1,
) -> list[float]:
    """Seconds from each save to the change showing (in the browser, or over HTTP).

    The corpus goes into a temporary folder in ``workdir`` (default: the system's),
    removed afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="serve-latency-", dir=workdir) as tmp:
        project = Path(tmp)
        shutil.copy(ROOT / "site_config.yml", project / "site_config.yml")
        shutil.copytree(ROOT / "theme", project / "theme")
        write_corpus(project / "briefings", briefs, seed)
        port = _free_port()
        command = builds.briefings_command("serve", "--port", str(port))
        if full:
            command.append("--full")
        server = subprocess.Popen(
            command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env=builds.checkout_env(), preexec_fn=_takes_ctrl_c,
        )  # fmt: skip
        try:
            target = sorted((project / "briefings").glob("*.yml"))[1]
            url = f"http://127.0.0.1:{port}/briefings/{target.stem}/"
            _wait(url, "<title>", timeout=startup_timeout(briefs))
            tab = _Browser(url) if browser else None
            original = target.read_text(encoding="utf-8")
            times = []
            try:
                for number in range(edits):
                    marker = f"Edited {number} {time.time_ns()}"
                    target.write_text(
                        original.replace("title: ", f"title: {marker} ", 1), encoding="utf-8"
                    )
                    wait = tab.wait if tab else partial(_wait, url)
                    times.append(wait(marker, 120))
                    time.sleep(settle)  # the pages listing the brief: rebuilt after the edit
            finally:
                if tab:
                    tab.close()
            return times
        finally:
            _stop(server)


def main() -> int:
    """Measure and print the save-to-served latency."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="full rebuilds instead of dirty ones")
    parser.add_argument("--settle", type=float, default=10.0, help="seconds between saves")
    parser.add_argument("--http", action="store_true", help="poll the page instead of a browser")
    args = parser.parse_args()
    chromium = Path(os.environ.get("BRIEFINGS_CHROMIUM", "/usr/bin/chromium"))
    if not args.http and not chromium.is_file():
        print(f"no Chromium at {chromium} (`make test` installs it): polling over HTTP instead")
        args.http = True
    times = measure(args.briefs, args.edits, args.full, args.settle, browser=not args.http)
    for number, seconds in enumerate(times, start=1):
        print(f"edit {number}: {seconds:.2f} s")
    mode = "whole builds" if args.full else "page rebuilds"
    seen = "polled over HTTP" if args.http else "shown in Chromium"
    print(
        f"median save → {seen} at {args.briefs} briefs ({mode}): {statistics.median(times):.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
