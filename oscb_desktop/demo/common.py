"""What every part of the demo shares: its periods and forms, the passphrase, the error and the summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HISTORY_PERIOD = "2025/26"
CURRENT_PERIOD = "2026/27"
SECTION11 = "section11"
IMPACT = "impact"

#: The passphrase of every demo agency's signing key (documented in the README).
DEMO_PASSPHRASE = "oscb-demo-2026"

#: How far an agency's 2026/27 Section 11 return has got.
COMPLETE, HALF_DONE, BARELY_STARTED = "complete", "half done", "barely started"
#: How far its impact assessment has got (ABSENT: not started at all).
PARTIAL, ABSENT = "partial", "absent"

#: ``progress(done, total, text)``, called between steps so that a window can show a progress bar.
Progress = Callable[[int, int, str], None]


class DemoError(Exception):
    """The demo data cannot be generated here; the message is for the user."""


@dataclass(frozen=True)
class DemoSummary:
    agencies: int
    returns: int
    #: Count of returns by status label ("Ready to sign", "Draft", ...).
    by_status: dict[str, int] = field(default_factory=dict)
    #: Names of the agencies created, in creation order.
    agency_names: tuple[str, ...] = ()

    def describe(self, folder: str | Path | None = None) -> str:
        where = f" in {folder}" if folder is not None else ""
        parts = [
            f"{n} {label.lower()}{'s' if label == 'Draft' and n != 1 else ''}"
            for label, n in sorted(self.by_status.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        tail = f": {', '.join(parts)}" if parts else ""
        s_ag = "agency" if self.agencies == 1 else "agencies"
        s_ret = "return" if self.returns == 1 else "returns"
        return f"Created {self.agencies} {s_ag} and {self.returns} {s_ret}{where}{tail}."
