"""The practitioner survey beside the ratings in the editor: under the guidance of each statement a survey
question bears on, what the agency's practitioners answered ("You rated Training (S5.1) Blue — 62 % of 48
practitioners answered Yes to …"), kept up to date as the rating changes, a divergence marked.

Only the suppressed counts are known here (from :func:`oscb_desktop.services.survey.view`), so a small group is
never shown: it reads "fewer than 5"."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QVBoxLayout, QWidget

from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.survey.compare import Beside, SurveyView, beside_ratings
from oscb_desktop.ui.editor.items import ItemFrame


class SurveyNote(QFrame):
    """The note under one statement."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surveyNote")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setObjectName("surveyNoteText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.text)
        self.pairs: tuple[Beside, ...] = ()

    def show_pairs(self, pairs: tuple[Beside, ...]) -> None:
        self.pairs = pairs
        lines = []
        for p in pairs:
            mark = "<b style='color:#9a3412'>Practitioners see it differently.</b> " if p.diverges else ""
            lines.append(f"{mark}{escape(p.text)}")
        self.text.setText("<b>What practitioners said</b><br/>" + "<br/><br/>".join(lines))
        self.setAccessibleName("What practitioners said: " + " ".join(p.text for p in pairs))
        self.setProperty("diverges", any(p.diverges for p in pairs))
        self.style().unpolish(self)
        self.style().polish(self)


class SurveyNotes:
    """Every note of an editor page, by statement id."""

    def __init__(self, view: SurveyView | None, assessment: FormDefinition, frames: Mapping[str, ItemFrame]) -> None:
        self.assessment = assessment
        self.notes: dict[str, SurveyNote] = {}
        self.reset(view, frames)

    def reset(self, view: SurveyView | None, frames: Mapping[str, ItemFrame]) -> None:
        """Show ``view`` instead (a survey imported while the return is open): old notes go, new ones come."""
        for note in self.notes.values():
            note.setParent(None)
            note.deleteLater()
        self.notes = {}
        self.view = view
        self.bearing: set[str] = set()
        if view is None:
            return
        self.bearing = {s for item in view.form.items() for s in item.bears_on if view.counts.question(item.id)}
        self.add(frames, list(frames))

    def add(self, frames: Mapping[str, ItemFrame], item_ids: list[str]) -> None:
        """Notes under the frames of ``item_ids`` just built (the editor builds a section when it is first shown)."""
        for statement_id in self.bearing.intersection(item_ids):
            frame = frames.get(statement_id)
            if frame is None or statement_id in self.notes:
                continue
            note = SurveyNote(frame)
            grid = frame.layout()
            column = grid.itemAt(1) if grid is not None else None
            right = column.layout() if column is not None else None  # the frame's guidance column
            if isinstance(right, QBoxLayout):
                right.insertWidget(1, note)
                self.notes[statement_id] = note

    def refresh(self, answers: Mapping[str, Any], statement_id: str | None = None) -> None:
        """Work the notes out again from the answers (after ``statement_id`` changed, or all of them)."""
        if self.view is None or not self.notes or (statement_id is not None and statement_id not in self.notes):
            return
        pairs = beside_ratings(self.view.form, self.view.counts, self.assessment, answers)
        for sid, note in self.notes.items():
            if statement_id is None or sid == statement_id:
                note.show_pairs(tuple(p for p in pairs if p.statement_id == sid))
