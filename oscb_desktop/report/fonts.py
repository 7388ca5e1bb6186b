"""The fonts of our PDFs: DejaVu Sans, shipped in ``resources/fonts/`` and embedded in every document.

A Unicode TrueType font (not one of the PDF standard fonts) so that any agency or person's name,
and text in Welsh or Polish, prints as typed. Fonts are registered with reportlab once per process.

Also here: glyph outlines, so that a watermark can be drawn as shapes rather than text. A
diagonal line of text would be scattered through the text a reader copies or a screen reader
speaks; outlines are only seen.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from oscb_desktop import paths

FAMILY = "DejaVuSans"
REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
ITALIC = "DejaVuSans-Oblique"
BOLD_ITALIC = "DejaVuSans-BoldOblique"
#: For hashes (a file's SHA-256): fixed width, so the digits line up and wrap in even groups.
MONO = "DejaVuSansMono"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
    BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    MONO: "DejaVuSansMono.ttf",
}

_lock = threading.Lock()
_registered = False


class FontError(RuntimeError):
    """The shipped fonts are missing or cannot be read: the installation is damaged."""


def register_fonts() -> str:
    """Register the DejaVu Sans family with reportlab (once) and return its family name.

    ``<b>`` and ``<i>`` in paragraphs pick the bold and oblique faces through the family mapping.
    """
    global _registered
    with _lock:
        if _registered:
            return FAMILY
        for name, filename in _FILES.items():
            path = paths.resource("fonts", filename)
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except Exception as error:  # reportlab raises TTFError, OSError or struct errors alike
                raise FontError(f"The font {filename} cannot be loaded from {path}: {error}") from error
        pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD_ITALIC)
        _registered = True
        return FAMILY


# --- Glyph outlines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Glyph:
    advance: int
    contours: tuple[tuple[tuple[int, int, bool], ...], ...]  # (x, y, on curve) in font units


def text_width_units(font_name: str, text: str) -> tuple[float, int]:
    """Advance width of ``text`` in font units, and the font's units per em."""
    face = _face(font_name)
    return sum(_glyph(font_name, ch).advance for ch in text), face.unitsPerEm


def draw_text_outline(canvas: Canvas, font_name: str, text: str, x: float, y: float, size: float) -> None:
    """Fill ``text`` as shapes, baseline starting at (x, y), in the canvas's current fill colour.

    Only simple TrueType glyphs are supported (true of Latin capitals in DejaVu); anything else
    raises :class:`FontError`, and callers fall back to ordinary text.
    """
    face = _face(font_name)
    scale = size / face.unitsPerEm
    path = canvas.beginPath()
    pen_x = 0.0
    for ch in text:
        glyph = _glyph(font_name, ch)
        for contour in glyph.contours:
            _add_contour(path, contour, x + pen_x * scale, y, scale)
        pen_x += glyph.advance
    canvas.drawPath(path, stroke=0, fill=1, fillMode=1)  # TrueType outlines use the non-zero rule


_glyph_cache: dict[tuple[str, str], _Glyph] = {}


def _face(font_name: str):  # type: ignore[no-untyped-def]  # reportlab's TTFontFace is untyped
    register_fonts()
    return pdfmetrics.getFont(font_name).face


def _glyph(font_name: str, ch: str) -> _Glyph:
    key = (font_name, ch)
    cached = _glyph_cache.get(key)
    if cached is not None:
        return cached
    face = _face(font_name)
    try:
        gid = face.charToGlyph[ord(ch)]
        data: bytes = face._ttf_data
        glyf_offset, _ = face.get_table_pos("glyf")
        start, end = face.glyphPos[gid], face.glyphPos[gid + 1]
        advance = face.hmetrics[gid][0]
        contours = _parse_simple_glyph(data[glyf_offset + start : glyf_offset + end])
    except FontError:
        raise
    except Exception as error:  # reportlab internals or a malformed table
        raise FontError(f"No outline for {ch!r} in {font_name}: {error}") from error
    glyph = _Glyph(advance=advance, contours=contours)
    _glyph_cache[key] = glyph
    return glyph


def _parse_simple_glyph(data: bytes) -> tuple[tuple[tuple[int, int, bool], ...], ...]:
    if not data:
        return ()  # a space: no outline
    (n_contours,) = struct.unpack_from(">h", data, 0)
    if n_contours < 0:
        raise FontError("composite glyphs are not supported")
    pos = 10
    ends = struct.unpack_from(f">{n_contours}H", data, pos)
    pos += 2 * n_contours
    (n_instructions,) = struct.unpack_from(">H", data, pos)
    pos += 2 + n_instructions
    n_points = ends[-1] + 1 if ends else 0
    flags: list[int] = []
    while len(flags) < n_points:
        flag = data[pos]
        pos += 1
        flags.append(flag)
        if flag & 0x08:
            flags.extend([flag] * data[pos])
            pos += 1
    xs, pos = _coordinates(data, pos, flags, short=0x02, same=0x10)
    ys, pos = _coordinates(data, pos, flags, short=0x04, same=0x20)
    contours = []
    first = 0
    for end in ends:
        contours.append(tuple((xs[i], ys[i], bool(flags[i] & 0x01)) for i in range(first, end + 1)))
        first = end + 1
    return tuple(contours)


def _coordinates(data: bytes, pos: int, flags: list[int], *, short: int, same: int) -> tuple[list[int], int]:
    values = []
    value = 0
    for flag in flags:
        if flag & short:
            delta = data[pos]
            pos += 1
            value += delta if flag & same else -delta
        elif not flag & same:
            (delta,) = struct.unpack_from(">h", data, pos)
            pos += 2
            value += delta
        values.append(value)
    return values, pos


def _add_contour(
    path: PDFPathObject, contour: tuple[tuple[int, int, bool], ...], x0: float, y0: float, scale: float
) -> None:
    points = [(x0 + x * scale, y0 + y * scale, on) for x, y, on in contour]
    if not points:
        return
    # Start on an on-curve point; between two off-curve points lies an implied on-curve one.
    start_index = next((i for i, p in enumerate(points) if p[2]), None)
    if start_index is None:
        a, b = points[0], points[-1]
        start = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        ordered = points
    else:
        start = points[start_index][:2]
        ordered = points[start_index + 1 :] + points[: start_index + 1]
    path.moveTo(*start)
    current = start
    control: tuple[float, float] | None = None
    for px, py, on in _closed(ordered, start):
        if on:
            if control is None:
                path.lineTo(px, py)
            else:
                _quad(path, current, control, (px, py))
                control = None
            current = (px, py)
        else:
            if control is not None:
                mid = ((control[0] + px) / 2, (control[1] + py) / 2)
                _quad(path, current, control, mid)
                current = mid
            control = (px, py)
    path.close()


def _closed(points: list[tuple[float, float, bool]], start: tuple[float, float]) -> Iterator[tuple[float, float, bool]]:
    yield from points
    if not points or not points[-1][2] or points[-1][:2] != start:
        yield (start[0], start[1], True)


def _quad(path: PDFPathObject, p0: tuple[float, float], c: tuple[float, float], p1: tuple[float, float]) -> None:
    path.curveTo(
        p0[0] + 2 / 3 * (c[0] - p0[0]),
        p0[1] + 2 / 3 * (c[1] - p0[1]),
        p1[0] + 2 / 3 * (c[0] - p1[0]),
        p1[1] + 2 / 3 * (c[1] - p1[1]),
        p1[0],
        p1[1],
    )
