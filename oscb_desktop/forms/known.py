"""The names the program knows forms and items by: a form's ``kind`` and an item's ``role``.

Code never names a form id (``section11``) or an item id (``impact.pressures``): those belong to a partnership's
form data and may differ from one partnership to the next. A form definition says instead what it is
(``kind: self_assessment``) and which of its items hold what the board report counts (``role: pressures``).
The JSON Schema (``forms/form-definition.schema.json``) lists the same names; a test keeps the two in step.
Plain Python, no Qt: the services, the reports and the screens all look forms up by these names
(:meth:`~oscb_desktop.forms.loader.FormRegistry.ids_of_kind`,
:meth:`~oscb_desktop.forms.model.FormDefinition.item_with_role`).
"""

from __future__ import annotations

# Kinds of form --------------------------------------------------------------------------------------------

#: The Section 11 self-assessment: standards of rated statements, with action plans (the matrix, the standards).
SELF_ASSESSMENT = "self_assessment"
#: The annual impact assessment: ranked pressures and enablers, improvement areas, service changes, risks.
IMPACT_ASSESSMENT = "impact_assessment"

#: A practitioner survey: questions put to the agency's staff outside the app (printed, or copied into an online
#: survey tool); only the counts per answer come back, set beside the self-assessment's ratings. Never a return.
PRACTITIONER_SURVEY = "practitioner_survey"

KINDS: tuple[str, ...] = (SELF_ASSESSMENT, IMPACT_ASSESSMENT, PRACTITIONER_SURVEY)

# Roles of items (of an impact assessment) ------------------------------------------------------------------

#: Ranked: the agency's top financial and organisational pressures on safeguarding.
PRESSURES = "pressures"
#: Ranked: the things that would make safeguarding easier.
ENABLERS = "enablers"
#: Free text: the areas the agency wants to improve.
IMPROVEMENT_AREAS = "improvement_areas"
#: Multiple choice: the themes of those improvements, counted across agencies.
IMPROVEMENT_THEMES = "improvement_themes"
#: Table (columns ``change``, ``date``, ``impact``, ``affects``): recent service changes and their impact.
SERVICE_CHANGES = "service_changes"
#: Yes/no: whether the agency asks for its risks to be escalated to the board.
ESCALATE = "escalate"
#: Table (columns ``risk``, ``likelihood``, ``mitigation``): the risks reported when escalating.
RISKS = "risks"

#: Each role and the item types that can hold it: collation reads the answer in that shape.
ROLE_TYPES: dict[str, tuple[str, ...]] = {
    PRESSURES: ("ranked",),
    ENABLERS: ("ranked",),
    IMPROVEMENT_AREAS: ("long_text", "short_text"),
    IMPROVEMENT_THEMES: ("multi_choice",),
    SERVICE_CHANGES: ("table",),
    ESCALATE: ("yes_no",),
    RISKS: ("table",),
}

ROLES: tuple[str, ...] = tuple(ROLE_TYPES)

#: The table columns collation reads, by role (a column the form does not have reads as empty).
ROLE_COLUMNS: dict[str, tuple[str, ...]] = {
    SERVICE_CHANGES: ("change", "date", "impact", "affects"),
    RISKS: ("risk", "likelihood", "mitigation"),
}
