"""Reading back what fpdf2 wrote, without a PDF library: the page tree's count and
size, and (from an uncompressed file) the strings its pages show."""

from __future__ import annotations

import re

_MEDIABOX = re.compile(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]")
_TEXT_OBJECT = re.compile(rb"\bBT\b(.*?)\bET\b", re.S)
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\) Tj")


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
    writes the page total as a string of its own in it). The file must be written
    uncompressed."""
    assert b"/FlateDecode" not in pdf, "write the PDF with compress=False to read its text"
    return [
        b"".join(re.sub(rb"\\(.)", rb"\1", raw) for raw in _SHOWN.findall(block)).decode("cp1252")
        for block in _TEXT_OBJECT.findall(pdf)
    ]
