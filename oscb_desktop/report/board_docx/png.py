"""The board report's charts as PNG pictures, for the Word document: the same reportlab Drawings the PDF draws
(:mod:`oscb_desktop.report.board.charts`), painted with Pillow and the house fonts.

Why not reportlab's own renderPM: since reportlab 4.1 it draws only through rlPyCairo, which needs the cairo
C library (pycairo has no wheels for Linux and would not build here), and its older rl_renderPM accelerator
is no longer a backend reportlab 5 can use. The charts are made of three shapes (rectangles, lines and
strings), which Pillow draws exactly, with DejaVu Sans from ``resources/fonts`` as in the PDF. No Qt.
"""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, Shape, String
from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from oscb_desktop.report import fonts

__all__ = ["drawing_to_png"]

#: Pixels per inch: sharp when printed, and small enough for a document of a few charts.
DPI = 200

#: An affine transform (a, b, c, d, e, f) as reportlab writes them: x' = a x + c y + e, y' = b x + d y + f.
Transform = tuple[float, float, float, float, float, float]
IDENTITY: Transform = (1, 0, 0, 1, 0, 0)


@cache
def _font(name: str, pixels: int) -> ImageFont.FreeTypeFont:
    fonts.register_fonts()
    try:
        path = pdfmetrics.getFont(name).face.filename
    except KeyError:
        path = pdfmetrics.getFont(fonts.REGULAR).face.filename
    return ImageFont.truetype(path, pixels)


def _rgb(colour: colors.Color | None) -> tuple[int, int, int] | None:
    if colour is None:
        return None
    return round(colour.red * 255), round(colour.green * 255), round(colour.blue * 255)


def _multiply(outer: Transform, inner: Transform) -> Transform:
    a, b, c, d, e, f = outer
    a2, b2, c2, d2, e2, f2 = inner
    return (
        a * a2 + c * b2,
        b * a2 + d * b2,
        a * c2 + c * d2,
        b * c2 + d * d2,
        a * e2 + c * f2 + e,
        b * e2 + d * f2 + f,
    )


class _Painter:
    def __init__(self, drawing: Drawing, dpi: int) -> None:
        self.scale = dpi / 72
        self.height = float(drawing.height)
        size = (max(1, round(drawing.width * self.scale)), max(1, round(drawing.height * self.scale)))
        self.image = Image.new("RGB", size, "white")
        self.draw = ImageDraw.Draw(self.image)

    def point(self, t: Transform, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = t
        px, py = a * x + c * y + e, b * x + d * y + f
        return px * self.scale, (self.height - py) * self.scale

    def paint(self, node: Shape, t: Transform) -> None:
        if isinstance(node, Group):
            inner = _multiply(t, tuple(node.transform)) if getattr(node, "transform", None) else t
            for child in node.contents:
                self.paint(child, inner)
        elif isinstance(node, Rect):
            self.rect(node, t)
        elif isinstance(node, Line):
            width = max(1, round(float(node.strokeWidth or 1) * self.scale))
            colour = _rgb(node.strokeColor)
            if colour is not None:
                self.draw.line([self.point(t, node.x1, node.y1), self.point(t, node.x2, node.y2)], colour, width)
        elif isinstance(node, String):
            self.string(node, t)
        else:  # a shape the board's charts do not use: better a visible failure than a silent gap
            raise TypeError(f"Cannot paint a {type(node).__name__} as PNG")

    def rect(self, r: Rect, t: Transform) -> None:
        (x0, y0), (x1, y1) = self.point(t, r.x, r.y), self.point(t, r.x + r.width, r.y + r.height)
        box = [min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)]
        fill, stroke = _rgb(r.fillColor), _rgb(r.strokeColor)
        width = round(float(r.strokeWidth or 0) * self.scale) if stroke is not None else 0
        self.draw.rectangle(box, fill=fill, outline=stroke if width else None, width=width)

    def string(self, s: String, t: Transform) -> None:
        colour = _rgb(s.fillColor)
        if colour is None or not s.text:
            return
        font = _font(s.fontName, max(1, round(float(s.fontSize) * self.scale)))
        anchor = {"middle": "ms", "end": "rs"}.get(s.textAnchor, "ls")
        self.draw.text(self.point(t, s.x, s.y), s.text, fill=colour, font=font, anchor=anchor)


def drawing_to_png(drawing: Drawing, dpi: int = DPI) -> bytes:
    """``drawing`` as PNG bytes, ``dpi`` pixels per inch, on white."""
    painter = _Painter(drawing, dpi)
    painter.paint(drawing, IDENTITY)
    out = io.BytesIO()
    painter.image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()
