"""Social cards: the 1200x630 PNG a link preview shows for a briefing (``og:image``).

Drawn at build time with Pillow in the DejaVu font that ``make site`` installs
(Debian's fonts-dejavu-core). The render stage calls :func:`card_png` and gets
bytes; the writer puts them on disk only when they changed, so drawing must be
deterministic: the same inputs always give the same bytes (Pillow's PNG writer
adds no timestamp).

To stay quick on a thousand briefs (FreeType takes about 2 ms to draw a line
of title, and Pillow keeps no glyphs), each character is drawn once per font
and process, then pasted; and a card is a palette image whose levels 0 to 250
blend the background into white, so pasting a glyph's anti-aliased mask blends
colours as greyscale would. The accent bar takes the one entry left over.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from generator.errors import BuildError

log = logging.getLogger(__name__)

# Pillow imports its format plugins on the first save. Done here, at import, no
# import runs while pages are drawn: a Ctrl-C that lands inside the import
# machinery can be swallowed ("Exception ignored in ... _get_module_lock"), and
# the build would then wait on its workers instead of stopping.
Image.preinit()

SIZE = (1200, 630)
"""The size link previews expect (Open Graph, and X's summary_large_image)."""

FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/local/share/fonts/truetype/dejavu"),
)
"""Where Debian's fonts-dejavu-core puts its files (the second for a hand install)."""
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"

BACKGROUND = (26, 35, 84)
"""A deep indigo, the site's primary colour darkened so that white text reads on it."""
TEXT = (255, 255, 255)
ACCENT = (130, 177, 255)
WHITE, MUTED, ACCENT_LEVEL = 250, 200, 255
"""Greyscale levels: the title, the bottom line and date, the accent bar's palette entry."""

MARGIN = 72
TITLE_SIZES = (64, 56, 48)
"""Title font sizes tried in turn until the title fits in :data:`TITLE_LINES` lines."""
TITLE_LINES = 3
SUMMARY_SIZE = 30
SMALL_SIZE = 26


class Face:
    """A font at one size whose glyphs are drawn once, then pasted wherever they recur."""

    PAD = 8
    """Room around a glyph as it is drawn, for parts that reach past its advance."""

    def __init__(self, path: str, size: int) -> None:
        self.size = size
        self.font = ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)
        self.glyphs: dict[str, tuple[Image.Image | None, int, int, float]] = {}

    def glyph(self, char: str) -> tuple[Image.Image | None, int, int, float]:
        """The character's mask (None if blank), its offset from the pen, and its advance."""
        found = self.glyphs.get(char)
        if found is None:
            ascent, descent = self.font.getmetrics()
            advance = self.font.getlength(char)
            canvas = Image.new(
                "L", (round(advance) + 4 * self.PAD, ascent + descent + 2 * self.PAD)
            )
            with canvas:  # only the cropped mask is kept
                ImageDraw.Draw(canvas).text((self.PAD, self.PAD), char, font=self.font, fill=255)
                box = canvas.getbbox()
                mask = canvas.crop(box) if box else None
            left, top = (box[0] - self.PAD, box[1] - self.PAD) if box else (0, 0)
            found = self.glyphs[char] = (mask, left, top, advance)
        return found

    def length(self, text: str) -> float:
        """How wide ``text`` is set in this face."""
        return sum(self.glyph(char)[3] for char in text)

    def draw(self, image: Image.Image, xy: tuple[int, int], text: str, level: int) -> None:
        """Set ``text`` on ``image`` at ``xy`` (the top left of its line) in ``level``."""
        x, y = xy
        pen = float(x)
        for char in text:
            mask, left, top, advance = self.glyph(char)
            if mask is not None:
                image.paste(level, (round(pen) + left, y + top), mask)
            pen += advance


@dataclass(frozen=True)
class Fonts:
    """The card's faces, loaded once per process."""

    titles: tuple[Face, ...]
    summary: Face
    small: Face
    small_bold: Face


def font_path(name: str, folders: Iterable[Path] = FONT_FOLDERS) -> Path:
    """The font file ``name`` from the first folder that has it.

    Raises:
        BuildError: when it is missing, saying how to install it.

    """
    folders = list(folders)
    for folder in folders:
        if (folder / name).is_file():
            return folder / name
    raise BuildError(
        f"the social cards' font {name} is missing (looked in "
        f"{', '.join(str(f) for f in folders)}); run `make site`, which installs "
        "Debian's fonts-dejavu-core"
    )


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """Load the fonts (once per process; the parent loads them before the workers fork)."""
    regular, bold = str(font_path(REGULAR)), str(font_path(BOLD))
    return Fonts(
        titles=tuple(Face(bold, size) for size in TITLE_SIZES),
        summary=Face(regular, SUMMARY_SIZE),
        small=Face(regular, SMALL_SIZE),
        small_bold=Face(bold, SMALL_SIZE),
    )


def wrap(text: str, font: Face, width: float) -> list[str]:
    """Words laid into lines no wider than ``width``; a word too long for a line is cut."""
    lines: list[str] = []
    line, used = "", 0.0
    space = font.length(" ")
    for whole in text.split():
        word, size = whole, font.length(whole)
        while size > width:  # a URL or a very long name: cut it
            cut = next(n for n in range(len(word) - 1, 0, -1) if font.length(word[:n]) <= width)
            if line:
                lines.append(line)
            lines.append(word[:cut])
            line, used = "", 0.0
            word = word[cut:]
            size = font.length(word)
        if line and used + space + size <= width:
            line, used = f"{line} {word}", used + space + size
        else:
            if line:
                lines.append(line)
            line, used = word, size
    if line:
        lines.append(line)
    return lines


def fit(lines: list[str], most: int, font: Face, width: float) -> list[str]:
    """At most ``most`` lines; when text was left over, the last ends with an ellipsis."""
    if len(lines) <= most:
        return lines
    last = lines[most - 1]
    while last and font.length(last + " …") > width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    return [*lines[: most - 1], f"{last} …"]


def _palette() -> list[int]:
    """Levels 0 to 250 blend the background into white; 255 is the accent."""
    palette: list[int] = []
    for level in range(256):
        if level == ACCENT_LEVEL:
            palette += ACCENT
            continue
        t = min(level, WHITE) / WHITE
        palette += [round(b + (f - b) * t) for b, f in zip(BACKGROUND, TEXT, strict=True)]
    return palette


PALETTE = _palette()


def card_png(title: str, summary: str, date: str, site_name: str) -> bytes:
    """The card of one briefing: site name, title, bottom line and date, as PNG bytes.

    A long title shrinks through :data:`TITLE_SIZES`, then ends in an ellipsis;
    the bottom line takes the lines left, ellipsized too. All text is plain.
    """
    with Image.new("P", SIZE, 0) as image:  # its pixels are freed as soon as it is saved
        return _draw_card(image, title, summary, date, site_name)


def _draw_card(image: Image.Image, title: str, summary: str, date: str, site_name: str) -> bytes:
    """Draw the card on ``image`` and return it as PNG bytes."""
    f = fonts()
    width = SIZE[0] - 2 * MARGIN
    image.putpalette(PALETTE)
    ImageDraw.Draw(image).rectangle((0, 0, 14, SIZE[1]), fill=ACCENT_LEVEL)
    f.small_bold.draw(image, (MARGIN, 56), site_name.upper(), MUTED)
    font, lines = f.titles[-1], []
    for font in f.titles:
        lines = wrap(title, font, width)
        if len(lines) <= TITLE_LINES:
            break
    lines = fit(lines, TITLE_LINES, font, width)
    y = 120
    line_height = round(font.size * 1.2)
    for line in lines:
        font.draw(image, (MARGIN, y), line, WHITE)
        y += line_height
    y += 24
    footer = SIZE[1] - 64 - SMALL_SIZE
    room = max(0, (footer - 24 - y) // round(SUMMARY_SIZE * 1.35))
    for line in fit(wrap(summary, f.summary, width), room, f.summary, width) if room else []:
        f.summary.draw(image, (MARGIN, y), line, MUTED)
        y += round(SUMMARY_SIZE * 1.35)
    f.small.draw(image, (MARGIN, footer), date, MUTED)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)
    return out.getvalue()
