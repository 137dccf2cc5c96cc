"""The engine in our own process: the one module that touches its private parts.

``briefings build`` runs an engine through its command line (:mod:`generator.engine`)
for a whole site. Two things cannot: the preview, which shows a save in well under
a second by keeping ProperDocs (or MkDocs 1.6, the same code) warm and re-rendering
single pages, and an incremental build (:class:`PartialBuild`), which renders only
the pages whose Markdown changed into a copy of the published site. Both use the
engine's own page steps, which are private, as are the live-reload server's
rebuild flag. Every such use is here, and
:func:`load` checks each name and signature against :data:`PRIVATE_API` before
the preview starts, so an engine upgrade that changes them fails at once, with
a message, instead of misbehaving (``tests/test_serve.py`` pins them too).

Zensical has no such API; with ``engine: zensical`` the preview uses ProperDocs.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import sys
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LIVE_ENGINES = ("properdocs", "mkdocs")
"""Engines the preview can keep warm, in order of preference."""

PRIVATE_API: dict[str, list[str]] = {
    "commands.build._populate_page": ["page", "config", "files", "dirty"],
    "commands.build._build_page": [
        "page", "config", "doc_files", "nav", "env", "dirty", "excluded",
    ],
    "commands.build._build_theme_template": ["template_name", "env", "files", "config", "nav"],
}  # fmt: skip
"""Private functions used, by module path under the engine's package: their parameters."""

PRIVATE_SERVER_STATE = (
    "_rebuild_cond", "_want_rebuild", "build_delay", "_epoch_cond", "_wanted_epoch",
    "_visible_epoch",
)  # fmt: skip
"""The live-reload server's rebuild flag, the condition that guards it, how long it
waits for a save to settle, and the site versions it shows and builds (the browsers
reload when the shown one changes)."""

SAVE_SETTLES = 0.05
"""Seconds without another file event before a save is built (the engine waits 0.1).

Editors write a file in one go, or write another and rename it, within milliseconds;
the preview's own observer reports changes only (see :mod:`generator.serve`)."""


class EngineChanged(RuntimeError):
    """The installed engine no longer has the private API the preview relies on."""


@dataclass(frozen=True)
class Live:
    """The parts of one engine the preview uses, imported from that engine's package."""

    name: str
    label: str
    load_config: Any
    build: Any
    server_class: Any
    plugin_class: Any
    file_class: Any
    populate_page: Any
    build_page: Any
    build_theme_template: Any
    get_files: Any
    set_exclusions: Any
    get_navigation: Any
    page_class: Any


def preview_engine(configured: str) -> str:
    """The engine the preview runs: the configured one when it can, else the first installed."""
    if configured in LIVE_ENGINES:
        return configured
    for name in LIVE_ENGINES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise EngineChanged("the preview needs ProperDocs or MkDocs 1.6; install properdocs")


def load(name: str) -> Live:
    """Import engine ``name`` for the preview and check the private API it must still have."""
    _isolate(name)
    build_module = importlib.import_module(f"{name}.commands.build")
    live = Live(
        name=name,
        label={"properdocs": "ProperDocs", "mkdocs": "MkDocs"}[name],
        load_config=importlib.import_module(f"{name}.config").load_config,
        build=build_module.build,
        server_class=importlib.import_module(f"{name}.livereload").LiveReloadServer,
        plugin_class=importlib.import_module(f"{name}.plugins").BasePlugin,
        file_class=importlib.import_module(f"{name}.structure.files").File,
        populate_page=getattr(build_module, "_populate_page", None),
        build_page=getattr(build_module, "_build_page", None),
        build_theme_template=getattr(build_module, "_build_theme_template", None),
        get_files=importlib.import_module(f"{name}.structure.files").get_files,
        set_exclusions=importlib.import_module(f"{name}.structure.files").set_exclusions,
        get_navigation=importlib.import_module(f"{name}.structure.nav").get_navigation,
        page_class=importlib.import_module(f"{name}.structure.pages").Page,
    )
    check(name)
    return live


def _isolate(name: str) -> None:
    """Make sure one process loads one engine.

    ProperDocs serves ``mkdocs.*`` imports (Material's) from its own modules
    once ``properdocs.replacement`` is imported, which must happen before
    anything imports MkDocs; after it, MkDocs itself cannot be loaded.
    """
    loaded = sys.modules.get("mkdocs")
    aliased = loaded is not None and loaded is sys.modules.get("properdocs")
    if name == "properdocs":
        if loaded is not None and not aliased:
            raise EngineChanged("MkDocs is already loaded in this process; ProperDocs cannot be")
        importlib.import_module("properdocs.replacement")
    elif aliased:
        raise EngineChanged("ProperDocs is already loaded in this process; MkDocs cannot be")


def check(name: str) -> None:
    """Raise EngineChanged unless engine ``name`` has each private function, as pinned."""
    problems = []
    for path, expected in PRIVATE_API.items():
        module_path, _, attr = path.rpartition(".")
        found = getattr(importlib.import_module(f"{name}.{module_path}"), attr, None)
        if found is None:
            problems.append(f"{name}.{path} is gone")
            continue
        params = list(inspect.signature(found).parameters)
        if params != expected:
            problems.append(
                f"{name}.{path} takes ({', '.join(params)}), not ({', '.join(expected)})"
            )
    server = importlib.import_module(f"{name}.livereload").LiveReloadServer
    source = inspect.getsource(server.__init__)
    problems += [
        f"{name}.livereload.LiveReloadServer has no {attr}"
        for attr in PRIVATE_SERVER_STATE
        if f"self.{attr}" not in source
    ]
    if problems:
        raise EngineChanged(
            "the preview's warm rebuilds need parts of the engine that changed: "
            + "; ".join(problems)
            + "; install the engine version this preview was checked with"
        )


def render_page(
    live: Live, page: Any, config: Any, files: Any, pages: Any, nav: Any, env: Any
) -> None:
    """Read and render one page with the engine's own steps, plugins included.

    ``pages`` is ``files.documentation_pages()``, which the caller keeps: at
    10,000 briefs, listing them again took a tenth of a second per page.
    """
    live.populate_page(page, config, files)
    live.build_page(page, config, pages, nav, env)


def saved_again(server: Any) -> bool:
    """Whether a watched file changed since the server started this build (read under its lock)."""
    with server._rebuild_cond:
        return bool(server._want_rebuild)


def settle_quickly(server: Any) -> None:
    """Build a save once file events have stopped for :data:`SAVE_SETTLES`, not the engine's 0.1 s."""
    server.build_delay = SAVE_SETTLES


def rebuild_soon(server: Any) -> None:
    """Ask the server for another build once this one is served, as a file change does."""
    with server._rebuild_cond:
        server._want_rebuild = True
        server._rebuild_cond.notify_all()


def keep_shown(server: Any) -> None:
    """Let the build under way end without reloading the browsers: it changed no page.

    The server reloads every browser after each build, because a build it ran
    changed the site. The preview's rounds that were stopped by a save before
    they wrote a page change nothing, and that reload would only delay the saved
    page's own. The server then shows the version it showed: the build's version
    becomes it, and requests held for the build go on.
    """
    with server._epoch_cond:
        server._wanted_epoch = server._visible_epoch
        server._epoch_cond.notify_all()


def replace_file(path: str | Path) -> None:
    """Unlink ``path`` before the engine writes it, so the write makes a new file.

    An incremental build starts from hard links to the published site's files
    (:mod:`generator.site`); opening one of them for writing would change the
    published file too. The engine opens its outputs with ``open(path, "wb")``,
    which writes into an existing file, so each is removed first.
    """
    Path(path).unlink(missing_ok=True)


class _Collect(logging.Handler):
    """Keeps the engine's warnings and errors of one build, as ``--strict`` counts them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def engine_warnings(live: Live) -> Iterator[list[logging.LogRecord]]:
    """Collect what the engine logs at WARNING and above, and keep it from our log.

    Material logs under ``mkdocs.*`` even when ProperDocs runs it, so both
    names are listened to. The records are the caller's to report (or to fail
    on, when strict); the command-line build keeps the engine's output the same way.
    """
    handler = _Collect()
    loggers = [logging.getLogger(name) for name in dict.fromkeys((live.name, "mkdocs"))]
    saved = [(logger, logger.propagate, logger.level) for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.propagate = False
        if logger.getEffectiveLevel() > logging.WARNING:
            logger.setLevel(logging.WARNING)
    try:
        yield handler.records
    finally:
        for logger, propagate, level in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
            logger.setLevel(level)


class Unsupported(RuntimeError):
    """The configuration uses something a partial build cannot reproduce; build it whole."""


@dataclass
class PartialBuild:
    """One build of a site that renders only some of its pages, with the engine's own steps.

    It runs what the engine's ``build()`` runs before it writes anything (the
    ``startup``, ``config`` and ``pre_build`` events, the file list with the
    theme's files, the ``files`` event, the navigation and the ``nav`` event),
    then, in :meth:`render`, reads and renders the changed pages, runs the
    ``env`` event and writes the theme's templates (``404.html``, ``sitemap.xml``
    and its ``.gz``) and the changed pages, checks their anchor links and ends
    with ``post_build``. Every other output is the caller's: it is already in
    ``site_dir`` from the previous build.

    Every page draws the navigation, and a theme may show there what the front
    matter of its pages says, so the other pages of the navigation are read,
    not rendered: their Markdown (the home page, the long listings) is most of
    the work of a whole build. A navigation title that only rendering gives
    (a page's first heading, when ``nav`` names none) would then be missing;
    the caller compares the new ``404.html``, which draws only the navigation,
    with the published one to catch any such difference.
    """

    live: Live
    config: Any
    files: Any
    nav: Any
    env: Any = None
    built: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, live: Live, config_file: Path, site_dir: Path, *, strict: bool) -> PartialBuild:
        """Load the configuration for a build into ``site_dir``; gather files and navigation."""
        config = live.load_config(
            config_file=str(config_file), site_dir=str(site_dir), strict=strict
        )
        if config.extra_templates:
            raise Unsupported("extra_templates are built only by a whole build")
        config.plugins.on_startup(command="build", dirty=False)
        try:
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            env = config.theme.get_env()
            files = live.get_files(config)
            files.add_files_from_theme(env, config)
            files = config.plugins.on_files(files, config=config)
            live.set_exclusions(files, config)
            nav = live.get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)
            for file in files.documentation_pages():
                if file.page is None:  # pages outside the navigation, as build() makes them
                    live.page_class(None, file, config)
        except BaseException:
            config.plugins.on_shutdown()
            raise
        return cls(live, config, files, nav, env)

    def close(self) -> None:
        """End the plugins' session (their ``on_shutdown``)."""
        self.config.plugins.on_shutdown()

    def pages(self) -> dict[str, Any]:
        """The pages the site publishes, by their path in the docs folder."""
        return {file.src_uri: file for file in self.files.documentation_pages()}

    def static_files(self) -> list[Any]:
        """The files copied as they are (the theme's assets, images, feeds, data)."""
        return [
            file
            for file in self.files
            if not file.is_documentation_page() and file.inclusion.is_included()
        ]

    def templates(self) -> list[str]:
        """The theme's templates written beside the pages, and the sitemap's gzip copy."""
        names = list(self.config.theme.static_templates)
        return [*names, "sitemap.xml.gz"] if "sitemap.xml" in names else names

    def outputs(self) -> set[str]:
        """Every file a whole build writes, relative to ``site_dir``."""
        included = [file for file in self.files if file.inclusion.is_included()]
        return {file.dest_uri for file in included} | set(self.templates())

    def copy(self, files: Collection[Any]) -> None:
        """Copy static ``files`` into the site, each as a new file."""
        for file in files:
            replace_file(file.abs_dest_path)
            file.copy_file()

    def render(self, paths: Collection[str]) -> None:
        """Read and write the pages at ``paths`` (docs-relative), and the theme's templates."""
        config, files, nav = self.config, self.files, self.nav
        pages = self.pages()
        todo = [pages[path] for path in sorted(paths)]
        rendered = {id(file.page) for file in todo}
        for page in nav.pages:  # their front matter, for the navigation
            if id(page) not in rendered:
                page.read_source(config)
        for file in todo:
            self.live.populate_page(file.page, config, files)
        self.env = env = config.plugins.on_env(self.env, config=config, files=files)
        site_dir = Path(config.site_dir)
        for name in self.templates():
            replace_file(site_dir / name)
        for name in config.theme.static_templates:
            self.live.build_theme_template(name, env, files, config, nav)
        doc_files = files.documentation_pages()
        for file in todo:
            replace_file(file.abs_dest_path)
            self.live.build_page(file.page, config, doc_files, nav, env)
            self.built.append(file.src_uri)
        level = config.validation.links.anchors
        for file in todo:
            file.page.validate_anchor_links(files=files, log_level=level)
        config.plugins.on_post_build(config=config)
