"""Site settings, read from ``site_config.yml``.

The file is MkDocs' own configuration; the generator's settings sit under
``extra.briefings`` so MkDocs accepts the file unchanged. Those settings are a
schema, like MkDocs' ``config/defaults.py``: one documented attribute per key,
every problem collected and reported ``file:line:col: key.path: message; hint``.
The rest of the file is MkDocs' business; we read only the few keys we need
(the folders, the site's name and address) and leave its tags to it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from yaml_env_tag import construct_env_tag

from generator.errors import BriefingsError, KeyPath, Position, Problem, did_you_mean
from generator.load import NULLS, Document

log = logging.getLogger(__name__)

CONFIG_FILE = "site_config.yml"

MAX_CONFIG_BYTES = 1024 * 1024
"""Largest configuration file read; MkDocs' own is a few kilobytes."""

MAX_JOBS = 64
"""Most processes a build may ask for: a typo such as ``jobs: 1000`` should not fork a thousand."""

MAX_MEMORY_MB = 1024 * 1024
"""Largest memory budget: a terabyte, beyond which a number is a typo."""

SECTION: KeyPath = ("extra", "briefings")
"""Where the generator's settings sit in MkDocs' configuration."""

Engine = Literal["properdocs", "mkdocs", "zensical"]


class _Schema(BaseModel):
    """Settings are strict: an unknown key is a typo, and infinities are not numbers."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, use_attribute_docstrings=True
    )


class RelatedWeights(_Schema):
    """How much each kind of shared term counts towards relating two briefings.

    In the spirit of Hugo's related content: each shared term adds its weight,
    and terms shared by more than ``max_share`` of all briefings (or by more
    than ``max_briefs``) count for nothing, so that "NATO" alone relates
    nothing; ``threshold`` is the least score that makes a link, ``limit`` the
    most links a page shows.
    """

    actors: float = Field(1.0, ge=0)
    """Weight of each actor two briefings share."""

    tags: float = Field(1.5, ge=0)
    """Weight of each tag two briefings share."""

    events: float = Field(2.0, ge=0)
    """Weight of each event (by id) two briefings share."""

    proposals: float = Field(2.0, ge=0)
    """Weight of each proposal (by id) two briefings share."""

    threshold: float = Field(2.0, ge=0)
    """The least score that relates two briefings."""

    max_share: float = Field(0.5, ge=0, le=1)
    """A term shared by more than this fraction of all briefings relates nothing."""

    max_briefs: int = Field(50, ge=1)
    """A term shared by more than this many briefings relates nothing."""

    limit: int = Field(5, ge=0, le=50)
    """Most related briefings a page lists; 0 lists only those a brief names in ``related``."""


class BriefingsConfig(_Schema):
    """The generator's settings: the ``extra.briefings`` mapping of ``site_config.yml``."""

    source: str = Field("briefings", min_length=1)
    """The folder of briefs and ``actors.yml``, relative to ``site_config.yml``."""

    words_per_minute: int = Field(220, ge=1, le=1000)
    """Reading speed behind each briefing's 'N min read'."""

    jobs: int = Field(0, ge=0, le=MAX_JOBS)
    """Processes that check, render and write; 0 is one per core on large sites, 1 is one."""

    memory_mb: int = Field(300, ge=0, le=MAX_MEMORY_MB)
    """With ``jobs: 0``, the memory the build's processes may take together; 0 is no limit."""

    engine: Engine = "properdocs"
    """The site builder that turns the generated Markdown into HTML."""

    related: RelatedWeights = RelatedWeights()
    """How related briefings are found."""

    @field_validator("related", mode="before")
    @classmethod
    def _empty_is_default(cls, value: Any) -> Any:
        """``related:`` with nothing under it keeps every default, as it always did."""
        return {} if value is None else value


HINTS = {
    "jobs": "0 is one process per core, 1 keeps everything in one process",
    "memory_mb": "in megabytes; 0 lets 'jobs: 0' use every core whatever it takes",
    "words_per_minute": "a typical reading speed is 200 to 250",
    "max_share": "a fraction of all briefings, between 0 and 1",
}
"""Extra help for a value out of bounds, by setting name."""


@dataclass(frozen=True)
class Settings:
    """Where things are and how the generator behaves, resolved to absolute paths."""

    root: Path
    config_file: Path
    briefings_dir: Path
    docs_dir: Path
    site_dir: Path
    site_name: str = "Briefings"
    site_url: str | None = None
    schema_dir: Path | None = None
    related: RelatedWeights = field(default_factory=RelatedWeights)
    words_per_minute: int = 220
    jobs: int = 0
    """Processes that render and write pages; 0 is one per core (for sites large enough)."""
    memory_mb: int = 300
    """With ``jobs`` 0, another process renders only while all of them fit in this (0: any)."""
    engine: str = "properdocs"
    """The site builder: properdocs, mkdocs or zensical."""
    preview: bool = False
    """True for the local preview: drafts and embargoed briefs are shown, marked."""
    today: dt.date = field(default_factory=dt.date.today)
    """The day the build runs; briefs dated later are embargoed until then."""


class SettingsError(BriefingsError):
    """``site_config.yml`` cannot be used: every problem found in it, located."""


# --- Reading the file ----------------------------------------------------------


def _leave_to_mkdocs(loader: yaml.BaseLoader, suffix: str, node: yaml.Node) -> None:
    """Any other tag (``!relative``, ``!!python/name:…``) is MkDocs' to resolve, never ours.

    Nothing is constructed from it, so no Python object is ever built here.
    """
    return None


class _ConfigLoader(yaml.CSafeLoader):
    """Reads MkDocs' configuration: its ``!ENV`` tag, and leaves any other tag alone."""


_ConfigLoader.add_constructor("!ENV", construct_env_tag)
_ConfigLoader.add_multi_constructor("", _leave_to_mkdocs)


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _reason(exc: yaml.YAMLError) -> str:
    """What PyYAML says went wrong, without its own account of where."""
    return getattr(exc, "problem", None) or getattr(exc, "context", None) or str(exc)


def _syntax_problem(path: Path, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    reason = _reason(exc)
    where = Position(mark.line + 1, mark.column + 1) if mark else None
    return Problem(path, f"YAML syntax error: {reason}", where)


def _compose(path: Path) -> tuple[_ConfigLoader | None, yaml.Node | None, list[Problem]]:
    """The file's node tree (keys, values and their marks), nothing built yet."""
    size = path.stat().st_size
    if size > MAX_CONFIG_BYTES:
        message = f"the file is {size:,} bytes; the limit is {MAX_CONFIG_BYTES:,}"
        return None, None, [Problem(path, message, Position(1, 1))]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        message = f"invalid UTF-8 byte 0x{exc.object[exc.start]:02x}"
        return None, None, [Problem(path, message, hint="save the file as UTF-8")]
    loader = _ConfigLoader(text)
    try:
        return loader, loader.get_single_node(), []
    except yaml.YAMLError as exc:
        return None, None, [_syntax_problem(path, exc)]


def _entry(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of ``key`` in a mapping node; the last one, as PyYAML keeps."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = (key_node, value_node)
    return found


_KINDS = {
    yaml.MappingNode: "a mapping ('key: value' lines)",
    yaml.SequenceNode: "a list ('- item' lines)",
    yaml.ScalarNode: "text",
}


class _Section:
    """Plain data from the node tree of ``extra.briefings``, with every key's position.

    Every scalar stays text (the model decides what is a number), as in a brief;
    ``!ENV`` is resolved, any other tag is refused, and an alias is refused
    rather than expanded.
    """

    def __init__(self, path: Path, loader: _ConfigLoader) -> None:
        self.doc = Document(path)
        self.loader = loader
        self.seen: set[int] = set()
        self.refused: set[KeyPath] = set()
        """Key paths whose value could not be read: reported once, not again by the model."""

    def problem(
        self,
        node: yaml.Node,
        path: KeyPath,
        message: str,
        hint: str | None,
        *,
        at_key: bool = False,
    ) -> None:
        """A value that cannot be read; an alias is placed at its key, the node being shared."""
        where = (self.doc.keys.get(path) if at_key else None) or _position(node)
        self.doc.problems.append(Problem(self.doc.path, message, where, key_path=path, hint=hint))
        self.refused.add(path)

    def read(self, node: yaml.Node, path: KeyPath) -> Any:
        self.doc.values[path] = _position(node)
        if node.tag == "!ENV":
            try:
                return self.loader.construct_object(node, deep=True)
            except yaml.YAMLError as exc:  # !ENV on a mapping
                self.problem(node, path, f"cannot be read: {_reason(exc)}", None)
                return None
        if node.tag.startswith("!") or node.tag.startswith("tag:yaml.org,2002:python/"):
            self.problem(
                node, path, f"tags ({node.tag}) are not allowed here", "write the value itself"
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            plain = not node.style
            return None if plain and node.value in NULLS else node.value
        if id(node) in self.seen:
            self.problem(
                node,
                path,
                "aliases are not allowed here",
                "write the value out in full",
                at_key=True,
            )
            return None
        self.seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            return [self.read(item, (*path, n)) for n, item in enumerate(node.value)]
        return self.mapping(node, path)

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "keys must be plain text", "write 'name: value'")
                continue
            name = key_node.value
            if name in data:
                first = self.doc.keys[(*path, name)]
                self.doc.problems.append(
                    Problem(
                        self.doc.path,
                        f"duplicate key '{name}' (first defined at line {first.line}, column {first.column})",
                        _position(key_node),
                        hint="keep one of the two and delete the other",
                    )
                )
                continue
            self.doc.keys[(*path, name)] = _position(key_node)
            data[name] = self.read(value_node, (*path, name))
        return data


# --- Checking it ---------------------------------------------------------------


def _model_at(loc: KeyPath) -> type[_Schema]:
    return RelatedWeights if loc[:1] == ("related",) else BriefingsConfig


def _shown(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return _KINDS[yaml.MappingNode]
    if isinstance(value, list):
        return _KINDS[yaml.SequenceNode]
    return "text"


def _number(value: Any) -> str:
    """A bound as an author would write it: 1, not 1.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bound(kind: str, ctx: Mapping[str, Any], value: Any) -> str | None:
    """The message for a number out of bounds, or None when the error is another kind."""
    if kind in ("greater_than_equal", "greater_than"):
        return f"{value} is too small; the least allowed is {_number(ctx.get('ge', ctx.get('gt')))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{value} is too large; the most allowed is {_number(ctx.get('le', ctx.get('lt')))}"
    return None


def _translate(err: Mapping[str, Any]) -> tuple[str, str | None, bool]:
    """Message and hint for one pydantic error in the settings; the flag marks key errors."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    loc: KeyPath = tuple(err["loc"])
    name = str(loc[-1]) if loc else ""
    model = _model_at(loc)
    if kind == "extra_forbidden":
        known = list(model.model_fields)
        return (
            "unknown setting",
            did_you_mean(name, known) or f"known here: {', '.join(known)}",
            True,
        )
    setting = model.model_fields.get(name)
    if value is None and setting is not None:
        return (
            "has no value",
            f"fill it in, or delete the line to get the default, {setting.default}",
            True,
        )
    bound = _bound(kind, ctx, value)
    if bound:
        return bound, HINTS.get(name), False
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_shown(value)} is not a whole number", None, False
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{_shown(value)} is not a number", None, False
    if kind == "literal_error":
        allowed = [a.strip(" '") for a in str(ctx["expected"]).replace(" or ", ", ").split(",")]
        return (
            f"{_shown(value)} is not one of: {', '.join(allowed)}",
            did_you_mean(str(value), allowed),
            False,
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"expected a mapping ('key: value' lines), found {_describe(value)}", None, False
    if kind == "string_type":
        return f"expected text, found {_describe(value)}", None, False
    if kind == "string_too_short":
        return "is empty", "name a folder, or delete the line to get the default", False
    return str(err["msg"]), None, False


def _check_section(section: _Section, data: Any) -> tuple[BriefingsConfig | None, list[Problem]]:
    """Validate ``extra.briefings`` against :class:`BriefingsConfig`, every problem located."""
    doc = section.doc
    try:
        return BriefingsConfig.model_validate(data), list(doc.problems)
    except ValidationError as exc:
        problems = list(doc.problems)
        for err in exc.errors(include_url=False):
            path = (*SECTION, *err["loc"])
            if path in section.refused:
                continue
            message, hint, at_key = _translate(err)
            problems.append(
                Problem(doc.path, message, doc.position(path, key=at_key), key_path=path, hint=hint)
            )
        return None, problems


def _not_mapping(path: Path, node: yaml.Node, key_path: KeyPath) -> Problem:
    kind = _KINDS[type(node)]
    message = f"expected a mapping ('key: value' lines), found {kind}"
    return Problem(path, message, _position(node), key_path=key_path)


def _is_null(node: yaml.Node | None) -> bool:
    return node is None or node.tag == "tag:yaml.org,2002:null"


def _read_section(
    path: Path, loader: _ConfigLoader, root: yaml.Node | None
) -> tuple[BriefingsConfig | None, list[Problem]]:
    """Find ``extra.briefings`` in the node tree and check it; absent means every default."""
    section = _Section(path, loader)
    node = root
    for depth, key in enumerate(SECTION):
        if _is_null(node):
            return BriefingsConfig(), []
        assert node is not None
        if not isinstance(node, yaml.MappingNode):
            return None, [_not_mapping(path, node, SECTION[:depth])]
        entry = _entry(node, key)
        if entry is None:
            return BriefingsConfig(), []
        section.doc.keys[SECTION[: depth + 1]] = _position(entry[0])
        node = entry[1]
    if _is_null(node):
        return BriefingsConfig(), []
    assert node is not None
    return _check_section(section, section.read(node, SECTION))


def _mkdocs_text(
    path: Path, loader: _ConfigLoader, root: yaml.Node | None, key: str, problems: list[Problem]
) -> str | None:
    """One of the few MkDocs settings the generator reads, if set; a wrong kind is a problem."""
    entry = _entry(root, key) if root is not None else None
    if entry is None:
        return None
    node = entry[1]
    try:
        value = loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as exc:  # an !ENV on a mapping, a 13th month
        reason = _reason(exc) if isinstance(exc, yaml.YAMLError) else str(exc)
        problems.append(
            Problem(path, f"cannot be read: {reason}", _position(node), key_path=(key,))
        )
        return None
    if value is None or isinstance(value, str):
        return value
    message = f"expected text, found {_describe(value)}"
    problems.append(Problem(path, message, _position(node), key_path=(key,)))
    return None


def load_settings(
    config_file: Path | None = None, *, briefings_dir: Path | None = None
) -> Settings:
    """Read settings from the MkDocs configuration file; ``briefings_dir`` overrides it.

    Raises:
        SettingsError: the file cannot be used; every problem in it, located.
        OSError: the file cannot be read at all (missing, a folder, no permission).

    """
    config_file = (config_file or Path(CONFIG_FILE)).resolve()
    loader, root, problems = _compose(config_file)
    if problems or loader is None:
        raise SettingsError(problems)
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise SettingsError([_not_mapping(config_file, root, ())])
    ours, problems = _read_section(config_file, loader, root)
    mkdocs = {
        key: _mkdocs_text(config_file, loader, root, key, problems)
        for key in ("site_name", "site_url", "docs_dir", "site_dir")
    }
    if problems or ours is None:
        raise SettingsError(problems)
    base = config_file.parent
    return Settings(
        root=base,
        config_file=config_file,
        briefings_dir=(briefings_dir or base / ours.source).resolve(),
        docs_dir=base / (mkdocs["docs_dir"] or "docs"),
        site_dir=base / (mkdocs["site_dir"] or "site"),
        site_name=mkdocs["site_name"] or "Briefings",
        site_url=mkdocs["site_url"],
        schema_dir=base / "schema",
        related=ours.related,
        words_per_minute=ours.words_per_minute,
        jobs=ours.jobs,
        memory_mb=ours.memory_mb,
        engine=ours.engine,
    )
