"""OSCB Desktop: Section 11 and impact assessment returns for a safeguarding partnership."""

__version__ = "0.1.0"
