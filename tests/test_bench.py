"""The benchmark's logic, without timing anything: tables, the Hugo site, the largest page."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks import bench, builds, hugo, targets, timing
from benchmarks.bench import build_parser
from benchmarks.corpus import NEW_BRIEF_DAY, write_corpus, write_new_brief


def _result(
    *,
    cold: float = 40.0,
    no_change: float = 2.5,
    publish: float = 3.0,
    edit: float = 4.0,
    hugo_seconds: float | None = 3.5,
    preview: float | None = 0.8,
    ten_kb: float = 350.0,
    largest_kb: float = 120.0,
    over: int = 0,
    pss: float = 280.0,
) -> dict[str, Any]:
    """One size's figures, shaped as the benchmark records them."""
    result: dict[str, Any] = {
        "builds": {
            "median": {"cold": cold, "no_change": no_change, "publish": publish, "edit": edit},
            "peak_rss_mb": 900.0,
            "largest": {
                "path": "timeline/index.html",
                "bytes": largest_kb * 1000,
                "over_limit": over,
                "limit": 150_000,
                "html_files": 1434,
            },
        },
        "stages": {"pss_peak_mb": pss, "rss_peak_mb": pss + 50},
        "search": {"ten_results": {"bytes": ten_kb * 1000}, "no_results": {"bytes": 206_000}},
        "preview": {"median": preview} if preview is not None else {"skipped": "no Chromium"},
    }
    if hugo_seconds is None:
        result["hugo"] = {"skipped": hugo.MISSING}
    else:
        result["hugo"] = {
            "seconds": hugo_seconds,
            "html_files": 1103,
            "peak_rss_mb": 200.0,
            "largest": {"bytes": 16_300},
            "version": "hugo v0.111.3",
            "content_pages": 1000,
        }
    return result


def _rows(text: str) -> dict[str, list[str]]:
    """A `` | ``-separated table as {first cell: the other cells}."""
    rows = {}
    for line in text.splitlines():
        if " | " in line:
            first, *rest = (cell.strip() for cell in line.split(" | "))
            rows[first] = rest
    return rows


def test_targets_table_has_a_column_per_size_then_hugo_ratio_and_met() -> None:
    results = {1000: _result(publish=5.0), 10000: _result(no_change=4.0, publish=3.0)}
    text = targets.targets_table(results)
    rows = _rows(text)
    assert rows["target"] == ["1,000", "10,000", "Hugo", "ratio", "met?"]
    # Hugo, ratio and met? are judged at the largest size: publish 3.0 s <= Hugo 3.5 s.
    assert rows["publish (new brief + build) <= Hugo cold"] == [
        "5.00",
        "3.00",
        "3.50",
        "0.86x",
        "yes",
    ]
    assert rows["no-change build <= 3 s"][-1] == "NO"
    assert rows["cold build (s), ratio to Hugo"] == ["40.00", "40.00", "3.50", "11.43x", ""]
    assert rows["largest page <= 150 KB"] == ["120.0", "120.0", "16.3", "7.36x", "yes"]
    assert rows["pages over 150 KB"] == ["0", "0", "-", "-", "yes"]
    assert rows["generator peak memory <= 300 MB"][-1] == "yes"
    assert rows["preview, save -> Chromium <= 1 s"] == ["0.80", "0.80", "-", "-", "yes"]
    assert (
        text.splitlines()[-1]
        == "Hugo, ratio and met? at 10,000 briefs (the largest size measured)."
    )


def test_targets_that_are_missed_or_not_measured() -> None:
    text = targets.targets_table(
        {1000: _result(hugo_seconds=None, preview=None, over=3, largest_kb=1270.0, pss=657.0)}
    )
    rows = _rows(text)
    # Without Hugo the publish target cannot be judged; without a browser, the preview.
    assert rows["publish (new brief + build) <= Hugo cold"] == ["3.00", "-", "-", "n/a"]
    assert rows["preview, save -> Chromium <= 1 s"] == ["-", "-", "-", "n/a"]
    assert rows["largest page <= 150 KB"][-1] == "NO"
    assert rows["pages over 150 KB"] == ["3", "-", "-", "NO"]
    assert rows["generator peak memory <= 300 MB"][-1] == "NO"
    assert text.splitlines()[-1].endswith("The targets are set at 10,000.")


def test_memory_falls_back_to_rss_without_pss() -> None:
    assert targets.memory_mb({"stages": {"pss_peak_mb": 0, "rss_peak_mb": 412.0}}) == 412.0
    assert targets.memory_mb({"stages": {"pss_peak_mb": 280.0, "rss_peak_mb": 412.0}}) == 280.0


def test_versus_hugo_puts_hugo_beside_ours() -> None:
    text = targets.versus_hugo(1000, _result(cold=35.0, hugo_seconds=3.5))
    rows = _rows(text)
    assert rows["1,000 briefs"] == ["ours", "Hugo", "ratio"]
    assert rows["cold build (s), ratio to Hugo"] == ["35.00", "3.50", "10.00x"]
    assert rows["HTML pages"] == ["1,434", "1,103", "1.30x"]
    assert rows["briefings build, peak RSS (MB)"] == ["900", "200", "4.50x"]
    assert "largest page: timeline/index.html (120 KB); 0 of 1,434 HTML files over 150 KB" in text
    skipped = targets.versus_hugo(1000, _result(hugo_seconds=None))
    assert f"Hugo: {hugo.MISSING}" in skipped
    assert _rows(skipped)["cold build (s), ratio to Hugo"] == ["40.00", "-", "-"]


def test_target_rows_for_json() -> None:
    rows = targets.target_rows({1000: _result(publish=5.0)})
    publish = next(r for r in rows if r["target"].startswith("publish"))
    assert publish["1000"] == {"ours": 5.0, "hugo": 3.5, "limit": 3.5, "met": "NO"}
    json.dumps(rows)  # what --json writes


def test_numbers_and_ratios() -> None:
    assert targets.number(None) == "-"
    assert targets.number(12707, "") == "12,707"
    assert targets.number(1.234, "s") == "1.23"
    assert targets.number(405.26, "KB") == "405.3"
    assert targets.ratio(10.0, 4.0) == "2.50x"
    assert targets.ratio(10.0, 0.0) == "-"
    assert targets.ratio(None, 4.0) == "-"


def test_largest_pages(tmp_path: Path) -> None:
    sizes = {"index.html": 10, "timeline/index.html": 200_000, "a/index.html": 150_001,
             "b/index.html": 150_000, "feed.xml": 999_999, "c/d/index.html": 200_000}  # fmt: skip
    for name, size in sizes.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x" * size)
    found = builds.largest_pages(tmp_path, top=3)
    assert found.html_files == 5  # not the feed
    assert found.over_limit == 3  # 150,000 bytes is not over 150 KB
    # Equal sizes by path, so the answer does not depend on the folder listing.
    assert found.top == [("c/d/index.html", 200_000), ("timeline/index.html", 200_000),
                         ("a/index.html", 150_001)]  # fmt: skip
    assert (found.path, found.bytes) == ("c/d/index.html", 200_000)
    (tmp_path / "void").mkdir()
    nothing = builds.largest_pages(tmp_path / "void")
    assert (nothing.path, nothing.bytes, nothing.html_files) == ("", 0, 0)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "briefings"
    write_corpus(folder, 6, seed=3)
    return folder


def test_hugo_site_has_one_content_page_per_brief(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "hugo"
    assert hugo.write_site(corpus, site) == 6
    pages = sorted((site / "content" / "briefings").glob("*.md"))
    assert [p.name for p in pages if p.name != "_index.md"] == sorted(
        f"{p.stem}.md" for p in corpus.glob("*.yml") if p.name != "actors.yml"
    )
    actors = yaml.safe_load((corpus / "actors.yml").read_text(encoding="utf-8"))
    for page in pages:
        if page.name == "_index.md":
            continue
        brief = yaml.safe_load((corpus / f"{page.stem}.yml").read_text(encoding="utf-8"))
        text = page.read_text(encoding="utf-8")
        front, end = json.JSONDecoder().raw_decode(text)
        body = text[end:]
        assert front["title"] == " ".join(brief["title"].split())
        assert front["date"] == brief["date"].isoformat()
        assert front["tags"] == brief["tags"]
        assert front["actors"] == [actors[a]["name"] for a in brief["actors"]]
        # The same prose as the brief's page: every section heading and paragraph.
        for section in brief["sections"]:
            assert f"## {section['heading']}" in body
            first = " ".join(section["text"].split("\n\n")[0].split())
            assert first in body
    config = (site / "config.toml").read_text(encoding="utf-8")
    assert 'tag = "tags"' in config and 'actor = "actors"' in config
    assert not (site / "themes").exists()  # a minimal layout of its own, no theme
    assert (site / "layouts" / "_default" / "single.html").is_file()


@pytest.mark.skipif(hugo.available() is not None, reason="no hugo (make bench installs it)")
def test_hugo_builds_the_site(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "hugo"
    hugo.write_site(corpus, site)
    built = hugo.build(site)
    public = site / "public"
    assert built.html_files == hugo.count_html(public)
    for brief in corpus.glob("*.yml"):
        if brief.name != "actors.yml":
            title = yaml.safe_load(brief.read_text(encoding="utf-8"))["title"]
            page = (public / "briefings" / brief.stem / "index.html").read_text(encoding="utf-8")
            assert f"<h1>{' '.join(title.split())}</h1>" in page
    assert (public / "tags" / "index.html").is_file()
    assert (public / "actors" / "index.html").is_file()


def test_new_brief_is_new_and_newest(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "briefings"
    shutil.copytree(corpus, folder)
    before = set(folder.glob("*.yml"))
    path = write_new_brief(folder, 6, seed=3)
    assert path not in before and path.parent == folder
    first = path.read_bytes()
    path.unlink()
    assert write_new_brief(folder, 6, seed=3).read_bytes() == first  # deterministic
    brief = yaml.safe_load(first)
    assert brief["date"] == NEW_BRIEF_DAY
    assert all(day["date"] < NEW_BRIEF_DAY for day in map(_load, before - {folder / "actors.yml"}))
    actors = yaml.safe_load((folder / "actors.yml").read_text(encoding="utf-8"))
    assert set(brief["actors"]) <= set(actors)
    slugs = {p.stem for p in before}
    assert set(brief.get("related", [])) <= slugs


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_edit_summary_and_restore(corpus: Path, tmp_path: Path) -> None:
    folder = tmp_path / "briefings"
    shutil.copytree(corpus, folder)
    target = builds.edited_brief(folder)
    original = builds.edit_summary(target)
    assert _load(target)["summary"].startswith(builds.EDITED_PREFIX)
    assert original == (corpus / target.name).read_bytes()


def test_clean_project_keeps_configuration_theme_and_briefs(tmp_path: Path) -> None:
    for name in ("site_config.yml", "theme/main.html", "briefings/a.yml", "build/docs/index.md",
                 ".site-builds/v1/index.html", "stray.txt"):  # fmt: skip
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x", encoding="utf-8")
    (tmp_path / "site").symlink_to(tmp_path / ".site-builds" / "v1")
    builds.clean_project(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["briefings", "site_config.yml", "theme"]
    assert (tmp_path / "theme" / "main.html").is_file()


def test_timing_run_reports_exit_code_and_stderr(tmp_path: Path) -> None:
    code = "import sys; print('out'); sys.stderr.write('went wrong'); sys.exit(3)"
    done = timing.run([sys.executable, "-c", code], tmp_path)
    assert (done.returncode, done.stderr) == (3, "went wrong")
    assert done.peak_rss_mb > 0


def test_command_line_keeps_its_options() -> None:
    args = build_parser().parse_args(
        ["--sizes", "1000,10_000", "--repeats", "2", "--workdir", "/tmp/x", "--keep",
         "--skip-mkdocs-above", "10000", "--json", "out.json", "--preview-edits", "0"]
    )  # fmt: skip
    assert args.sizes == [1000, 10000]
    assert (args.repeats, args.keep, args.skip_mkdocs_above) == (2, True, 10000)
    assert (args.workdir, args.json, args.preview_edits) == (Path("/tmp/x"), Path("out.json"), 0)
    assert build_parser().parse_args([]).sizes == [1000, 10000]


def test_a_round_of_builds_sees_publish_then_edit_and_restores_the_corpus(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The four builds in order, each on the corpus it is meant to see; no build is run."""
    project = tmp_path / "project"
    shutil.copytree(corpus, project / "briefings")
    (project / "site_config.yml").write_text("site_name: x\n", encoding="utf-8")
    (project / "build" / "docs").mkdir(parents=True)  # a previous build's, removed when cold
    before = {p.name: p.read_bytes() for p in (project / "briefings").iterdir()}
    edited = builds.edited_brief(project / "briefings")
    seen: list[tuple[int, bool, bool]] = []

    def fake_build(folder: Path) -> timing.Run:
        briefs = [p for p in (folder / "briefings").glob("*.yml") if p.name != "actors.yml"]
        is_edited = builds.EDITED_PREFIX in edited.read_text(encoding="utf-8")
        seen.append((len(briefs), (folder / "build").exists(), is_edited))
        site = folder / "site"
        site.mkdir(exist_ok=True)
        (site / "index.html").write_bytes(b"x" * 1000 * len(seen))
        return timing.Run(float(len(seen)), 0, 100.0 + len(seen), "")

    monkeypatch.setattr(builds, "cli_build", fake_build)
    monkeypatch.setattr(builds, "site_folder", lambda folder: folder / "site")
    calls: list[str] = []
    answer = builds.measure_round(project, 6, 3, after_cold=lambda: calls.append("mkdocs"))
    # cold (no build folder left), no change, publish (one more brief), edit.
    assert seen == [(6, False, False), (6, False, False), (7, False, False), (7, False, True)]
    assert calls == ["mkdocs"]
    assert answer["runs"]["publish"] == {"seconds": 3.0, "peak_rss_mb": 103.0}
    assert answer["largest"]["bytes"] == 1000  # the cold build's site
    assert answer["edited_brief"] == edited.stem
    assert {p.name: p.read_bytes() for p in (project / "briefings").iterdir()} == before
    summary = builds.summarise([answer, answer])
    assert summary["median"] == {"cold": 1.0, "no_change": 2.0, "publish": 3.0, "edit": 4.0}
    assert summary["peak_rss_mb"] == 104.0


def test_stage_table_survives_a_failed_stage_worker() -> None:
    """The targets come from the CLI; a stage worker broken by a module change shows ``-``."""
    from benchmarks import bench

    result = _result()
    result.update(
        stages={"failed": "worker stages failed (1):\nAttributeError: no attribute 'stats'"},
        incremental={},
        corpus={"brief_bytes": 8_300_000},
    )
    text = bench.table({1000: result})
    rows = {line[:34].strip(): line[34:].strip() for line in text.splitlines()}
    assert rows["pipeline.generate, end to end"] == "-"
    assert rows["corpus MB (briefs)"] == "8.3"
    assert "at 1,000: failed: AttributeError: no attribute 'stats'" in text
    assert "generate/floor@1000" not in bench.ratios({1000: result})
    assert bench.ratios({1000: result})["build_publish/hugo_cold@1000"] == pytest.approx(3 / 3.5)


def test_preview_server_that_ignores_ctrl_c_is_killed_not_raised() -> None:
    """A busy preview that outlives Ctrl-C must not lose the figures already measured."""
    import subprocess

    from benchmarks.serve_latency import _stop

    code = (
        "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", code], start_new_session=True, stdout=subprocess.PIPE
    )
    assert server.stdout is not None and server.stdout.readline() == b"ready\n"
    _stop(server, grace=0.5)
    server.stdout.close()
    assert server.returncode == -9


def test_a_scratch_docs_folder_goes_with_the_check_cache_written_beside_it(tmp_path):
    with bench._scratch(tmp_path, "docs") as docs:
        docs.mkdir()
        (docs / "index.md").write_text("page")
        for suffix in (".check-cache.pickle", ".check-cache.pickle.1", ".check-cache.suggestions"):
            docs.with_name(docs.name + suffix).write_bytes(b"cache")
        (tmp_path / "kept.txt").write_text("not the scratch folder's")
    assert [p.name for p in tmp_path.iterdir()] == ["kept.txt"]


def test_the_timed_command_runs_this_checkouts_generator_from_any_folder(tmp_path):
    found = subprocess.run(
        [sys.executable, "-c", "import generator; print(generator.__file__)"],
        cwd=tmp_path, env=builds.checkout_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(found.stdout.strip()).parent == builds.CHECKOUT / "generator"
    done = timing.run(builds.briefings_command("build", "--help"), tmp_path, builds.checkout_env())
    assert done.returncode == 0, done.stderr
