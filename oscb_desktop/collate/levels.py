"""Ratings on a form's scale: an answer's level, a mean mapped back to a level, what counts as good, and one
agency's self-rated and moderated levels for one standard.

Labels, percentages and colours all come from the scale in the form definition, never from code: a partnership
with a Met / Partially met / Not met scale gets the same arithmetic as Oxfordshire's Blue / Green / Amber / Red.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from oscb_desktop.collate.model import ReturnRecord
from oscb_desktop.forms.model import NOT_APPLICABLE, Item, Level, Scale, Section

#: Used only when a scale has no level called Green: "all met" on the anchors of DESIGN.md §2.
DEFAULT_GOOD_PERCENTAGE = 75


def nearest_level(scale: Scale, mean: float | None) -> Level | None:
    """The level whose percentage is nearest ``mean``; half way between two gives the lower one."""
    if mean is None:
        return None
    scored = [lv for lv in scale.levels if lv.percentage is not None]
    if not scored:
        return None
    return min(scored, key=lambda lv: (abs(lv.percentage - mean), lv.percentage))  # type: ignore[operator]


def good_levels(scale: Scale) -> tuple[Level, ...]:
    """Levels at least as good as Green (by percentage), found from the scale's data."""
    green = next(
        (lv for lv in scale.levels if "green" in (lv.id.lower(), lv.label.strip().lower())),
        None,
    )
    threshold = green.percentage if green and green.percentage is not None else DEFAULT_GOOD_PERCENTAGE
    return tuple(lv for lv in scale.levels if lv.percentage is not None and lv.percentage >= threshold)


def good_label(scale: Scale) -> str:
    """'Blue or Green', or 'Green or better' for a scale with many good levels."""
    levels = sorted(good_levels(scale), key=lambda lv: -(lv.percentage or 0))
    if not levels:
        return "Green or better"
    if len(levels) <= 2:
        return " or ".join(lv.label for lv in levels)
    return f"{levels[-1].label} or better"


def rating_level(item: Item, value: Any) -> Level | None:
    """The level of a rating answer, or None when unanswered or not a level of the item's scale."""
    if item.scale is None or not isinstance(value, Mapping):
        return None
    level_id = value.get("level")
    if not isinstance(level_id, str) or not level_id:
        return None
    return item.scale.level(level_id)


def rating_items(section: Section) -> list[Item]:
    """The rated statements of a section; a section with any is a standard."""
    return [i for i in section.items if i.type == "rating" and i.scale is not None]


def standard_scale(section: Section) -> Scale:
    """The scale of a standard: that of its first rated statement (percentages compare across scales)."""
    scale = rating_items(section)[0].scale
    assert scale is not None
    return scale


def scored(levels: Iterable[Level | None]) -> list[float]:
    """The percentages of the levels given, Not applicable and unrated left out."""
    return [lv.percentage for lv in levels if lv is not None and lv.id != NOT_APPLICABLE and lv.percentage is not None]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


# One agency's levels for one standard ---------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyStandard:
    """One agency's ratings of one standard in one return."""

    #: Statement id -> the agency's own level (None: unrated or not a level of the scale).
    self_levels: dict[str, Level | None]
    #: Statement id -> the level that applies after moderation; empty when nothing was moderated.
    moderated_levels: dict[str, Level | None]
    moderated: bool
    self_mean: float | None
    moderated_mean: float | None
    self_level: Level | None
    moderated_level: Level | None


def agency_standard(r: ReturnRecord, section: Section, notes: list[str]) -> AgencyStandard | None:
    """The agency's levels for one standard (a section with rated statements; None for any other section).

    A moderated rating of the standard applies to each statement without a moderated rating of its own.
    Ratings the scale does not know are left out and told in ``notes``.
    """
    items = rating_items(section)
    if not items:
        return None
    scale = standard_scale(section)
    self_levels = {i.id: rating_level(i, r.answers.get(i.id)) for i in items}
    for i in items:
        if self_levels[i.id] is None and isinstance(r.answers.get(i.id), Mapping):
            level_id = r.answers[i.id].get("level")
            if level_id:
                notes.append(f"{r.agency}: {i.id} has a rating {level_id!r} that its scale does not know.")
    section_mod = moderated_level(r, section.id, scale, notes)
    item_mod = {i.id: moderated_level(r, i.id, i.scale, notes) for i in items}  # type: ignore[arg-type]
    moderated = section_mod is not None or any(v is not None for v in item_mod.values())
    moderated_levels: dict[str, Level | None] = {}
    if moderated:
        for i in items:
            moderated_levels[i.id] = item_mod[i.id] or section_mod or self_levels[i.id]
    self_mean = mean(scored(self_levels.values()))
    moderated_mean = mean(scored(moderated_levels.values())) if moderated else None
    return AgencyStandard(
        self_levels=self_levels,
        moderated_levels=moderated_levels,
        moderated=moderated,
        self_mean=self_mean,
        moderated_mean=moderated_mean,
        self_level=_standard_level(scale, self_mean, self_levels.values()),
        moderated_level=_standard_level(scale, moderated_mean, moderated_levels.values()) if moderated else None,
    )


def moderated_level(r: ReturnRecord, key: str, scale: Scale, notes: list[str]) -> Level | None:
    """The Business Unit's moderated level of a standard or statement (``key``), or None when not moderated."""
    level_id = r.moderated.get(key)
    if not level_id:
        return None
    level = scale.level(level_id)
    if level is None:
        notes.append(f"{r.agency}: the moderated rating {level_id!r} of {key} is not a level of its scale.")
    return level


def _standard_level(scale: Scale, mean: float | None, levels: Iterable[Level | None]) -> Level | None:
    """The mean mapped to the nearest level; N/A when every statement is N/A; None when nothing is rated."""
    if mean is not None:
        return nearest_level(scale, mean)
    if any(lv is not None and lv.id == NOT_APPLICABLE for lv in levels):
        return scale.not_applicable
    return None
