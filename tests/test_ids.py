"""Finding ids to reuse: ``briefings ids`` and the editor schema's completions.

The fixture corpus (tests/fixtures/ids) holds a story of three briefs (the last
embargoed until 2099), a draft, and a brief with an error, which is left out.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from generator import lookup, pipeline
from generator.cli import main
from generator.load import read_actors
from generator.schema import (
    BRIEF_IDS_SCHEMA,
    BRIEF_SCHEMA,
    EVENT_IDS_SCHEMA,
    PROPOSAL_IDS_SCHEMA,
    schema_files,
    write_schemas,
)
from generator.serve import Preview
from generator.validate import validate_actors
from tests.conftest import FIXTURES, ROOT, make_project

IDS = FIXTURES / "ids"
LEFT_OUT = (
    "note: briefings/broken-brief.yml has errors and is left out; 'briefings check' shows them"
)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The fixture corpus in a project of its own, as the working folder."""
    settings = make_project(tmp_path, IDS)
    monkeypatch.chdir(tmp_path)
    return settings


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["ids", *args])
    out, err = capsys.readouterr()
    return code, out, err


EXPECTED = {
    "events": [
        "ID                DATE                      TITLE                                              BRIEFS",
        "bridge-survey     2025-04                   Engineers survey the border river near Zenda for…  bridge-over-the-border (draft)",
        "fare-dispute      2025-03-30 to 2025-03-31  Negotiators clash over fares for two days.         ferry-talks-stall",
        "ferry-talks-open  2025-03-01                Ferry talks open in Strelsau.                      ferry-talks-open, ferry-talks-stall",
    ],
    "proposals": [
        "ID                  DATE        TITLE                                               BRIEFS",
        "border-bridge       2025-05-01  Build a road bridge over the border river instead…  bridge-over-the-border (draft)",
        "cross-border-ferry  2099-06-01  A daily ferry between Strelsau and Klow, with…      ferry-talks-open, ferry-talks-stall, ferry-deal-signed (embargoed)",
    ],
    "places": [
        "ID        TITLE     BRIEFS",
        "klow      Klow",
        "strelsau  Strelsau  ferry-talks-open",
        "zenda     Zenda     bridge-over-the-border (draft)",
    ],
    "threads": [
        "ID                DATE                      TITLE              BRIEFS IN ORDER",
        "ferry-talks-open  2025-03-01 to 2099-06-01  Ferry deal signed  ferry-talks-open, ferry-talks-stall, ferry-deal-signed (embargoed)",
    ],
    "briefs": [
        "ID                              DATE        TITLE                                            LINKED FROM",
        "bridge-over-the-border (draft)  2025-05-01  Engineers survey the river for a road bridge…    ferry-talks-stall, ferry-deal-signed (embargoed)",
        "ferry-deal-signed (embargoed)   2099-06-01  Ferry deal signed",
        "ferry-talks-open                2025-03-01  Ferry talks open between Ruritania and Borduria  ferry-talks-stall",
        "ferry-talks-stall               2025-04-01  Ferry talks stall over fares                     ferry-deal-signed (embargoed)",
    ],
}  # fmt: skip


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_ids_lists_each_kind_word_for_word(project, capsys, kind):
    code, out, err = run(capsys, kind)
    assert code == 0
    assert out.splitlines() == EXPECTED[kind]
    assert err.splitlines() == [LEFT_OUT]


def test_a_word_filters_on_id_and_whole_title_whatever_its_case(project, capsys):
    # 'ferry' is in one id, and in the part of bridge-survey's title the listing cuts off
    code, out, _ = run(capsys, "events", "FERRY")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "ID",
        "bridge-survey",
        "ferry-talks-open",
    ]
    code, out, _ = run(capsys, "proposals", "Bridge")
    assert [line.split()[0] for line in out.splitlines()] == ["ID", "border-bridge"]


def test_a_word_that_matches_nothing_exits_1_with_a_one_line_note(project, capsys):
    code, out, err = run(capsys, "events", "tunnel")
    assert code == 1
    assert out == ""
    assert err.splitlines() == [LEFT_OUT, "no event id or title contains 'tunnel'"]
    code, out, err = run(capsys, "briefs", "tunnel", "--format", "json")
    assert (code, json.loads(out)) == (1, [])
    assert err.splitlines()[-1] == "no brief slug or title contains 'tunnel'"


def test_json_lists_full_titles_dates_and_each_brief_with_its_status(project, capsys):
    code, out, _ = run(capsys, "proposals", "klow", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {
            "id": "cross-border-ferry",
            "title": "A daily ferry between Strelsau and Klow, with shared fares",
            "date": "2099-06-01",
            "end": None,
            "briefs": [
                {"slug": "ferry-talks-open", "date": "2025-03-01", "status": "published"},
                {"slug": "ferry-talks-stall", "date": "2025-04-01", "status": "published"},
                {"slug": "ferry-deal-signed", "date": "2099-06-01", "status": "embargoed"},
            ],
        }
    ]
    _, out, _ = run(capsys, "briefs", "bridge", "--format", "json")
    (bridge,) = json.loads(out)
    assert (bridge["status"], bridge["story"]) == ("draft", None)
    _, out, _ = run(capsys, "events", "fare", "--format", "json")
    assert [(e["date"], e["end"]) for e in json.loads(out)] == [("2025-03-30", "2025-03-31")]


def test_a_brief_with_errors_is_left_out_and_the_rest_still_listed(project, capsys):
    code, out, err = run(capsys, "events", "should")
    assert (code, out) == (1, "")
    assert err.splitlines() == [LEFT_OUT, "no event id or title contains 'should'"]


def test_an_empty_kind_says_so_and_is_not_a_failure(tmp_path, capsys, monkeypatch):
    make_project(tmp_path, FIXTURES / "valid")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "threads")
    assert (code, out, err) == (0, "", "no story thread ids in briefings yet\n")


def test_an_unknown_kind_is_refused_by_the_command_line(project, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["ids", "actors"])
    assert exc.value.code == 2
    assert "invalid choice: 'actors'" in capsys.readouterr().err


# --- The editor schema ----------------------------------------------------------------


def fixture_schemas(folder: Path) -> Path:
    """The schema files of the fixture corpus, written into ``folder``."""
    readable = lookup.read(IDS)
    actors, _ = validate_actors(read_actors(IDS))
    write_schemas(folder, actors, readable.places, readable.briefs)
    return folder


def _check_jsonschema(schema: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).parent / "check-jsonschema"), "--schemafile", str(schema)]
    return subprocess.run([*command, *map(str, files)], capture_output=True, text=True, check=False)


def test_known_ids_are_offered_with_their_title_and_date(tmp_path):
    schemas = fixture_schemas(tmp_path)
    events = json.loads((schemas / EVENT_IDS_SCHEMA).read_text(encoding="utf-8"))
    assert events["enum"] == ["bridge-survey", "fare-dispute", "ferry-talks-open"]
    assert events["enumDescriptions"] == [
        "Engineers survey the border river near Zenda for a bridge that would replace… · 2025-04",
        "Negotiators clash over fares for two days. · 2025-03-30 to 2025-03-31",
        "Ferry talks open in Strelsau. · 2025-03-01",
    ]
    proposals = json.loads((schemas / PROPOSAL_IDS_SCHEMA).read_text(encoding="utf-8"))
    assert dict(zip(proposals["enum"], proposals["enumDescriptions"], strict=True)) == {
        "border-bridge": "Build a road bridge over the border river instead of running a ferry"
        " · 2025-05-01",
        "cross-border-ferry": "A daily ferry between Strelsau and Klow, with shared fares"
        " · 2099-06-01",
    }
    briefs = json.loads((schemas / BRIEF_IDS_SCHEMA).read_text(encoding="utf-8"))
    assert dict(zip(briefs["enum"], briefs["enumDescriptions"], strict=True)) == {
        "bridge-over-the-border": "Engineers survey the river for a road bridge between Ruritania"
        " and Borduria · 2025-05-01 · draft",
        "ferry-deal-signed": "Ferry deal signed · 2099-06-01 · latest in story ferry-talks-open",
        "ferry-talks-open": "Ferry talks open between Ruritania and Borduria · 2025-03-01"
        " · in story ferry-talks-open",
        "ferry-talks-stall": "Ferry talks stall over fares · 2025-04-01 · in story ferry-talks-open",
    }
    places = json.loads((schemas / "place-ids.schema.json").read_text(encoding="utf-8"))
    assert places["enumDescriptions"] == ["Klow", "Strelsau", "Zenda"]


def _field(schema: dict, model: str | None, key: str) -> dict:
    return (schema if model is None else schema["$defs"][model])["properties"][key]


def test_new_event_and_proposal_ids_stay_valid_beside_the_offered_ones():
    """Completions for an id a brief may coin sit beside the plain pattern, in one anyOf."""
    schema = json.loads(schema_files([])[BRIEF_SCHEMA])
    offered = {"$ref": EVENT_IDS_SCHEMA}
    assert _field(schema, "Event", "id")["anyOf"][:2] == [
        offered,
        {"type": "string", "maxLength": 80, "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"},
    ]
    assert _field(schema, "Event", "not_same_as")["items"]["anyOf"][0] == offered
    assert _field(schema, "Proposal", "id")["anyOf"][0] == {"$ref": PROPOSAL_IDS_SCHEMA}
    assert _field(schema, "Position", "proposal")["anyOf"][0] == {"$ref": PROPOSAL_IDS_SCHEMA}
    brief = {"$ref": BRIEF_IDS_SCHEMA}  # must exist, as the checks require
    assert _field(schema, None, "related")["items"] == brief
    assert _field(schema, None, "continues")["anyOf"][0] == brief
    assert _field(schema, "Question", "answered_by")["anyOf"][0] == brief
    assert _field(schema, "Question", "not_answered_by")["items"] == brief


def test_check_jsonschema_accepts_the_fixture_briefs_and_new_ids_and_refuses_unknown_briefs(
    tmp_path,
):
    schemas = fixture_schemas(tmp_path / "schema")
    valid = sorted(
        p for p in IDS.glob("*.yml") if p.stem not in ("actors", "places", "broken-brief")
    )
    result = _check_jsonschema(schemas / BRIEF_SCHEMA, *valid)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (IDS / "ferry-talks-stall.yml").read_text(encoding="utf-8")
    new = tmp_path / "new.yml"
    new.write_text(text.replace("id: fare-dispute", "id: a-brand-new-event"), encoding="utf-8")
    assert _check_jsonschema(schemas / BRIEF_SCHEMA, new).returncode == 0
    bad = tmp_path / "bad.yml"
    bad.write_text(
        text.replace(
            "related: [bridge-over-the-border]", "related: [bridge-over-the-bordr]"
        ).replace("id: fare-dispute", "id: Fare_Dispute"),
        encoding="utf-8",
    )
    result = _check_jsonschema(schemas / BRIEF_SCHEMA, bad)
    assert result.returncode == 1
    assert "'bridge-over-the-bordr' is not one of" in result.stdout
    assert "'Fare_Dispute' is not valid under any of the given schemas" in result.stdout


def test_the_committed_enums_hold_every_id_the_real_briefs_use_and_validate_them():
    readable = lookup.read(ROOT / "briefings")
    events = {e.id for item in readable.briefs for e in item.brief.events if e.id}
    proposals = {p.id for item in readable.briefs for p in item.brief.proposals}
    for name, ids in (
        (EVENT_IDS_SCHEMA, events),
        (PROPOSAL_IDS_SCHEMA, proposals),
        (BRIEF_IDS_SCHEMA, {item.slug for item in readable.briefs}),
    ):
        committed = json.loads((ROOT / "schema" / name).read_text(encoding="utf-8"))
        assert set(committed["enum"]) == ids, name
        assert len(committed["enumDescriptions"]) == len(ids), name
    briefs = sorted(item.path for item in readable.briefs)
    result = _check_jsonschema(ROOT / "schema" / BRIEF_SCHEMA, *briefs)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_command_writes_the_ids_of_the_briefs_it_can_read(project, capsys):
    shutil.copytree(ROOT / "schema", project.root / "schema")
    assert main(["schema"]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [LEFT_OUT]
    assert "event-ids.schema.json" in out
    events = json.loads((project.root / "schema" / EVENT_IDS_SCHEMA).read_text(encoding="utf-8"))
    assert events["enum"] == ["bridge-survey", "fare-dispute", "ferry-talks-open"]


def test_build_and_preview_refresh_the_known_ids(tmp_path):
    settings = make_project(tmp_path, FIXTURES / "threads")
    settings = replace(settings, schema_dir=tmp_path / "schema", docs_dir=tmp_path / "docs")
    settings.schema_dir.mkdir()
    pipeline.generate(settings)
    path = settings.schema_dir / EVENT_IDS_SCHEMA
    assert "ferry-talks-open" in json.loads(path.read_text(encoding="utf-8"))["enum"]
    preview = Preview(replace(settings, preview=True))
    assert preview.refresh()
    brief = settings.briefings_dir / "ferry-talks-stall.yml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(
        text.replace("  - date: 2025-03-30", "  - id: fares-row\n    date: 2025-03-30")
    )
    assert preview.refresh()
    assert "fares-row" in json.loads(path.read_text(encoding="utf-8"))["enum"]


# --- What the YAML language server offers ---------------------------------------------

LANGUAGE_SERVER = ROOT / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
"""The language server editors run (VS Code's YAML extension), pinned in package.json."""


class LanguageServer:
    """Just enough of a Language Server Protocol client to ask for completions."""

    def __init__(self, root: Path) -> None:
        node = shutil.which("node")
        reason = None
        if node is None:
            reason = "no node: `make test` installs Debian's npm when run as root"
        elif not LANGUAGE_SERVER.is_file():
            reason = "no yaml-language-server in node_modules/: run `npm ci` (or `make test`)"
        if reason is not None:
            if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
                pytest.fail(f"CI=true and the language server cannot run: {reason}", False)
            pytest.skip(reason)
        self.process = subprocess.Popen(
            [str(node), str(LANGUAGE_SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.ids = 0
        capabilities = {
            "textDocument": {
                "completion": {
                    "completionItem": {
                        "snippetSupport": True,
                        "documentationFormat": ["markdown", "plaintext"],
                    }
                }
            },
            "workspace": {"configuration": True},
        }
        self.request(
            "initialize",
            {"processId": None, "rootUri": root.as_uri(), "capabilities": capabilities},
        )
        self.notify("initialized", {})
        settings = {"yaml": {"validate": True, "completion": True, "hover": True}}
        self.notify("workspace/didChangeConfiguration", {"settings": settings})

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        assert self.process.stdout is not None
        length = 0
        while line := self.process.stdout.readline().strip():
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        return json.loads(self.process.stdout.read(length))

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: dict) -> object:
        """Send a request and wait for its answer, answering the server's own requests."""
        self.ids += 1
        self.send({"id": self.ids, "method": method, "params": params})
        while True:
            message = self.receive()
            if message.get("id") == self.ids and "method" not in message:
                return message.get("result")
            if "method" in message and "id" in message:  # e.g. workspace/configuration
                items = message.get("params", {}).get("items", [])
                self.send({"id": message["id"], "result": [None] * len(items) or None})

    def complete(self, path: Path, text: str, line: int, character: int) -> dict[str, str]:
        """Completion label → its documentation, at a place in ``text`` saved as ``path``."""
        uri = path.as_uri()
        document = {"uri": uri, "languageId": "yaml", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": document})
        position = {"line": line, "character": character}
        result = self.request(
            "textDocument/completion", {"textDocument": {"uri": uri}, "position": position}
        )
        items = result["items"] if isinstance(result, dict) else result or []
        labels = {}
        for item in items:
            doc = item.get("documentation") or ""
            labels[item["label"]] = doc["value"] if isinstance(doc, dict) else doc
        return labels

    def close(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


NEW_BRIEF = """\
# yaml-language-server: $schema=../schema/brief.schema.json
title: Ferry fares agreed
date: 2025-05-01
summary: Fares were agreed.
continues: {continues}
events:
  - id: {event}
    date: 2025-04-30
    what: Fares agreed.
related:
  - {related}
sources:
  - id: herald
    outlet: The Example Herald
"""


def test_the_yaml_language_server_completes_known_ids_with_title_and_date(tmp_path):
    """What an author sees: the editor's own language server, on a new brief of the corpus."""
    project_dir = tmp_path / "project"
    shutil.copytree(IDS, project_dir / "briefings")
    fixture_schemas(project_dir / "schema")
    brief = project_dir / "briefings" / "ferry-fares.yml"
    server = LanguageServer(project_dir)
    try:
        text = NEW_BRIEF.format(continues="", event="", related="")
        brief.write_text(text, encoding="utf-8")
        events = server.complete(brief, text, 6, len("  - id: "))
        related = server.complete(brief, text, 10, len("  - "))
        continues = server.complete(brief, text, 4, len("continues: "))
    finally:
        server.close()
    # an event's id may also be left out: its default (null) is offered too
    assert events.pop("null") == events.pop("Default value") == ""
    assert events == {
        "bridge-survey": "Engineers survey the border river near Zenda for a bridge that would"
        " replace… · 2025-04",
        "fare-dispute": "Negotiators clash over fares for two days. · 2025-03-30 to 2025-03-31",
        "ferry-talks-open": "Ferry talks open in Strelsau. · 2025-03-01",
    }
    assert set(related) == {
        "bridge-over-the-border",
        "ferry-deal-signed",
        "ferry-talks-open",
        "ferry-talks-stall",
    }
    assert continues["ferry-deal-signed"] == (
        "Ferry deal signed · 2099-06-01 · latest in story ferry-talks-open"
    )


def test_a_broken_place_registry_still_lists_the_places_that_can_be_read(project, capsys):
    places = project.briefings_dir / "places.yml"
    places.write_text(
        places.read_text(encoding="utf-8").replace("latitude: 46", "latitude: 460"), "utf-8"
    )
    code, out, err = run(capsys, "places")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["ID", "strelsau", "zenda"]
    assert err.splitlines() == [
        LEFT_OUT,
        "note: places.yml has errors; only the places that could be read are listed "
        "('briefings check' shows them)",
    ]
