"""Rating colours stay apart for readers with protanopia, deuteranopia or tritanopia."""

from __future__ import annotations

from oscb_desktop.forms import FormRegistry
from oscb_desktop.forms.colour_vision import MIN_DIFFERENCE, closest_pair


def test_every_shipped_scale_is_distinguishable_with_common_colour_vision_deficiencies(
    shipped_forms: FormRegistry,
) -> None:
    for form in shipped_forms:
        for scale in form.scales.values():
            closest = closest_pair({level.id: level.colour for level in scale.choices})
            assert closest is not None and closest.distinguishable, f"{form.key} {scale.name}: {closest}"


def test_the_old_amber_and_red_were_too_alike_for_deuteranopia() -> None:
    closest = closest_pair({"amber": "#b45309", "red": "#b91c1c"})
    assert closest is not None and not closest.distinguishable and closest.vision == "deuteranopia"
    assert closest.difference < MIN_DIFFERENCE


def test_identical_colours_are_not_distinguishable_and_one_colour_has_no_pair() -> None:
    same = closest_pair({"a": "#123456", "b": "#123456"})
    assert same is not None and same.difference == 0
    assert closest_pair({"a": "#123456"}) is None
