"""Render the app's icon from its SVG source into the PNG sizes and the Windows ``.ico``.

    uv run python packaging/make_icons.py

``resources/icons/oscb-desktop.svg`` is the source. The PNGs land beside it (the window and the Linux
package use them: ``oscb-desktop-<N>.png``), the ``.ico`` in ``packaging/windows/`` (the programs' icon
and the installer's). The outputs are committed, so a build needs neither this script nor an SVG
renderer; run it again after changing the SVG, and look at the PNGs.

Each size is rendered from the SVG on its own (Qt's QSvgRenderer), rather than scaled down from the largest,
so small sizes stay sharp; Pillow only packs the rendered sizes into the ``.ico``.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "oscb-desktop.svg"
PNG_DIR = SVG.parent
ICO = ROOT / "packaging" / "windows" / "oscb-desktop.ico"
SIZES = (16, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return PNG_DIR / f"oscb-desktop-{size}.png"


def render(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent ``size`` x ``size`` square, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg} is not an SVG that Qt can draw")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise SystemExit(f"could not encode the {size} px icon as PNG")
    return bytes(buffer.data().data())


def write_ico(pngs: dict[int, bytes], target: Path) -> None:
    """One ``.ico`` holding every rendered size (Pillow stores each as PNG inside the icon)."""
    from PIL import Image

    images = [Image.open(io.BytesIO(pngs[size])).convert("RGBA") for size in sorted(pngs)]
    largest = images[-1]
    target.parent.mkdir(parents=True, exist_ok=True)
    largest.save(target, format="ICO", sizes=[im.size for im in images], append_images=images[:-1])


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    pngs = {size: render(SVG, size) for size in SIZES}
    for size, data in pngs.items():
        png_path(size).write_bytes(data)
        print(f"wrote {png_path(size).relative_to(ROOT)} ({len(data)} bytes)")
    write_ico(pngs, ICO)
    print(f"wrote {ICO.relative_to(ROOT)} ({ICO.stat().st_size} bytes, sizes {', '.join(map(str, SIZES))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
