"""Whether a scale's colours stay apart for readers with the common colour-vision deficiencies.

Each colour is simulated as a person with protanopia, deuteranopia or tritanopia sees it (Machado, Oliveira
and Fernandes 2009, full severity), and the pairs are compared in CIELAB (ΔE 1976). Colour is never the only
carrier of a rating in the app (the words are always there), but a chart should still read at a glance.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

#: Below this ΔE two colours are too alike to tell apart quickly.
MIN_DIFFERENCE = 20.0

_VISION: dict[str, tuple[tuple[float, float, float], ...]] = {
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


@dataclass(frozen=True)
class Closest:
    """The two colours that are hardest to tell apart, and for whom."""

    difference: float
    vision: str
    first: str
    second: str

    @property
    def distinguishable(self) -> bool:
        return self.difference >= MIN_DIFFERENCE


def closest_pair(colours: Mapping[str, str]) -> Closest | None:
    """The least distinguishable pair of named ``#rrggbb`` colours over every kind of vision (None for < 2)."""
    if len(colours) < 2:
        return None
    worst: Closest | None = None
    for vision, matrix in _VISION.items():
        seen = {name: _lab(_simulate(_linear(hex_colour), matrix)) for name, hex_colour in colours.items()}
        for a, b in itertools.combinations(seen, 2):
            diff = math.dist(seen[a], seen[b])
            if worst is None or diff < worst.difference:
                worst = Closest(diff, vision, a, b)
    return worst


def _linear(hex_colour: str) -> tuple[float, float, float]:
    text = hex_colour.lstrip("#")
    r, g, b = (int(text[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return _to_linear(r), _to_linear(g), _to_linear(b)


def _to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _simulate(rgb: tuple[float, float, float], m: tuple[tuple[float, float, float], ...]) -> tuple[float, ...]:
    return tuple(max(0.0, min(1.0, sum(m[row][col] * rgb[col] for col in range(3)))) for row in range(3))


def _lab(rgb: tuple[float, ...]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)
