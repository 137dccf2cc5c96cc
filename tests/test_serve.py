"""The preview server survives a brief saved in a broken state and recovers when it is fixed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, make_project

pytestmark = pytest.mark.build


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def test_serve_keeps_the_last_good_page_and_recovers(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    port = _free_port()
    brief = settings.briefings_dir / "border-talks.yml"
    good = brief.read_text(encoding="utf-8")
    url = f"http://127.0.0.1:{port}/briefings/border-talks/"
    command = [str(Path(sys.executable).parent / "briefings"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: "Alliance weighs border patrols" in (_get(url) or ""), "first page")

        brief.write_text(good.replace("summary:", "summary: [unclosed\nsummary:"), encoding="utf-8")
        time.sleep(2)  # several watcher cycles
        assert server.poll() is None, "the server died on a broken brief"
        assert "Alliance weighs border patrols" in (_get(url) or "")

        brief.write_text(good.replace("Alliance weighs", "Alliance debates"), encoding="utf-8")
        _wait_for(lambda: "Alliance debates border patrols" in (_get(url) or ""), "updated page")
    finally:
        os.killpg(server.pid, signal.SIGINT)
        output = server.communicate(timeout=30)[0]
    assert "border-talks.yml:5:8: YAML syntax error" in output
    assert "the preview keeps the last good pages" in output
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_live_site_rebuilds_only_the_saved_pages_and_matches_a_whole_build(tmp_path):
    """The warm MkDocs of the preview renders an edited page exactly as a whole build does."""
    from dataclasses import replace

    from generator.serve import LiveSite, Preview

    settings = replace(make_project(tmp_path / "p", FIXTURES / "valid"), preview=True)
    preview = Preview(settings)
    assert preview.refresh()
    url = "http://127.0.0.1:8000/"
    live = LiveSite(settings, tmp_path / "live", url, dirty=True)
    live.build()
    other = tmp_path / "live" / "briefings" / "patrols-agreed" / "index.html"
    other_before = other.stat().st_mtime_ns
    brief = settings.briefings_dir / "border-talks.yml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("Alliance weighs", "Alliance debates"),
        encoding="utf-8",
    )
    first = preview.start()
    assert first is not None and first.written == ["briefings/border-talks.md"]
    assert live.update(first.written) == set()
    page = tmp_path / "live" / "briefings" / "border-talks" / "index.html"
    assert "Alliance debates border patrols" in page.read_text(encoding="utf-8")
    assert other.stat().st_mtime_ns == other_before  # not rebuilt
    live.update(preview.finish().written)

    whole = LiveSite(settings, tmp_path / "whole", url, dirty=False)
    whole.build()
    for name in ("briefings/border-talks/index.html", "index.html", "timeline/index.html"):
        assert (tmp_path / "live" / name).read_bytes() == (tmp_path / "whole" / name).read_bytes()


def test_live_site_hands_back_the_pages_a_new_save_interrupted(tmp_path):
    from dataclasses import replace

    from generator.serve import LiveSite, Preview

    settings = replace(make_project(tmp_path / "p", FIXTURES / "valid"), preview=True)
    assert Preview(settings).refresh()
    live = LiveSite(settings, tmp_path / "live", "http://127.0.0.1:8000/", dirty=True)
    live.build()
    pages = ["index.md", "timeline.md", "quotes.md"]
    assert live.update(pages, stop=lambda: True) == {"timeline.md", "quotes.md"}
    assert live.update(["briefings/no-such-brief.md"]) == set()  # unknown: a whole build instead


def test_the_preview_watches_changes_not_reads(tmp_path):
    """Every check reads every brief: a read must not count as a save, or checks never end."""
    from watchdog.events import FileSystemEventHandler

    from generator.serve import _observer

    brief = tmp_path / "brief.yml"
    brief.write_text("title: x\n", encoding="utf-8")
    seen: list[object] = []
    handler = FileSystemEventHandler()
    handler.on_any_event = seen.append  # type: ignore[method-assign]
    observer = _observer()
    observer.schedule(handler, str(tmp_path), recursive=True)
    observer.start()
    try:
        time.sleep(0.5)
        brief.read_text(encoding="utf-8")
        time.sleep(0.5)
        assert seen == [], seen
        brief.write_text("title: y\n", encoding="utf-8")
        _wait_for(lambda: bool(seen), "an event for the save", timeout=5)
    finally:
        observer.stop()
        observer.join()
