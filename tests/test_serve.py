"""The preview server survives a brief saved in a broken state and recovers when it is fixed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import replace
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


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


class _Session:
    """A running ``briefings serve`` on the valid fixture briefs, and what it printed."""

    def __init__(self, settings, url: str) -> None:
        self.settings = settings
        self.url = url
        self.output = ""


@contextmanager
def _serving(tmp_path: Path):
    settings = make_project(tmp_path, FIXTURES / "valid")
    port = _free_port()
    command = [str(Path(sys.executable).parent / "briefings"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    session = _Session(settings, f"http://127.0.0.1:{port}/")
    page = session.url + "briefings/border-talks/"
    try:
        _wait_for(lambda: "Alliance weighs border patrols" in (_get(page) or ""), "first page")
        yield session
        assert server.poll() is None, "the server died"
    finally:
        os.killpg(server.pid, signal.SIGINT)
        session.output = server.communicate(timeout=120)[0]  # slow only under load


def test_a_deleted_brief_disappears_from_the_preview(tmp_path):
    with _serving(tmp_path) as session:
        url = session.url
        assert _status(url + "data/briefings/sanctions-on-borduria.json") == 200
        assert "Alliance drafts sanctions on Borduria" in _get(url)
        (session.settings.briefings_dir / "sanctions-on-borduria.yml").unlink()
        _wait_for(
            lambda: (
                _status(url + "briefings/sanctions-on-borduria/") == 404
                and _status(url + "data/briefings/sanctions-on-borduria.json") == 404
                and "Alliance drafts sanctions on Borduria" not in (_get(url) or "x")
            ),
            "the deleted brief's page, JSON and listing to go",
            timeout=20,
        )


def test_a_settings_change_reaches_the_generator_and_the_engine(tmp_path):
    with _serving(tmp_path) as session:
        url = session.url
        config = session.settings.config_file
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("site_name: Briefings", "site_name: Dispatches"), "utf-8")
        _wait_for(
            lambda: "Dispatches: all briefings" in (_get(url + "feeds/index.xml") or ""),
            "the generator's feed to use the new site name",
        )
        assert "<title>Dispatches - Dispatches</title>" in _get(url)  # generator - engine
        config.write_text(text.replace("source: briefings", "source: elsewhere"), encoding="utf-8")
        time.sleep(2)
    assert (
        "site_config.yml: extra.briefings.source changed; restart `briefings serve` to apply "
        "the change (the preview keeps the last settings)"
    ) in session.output


def test_serve_keeps_the_last_good_page_and_recovers(tmp_path):
    with _serving(tmp_path) as session:
        brief = session.settings.briefings_dir / "border-talks.yml"
        good = brief.read_text(encoding="utf-8")
        url = session.url + "briefings/border-talks/"

        brief.write_text(good.replace("summary:", "summary: [unclosed\nsummary:"), encoding="utf-8")
        time.sleep(2)  # several watcher cycles
        assert "Alliance weighs border patrols" in (_get(url) or "")

        brief.write_text(good.replace("Alliance weighs", "Alliance debates"), encoding="utf-8")
        _wait_for(lambda: "Alliance debates border patrols" in (_get(url) or ""), "updated page")
    assert "border-talks.yml:5:8: YAML syntax error" in session.output
    assert "the preview keeps the last good pages" in session.output
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_a_save_that_changes_no_page_reloads_no_browser(tmp_path):
    """A half-typed brief changes nothing: the reader's page stays put until a save that does."""
    with _serving(tmp_path) as session:
        version = session.url + "livereload/0/0"  # the version browsers show, answered at once
        shown = _get(version)
        brief = session.settings.briefings_dir / "border-talks.yml"
        good = brief.read_text(encoding="utf-8")
        brief.write_text(good.replace("summary:", "summary: [unclosed\nsummary:"), encoding="utf-8")
        time.sleep(2)  # several watcher cycles
        assert _get(version) == shown
        brief.write_text(good.replace("Alliance weighs", "Alliance debates"), encoding="utf-8")
        _wait_for(lambda: _get(version) not in (None, shown), "a reload for the edit")
    assert "border-talks.yml:5:8: YAML syntax error" in session.output  # the round ran


def test_a_round_runs_without_the_collector_and_collects_once_done(tmp_path):
    """The collector's passes held up each round and the save that stops it; they wait for idle."""
    import gc

    from generator.serve import LiveSite, Preview, _Builder

    settings = replace(make_project(tmp_path / "p", FIXTURES / "valid"), preview=True)
    preview = Preview(settings)
    assert preview.refresh()
    site = LiveSite(settings, tmp_path / "live", "http://127.0.0.1:8000/", dirty=True)
    site.build()
    builder = _Builder(preview, site, lambda: settings)
    during: list[bool] = []
    start = preview.start
    preview.start = lambda: (during.append(gc.isenabled()), start())[1]  # type: ignore[method-assign]
    brief = settings.briefings_dir / "border-talks.yml"
    brief.write_text(
        brief.read_text(encoding="utf-8").replace("Alliance weighs", "Alliance debates")
    )
    passes: list[int] = []
    collected = lambda phase, info: phase == "stop" and passes.append(info["generation"])  # noqa: E731
    gc.callbacks.append(collected)
    try:
        while True:
            builder()
            if not preview.busy and not builder.unbuilt:
                break
    finally:
        gc.callbacks.remove(collected)
    assert during and not any(during)
    assert gc.isenabled()
    assert passes.count(2) == 1 and passes[-1] == 2  # one full pass, after the last round


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


def test_whole_builds_register_no_more_plugin_handlers(tmp_path):
    from generator.serve import LiveSite, Preview

    settings = replace(make_project(tmp_path / "p", FIXTURES / "valid"), preview=True)
    assert Preview(settings).refresh()
    live = LiveSite(settings, tmp_path / "live", "http://127.0.0.1:8000/", dirty=True)
    live.build()
    handlers = {event: len(methods) for event, methods in live.config.plugins.events.items()}
    for _ in range(3):
        live.build()
    assert {e: len(m) for e, m in live.config.plugins.events.items()} == handlers


def test_the_preview_pins_the_private_engine_api_it_uses():
    """An engine upgrade that renames or reshapes a private name fails here, not in the preview."""
    from generator import live_engine

    for name in live_engine.LIVE_ENGINES:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                f"from generator import live_engine; live_engine.load({name!r})",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_a_changed_private_signature_stops_the_preview_with_a_message(monkeypatch):
    from generator import live_engine

    changed = dict(live_engine.PRIVATE_API)
    changed["commands.build._build_page"] = ["page", "config", "nav"]
    monkeypatch.setattr(live_engine, "PRIVATE_API", changed)
    with pytest.raises(live_engine.EngineChanged) as stopped:
        live_engine.check("properdocs")
    assert str(stopped.value) == (
        "the preview's warm rebuilds need parts of the engine that changed: "
        "properdocs.commands.build._build_page takes "
        "(page, config, doc_files, nav, env, dirty, excluded), not (page, config, nav); "
        "install the engine version this preview was checked with"
    )


def test_a_save_is_built_once_its_file_events_settle_for_50_ms(tmp_path):
    """The engine's server waits 0.1 s; the preview's waits half that, with the engine as installed."""
    from generator import live_engine
    from generator.serve import _server

    live = live_engine.load("properdocs")
    server = _server(live, lambda: None, "127.0.0.1", _free_port(), tmp_path, "/")
    try:
        assert server.build_delay == live_engine.SAVE_SETTLES == 0.05
    finally:
        server.server_close()
