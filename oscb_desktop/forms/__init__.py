"""Form definitions: versioned YAML data in ``forms/``, loaded into typed dataclasses, and the rules
that check a return's answers against them. Plain Python, no Qt."""

from oscb_desktop.forms.loader import FormDefinitionError, FormRegistry, load_file, load_text
from oscb_desktop.forms.model import FormDefinition, Item, Level, Scale, Section
from oscb_desktop.forms.rules import Completion, Problem, check, completion, section_completion

__all__ = [
    "Completion",
    "FormDefinition",
    "FormDefinitionError",
    "FormRegistry",
    "Item",
    "Level",
    "Problem",
    "Scale",
    "Section",
    "check",
    "completion",
    "load_file",
    "load_text",
    "section_completion",
]
