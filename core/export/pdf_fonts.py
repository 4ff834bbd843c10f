"""The fonts a PDF export is set in, and what becomes of a letter none of them has.

The PDF's built-in fonts know only Western European letters (cp1252), so a name
like "Łukasiewicz" or "李雷" would print as "?". The text is set instead in DejaVu
Sans Condensed, shipped in ``resources/fonts`` (with its licence) because a user's
machine may have no font for it: it carries Latin, Greek and Cyrillic, and is about
as wide as Helvetica, so the rota's cells hold as much. What DejaVu lacks (Chinese,
Japanese, Korean) is looked up, only when a text needs it, in fonts that commonly
stand on Linux, macOS and Windows, and in any the ``SHIFTDESK_PDF_FONTS``
variable names (paths split by the system's path separator). A letter no font
has prints as its base letter when it has one (its accent dropped), else as "?":
never dropped silently. Every string stays searchable and copyable: each font is
embedded with its map back to Unicode.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

from fpdf import FPDF

FAMILY = "DejaVu"
#: The shipped files by fpdf2 style ("B" bold, "I" italic).
_STYLES = {
    "": "DejaVuSansCondensed.ttf",
    "B": "DejaVuSansCondensed-Bold.ttf",
    "I": "DejaVuSansCondensed-Oblique.ttf",
    "BI": "DejaVuSansCondensed-BoldOblique.ttf",
}
#: The variable naming extra fonts to fall back on.
ENV_FONTS = "SHIFTDESK_PDF_FONTS"
#: Fonts with the scripts DejaVu lacks that often stand on a machine, tried in order
#: (the first face of a collection).
SYSTEM_FALLBACKS: tuple[str, ...] = (
    # Linux: Noto CJK as Debian, Fedora and Arch place it, WenQuanYi, Droid, AR PL
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    # macOS
    "/System/Library/Fonts/Hiragino Sans GB.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "/System/Library/Fonts/AppleSDGothicNeo.ttc",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    # Windows
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "C:/Windows/Fonts/meiryo.ttc",
    "C:/Windows/Fonts/malgun.ttf",
)

log = logging.getLogger(__name__)


def shipped(style: str = "") -> Path:
    """The shipped font file for ``style``. The package is installed as files (it is
    no zip), so the path is the file's own."""
    return Path(str(files("resources").joinpath("fonts", _STYLES[style])))


def fallback_candidates() -> list[Path]:
    """The fonts to fall back on, in order: those ``SHIFTDESK_PDF_FONTS`` names, then
    the machine's usual ones; only those that exist."""
    named = [p for p in os.environ.get(ENV_FONTS, "").split(os.pathsep) if p.strip()]
    paths = [Path(p).expanduser() for p in (*named, *SYSTEM_FALLBACKS)]
    return [p for p in paths if p.is_file()]


class FontSet:
    """DejaVu on one document, with fallbacks loaded the first time a letter needs
    them. :meth:`printable` gives a text as the document can print it in the font
    it has set."""

    def __init__(self, pdf: FPDF, fallbacks: Iterable[Path] | None = None) -> None:
        self.pdf = pdf
        for style in _STYLES:
            pdf.add_font(FAMILY, style, shipped(style))
        self._waiting = list(fallback_candidates() if fallbacks is None else fallbacks)
        #: The fallback fonts loaded so far: fpdf2's key for each, and its file.
        self.loaded: dict[str, Path] = {}
        self._known: dict[tuple[str, str], bool] = {}

    def printable(self, text: str) -> str:
        """``text`` with each letter no font here has put as its base letter, or "?"."""
        if all(self.carries(char) for char in text):
            return text
        return "".join(char if self.carries(char) else self._stand_in(char) for char in text)

    def carries(self, char: str) -> bool:
        """Whether the font set now, or a fallback font, has ``char`` (loading
        fallbacks until one has it)."""
        font = self.pdf.current_font
        key = (font.fontkey if font is not None else "", char)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._find(ord(char))
        return known

    def _find(self, code: int) -> bool:
        if code in getattr(self.pdf.current_font, "cmap", ()):
            return True
        if any(code in self.pdf.fonts[key].cmap for key in self.loaded):
            return True
        while self._waiting:
            key = self._load(self._waiting.pop(0))
            if key and code in self.pdf.fonts[key].cmap:
                return True
        return False

    def _load(self, path: Path) -> str | None:
        """Add ``path`` as a fallback font; None when it cannot be read as one."""
        key = f"fallback{len(self.loaded)}"
        try:
            self.pdf.add_font(key, "", path)
        except Exception as exc:  # a broken or unsupported font file is only passed over
            log.warning("PDF export: the font %s could not be used: %s", path, exc)
            return None
        self.loaded[key] = path
        # Any style: a fallback has no bold or italic of its own.
        self.pdf.set_fallback_fonts(list(self.loaded), exact_match=False)
        return key

    def _stand_in(self, char: str) -> str:
        base = "".join(
            c
            for c in unicodedata.normalize("NFKD", char)
            if not unicodedata.combining(c) and c != char and self.carries(c)
        )
        return base or "?"
