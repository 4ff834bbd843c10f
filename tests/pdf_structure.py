"""Reading back what fpdf2 wrote, without a PDF library: the page tree's count and
size, and (from an uncompressed file) the strings its pages show; and a font made
on the spot for letters no shipped font has."""

from __future__ import annotations

import re
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

_MEDIABOX = re.compile(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]")


def page_count(pdf: bytes) -> int:
    """Pages in the file, by its page objects (the /Count of the tree must agree)."""
    pages = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
    counts = {int(m) for m in re.findall(rb"/Count (\d+)", pdf)}
    assert counts == {pages}, f"page tree says {counts}, {pages} page objects"
    return pages


def page_size(pdf: bytes) -> tuple[float, float]:
    """Width and height in points of the (one) media box the pages share."""
    boxes = set(_MEDIABOX.findall(pdf))
    assert len(boxes) == 1, boxes
    width, height = next(iter(boxes))
    return float(width), float(height)


def shown_text(pdf: bytes) -> list[str]:
    """The text of every text object the pages show, in order (a cell is one; fpdf2
    writes the page total as a string of its own in it). The pages' content must be
    written uncompressed (the embedded fonts are compressed all the same).

    An embedded font's strings are glyph codes, two bytes each, which its
    ``/ToUnicode`` map turns back into text; a built-in font's are cp1252."""
    objects = _objects(pdf)
    texts: list[str] = []
    for page in _pages(objects):
        head = _dictionary(objects, page)
        fonts = _fonts(objects, head)
        content_head, stream = objects[_ref(head, b"Contents")]
        assert b"/FlateDecode" not in content_head, "write the PDF with compress=False to read it"
        assert stream is not None
        font: dict[bytes, str] | None = None
        shown: list[str] | None = None
        for op in _OPERATORS.finditer(stream):
            if op[0] == b"BT":
                shown = []
            elif op[0] == b"ET":
                assert shown is not None
                texts.append("".join(shown))
                shown = None
            elif op["font"]:
                font = fonts[op["font"]]
            else:
                assert shown is not None, "text shown outside a text object"
                code = (
                    _unescape(op["literal"])
                    if op["literal"] is not None
                    else bytes.fromhex(re.sub(rb"\s", b"", op["hex"]).decode())
                )
                shown.append(_decode(code, font))
    return texts


_OBJECT = re.compile(rb"(\d+) 0 obj\s*")
_OPERATORS = re.compile(
    rb"\bBT\b|\bET\b|/(?P<font>\w+) [\d.]+ Tf"
    rb"|\((?P<literal>(?:\\.|[^\\)])*)\) Tj|<(?P<hex>[0-9A-Fa-f\s]*)> Tj",
    re.S,
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Each object's dictionary and its stream's bytes (None without one), read by the
    stream's length so that binary data is never taken for syntax."""
    objects: dict[int, tuple[bytes, bytes | None]] = {}
    at = 0
    while (found := _OBJECT.search(pdf, at)) is not None:
        start = found.end()
        end = pdf.index(b"endobj", start)
        keyword = pdf.find(b"stream", start, end)
        if keyword == -1:
            objects[int(found[1])] = (pdf[start:end], None)
        else:
            head = pdf[start:keyword]
            length = int(re.search(rb"/Length (\d+)", head)[1])
            data = (
                keyword + len(b"stream") + (2 if pdf[keyword + 6 : keyword + 8] == b"\r\n" else 1)
            )
            objects[int(found[1])] = (head, pdf[data : data + length])
            end = pdf.index(b"endobj", data + length)
        at = end + len(b"endobj")
    return objects


def _ref(dictionary: bytes, key: bytes) -> int:
    return int(re.search(rb"/" + key + rb" (\d+) 0 R", dictionary)[1])


def _dictionary(objects: dict[int, tuple[bytes, bytes | None]], number: int) -> bytes:
    return objects[number][0]


def _pages(objects: dict[int, tuple[bytes, bytes | None]]) -> list[int]:
    """The page objects in the order of the page tree (one level, as fpdf2 writes it)."""
    tree = next(head for head, _ in objects.values() if re.search(rb"/Type /Pages\b", head))
    kids = re.search(rb"/Kids \[([^\]]*)\]", tree)[1]
    return [int(n) for n in re.findall(rb"(\d+) 0 R", kids)]


def _fonts(
    objects: dict[int, tuple[bytes, bytes | None]], page: bytes
) -> dict[bytes, dict[bytes, str] | None]:
    """The page's fonts by resource name: each embedded one's map from glyph code to
    text, None for a built-in one."""
    resources = re.search(rb"/Resources (\d+) 0 R", page)
    held = _dictionary(objects, int(resources[1])) if resources else page
    listed = re.search(rb"/Font\s*<<(.*?)>>", held, re.S)[1]
    fonts: dict[bytes, dict[bytes, str] | None] = {}
    for name, number in re.findall(rb"/(\w+) (\d+) 0 R", listed):
        font = _dictionary(objects, int(number))
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
        fonts[name] = _cmap(objects[int(to_unicode[1])][1]) if to_unicode else None
    return fonts


def _cmap(stream: bytes | None) -> dict[bytes, str]:
    """A ToUnicode CMap's single codes and ranges, as glyph code to text."""
    assert stream is not None
    codes: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            codes[bytes.fromhex(src.decode())] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.S):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            first, width = int(lo, 16), len(lo) // 2
            for offset in range(int(hi, 16) - first + 1):
                code = (first + offset).to_bytes(width, "big")
                codes[code] = chr(int(dst, 16) + offset)
    return codes


def _unescape(raw: bytes) -> bytes:
    """A literal string's bytes: its backslash escapes (\\n, \\ddd, \\( …) undone."""

    def one(escape: re.Match[bytes]) -> bytes:
        what = escape[1]
        if what[0] in b"01234567":
            return bytes([int(what, 8) & 0xFF])
        return _ESCAPES.get(what, what)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def _decode(code: bytes, font: dict[bytes, str] | None) -> str:
    if font is None:
        return code.decode("cp1252")
    assert len(code) % 2 == 0, code
    return "".join(font[code[i : i + 2]] for i in range(0, len(code), 2))


def font_with(letters: str, path: Path) -> Path:
    """A TrueType font at ``path`` whose only glyphs are ``letters`` (each a plain
    box): a fallback font for letters that no font on the machine need have."""
    names = {ord(c): f"uni{ord(c):04X}" for c in letters}
    order = [".notdef", *names.values()]
    pen = TTGlyphPen(None)
    pen.moveTo((100, 0))
    pen.lineTo((100, 700))
    pen.lineTo((900, 700))
    pen.lineTo((900, 0))
    pen.closePath()
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(names)
    builder.setupGlyf({name: pen.glyph() for name in order})
    builder.setupHorizontalMetrics(dict.fromkeys(order, (1000, 100)))
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Boxes", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))
    return path
