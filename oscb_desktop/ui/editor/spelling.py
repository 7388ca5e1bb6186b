"""Spell check of the text answers, in British English: a wavy red line under words the dictionary does not
know, and on right-click (or the menu key) suggestions, "Add to dictionary" and "Ignore".

The words are checked by Enchant (pyenchant) with an en-GB Hunspell dictionary: on Windows the pyenchant wheel
brings both; on Debian they are the ``libenchant-2-2`` and ``hunspell-en-gb`` packages. Without them the editor
works as before, without spell check, and says so once (a line in the log and a quiet note in the editor).

Typing stays fast in long answers: only the paragraphs in view of a field are checked (the others when they
scroll into view), a field is set up the first time it is shown, and every word's verdict is remembered. The
personal word list is kept in the workspace (setting ``spelling.personal_words``), so it goes with its backups.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QContextMenuEvent,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit

from oscb_desktop.services.workspace import Workspace

log = logging.getLogger(__name__)

LANGUAGE = "en_GB"
PERSONAL_SETTING = "spelling.personal_words"
MAX_SUGGESTIONS = 6
UNAVAILABLE_NOTE = (
    "Spell check is off: no British English dictionary was found on this computer. Everything else works as usual."
)

#: A word: letters (any accents), with apostrophes inside ("agency's", "don't").
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
#: Text that is not prose: web and email addresses, file names, words with digits.
_SKIP = re.compile(r"\S+@\S+|\b(?:https?://|www\.)\S+|\S+\.(?:pdf|docx?|xlsx?|org|com|uk|gov)\b|\w*\d\w*", re.I)

CHECKED, UNCHECKED = 0, 1


class Speller:
    """The dictionary, the words the user added or ignored, and every verdict so far."""

    def __init__(self, language: str = LANGUAGE) -> None:
        self.language = language
        self.problem = ""
        self._dict: Any = None
        try:
            import enchant  # the C library may be missing: imported here, so that only spell check is off

            self._dict = enchant.Dict(language)
        except ImportError as exc:  # pyenchant without the Enchant library
            self.problem = f"the Enchant spell-checking library is not installed ({exc})"
        except Exception as exc:  # enchant.errors.DictNotFoundError and the like
            self.problem = f"there is no {language} dictionary ({exc})"
        self.personal: set[str] = set()
        self.ignored: set[str] = set()
        self._known: dict[str, bool] = {}
        self._save_personal: Callable[[list[str]], None] | None = None
        #: Every highlighter in use, to check their text again when a word is added or ignored.
        self.highlighters: weakref.WeakSet[SpellHighlighter] = weakref.WeakSet()

    @property
    def available(self) -> bool:
        return self._dict is not None

    def use_personal_words(self, words: list[str], save: Callable[[list[str]], None]) -> None:
        """The workspace's personal word list, and how to save it."""
        self.personal = {w for w in words if isinstance(w, str)}
        self._save_personal = save
        self._known.clear()
        self.recheck()

    def known(self, word: str) -> bool:
        """Whether ``word`` is spelt right (or is no word to check: a short word, an acronym, a name the user
        added)."""
        if len(word) < 2 or word.isupper() or word in self.personal or word in self.ignored:
            return True
        verdict = self._known.get(word)
        if verdict is None:
            plain = word.replace("’", "'")
            verdict = bool(self._dict.check(plain)) if self._dict is not None else True
            if not verdict and plain[:1].isupper() and plain[1:].islower():
                verdict = bool(self._dict.check(plain.lower()))  # "Safeguarding" at the start of a sentence
            self._known[word] = verdict
        return verdict

    def suggestions(self, word: str) -> list[str]:
        if self._dict is None:
            return []
        return list(self._dict.suggest(word.replace("’", "'")))[:MAX_SUGGESTIONS]

    def add(self, word: str) -> None:
        """Add a word to the personal word list, kept in the workspace."""
        self.personal.add(word)
        if self._save_personal is not None:
            try:
                self._save_personal(sorted(self.personal))
            except Exception:  # a read-only workspace: the word is known for this session only
                log.warning("the personal word list could not be saved", exc_info=True)
        self.recheck()

    def ignore(self, word: str) -> None:
        """Accept a word until the program closes."""
        self.ignored.add(word)
        self.recheck()

    def recheck(self) -> None:
        for highlighter in list(self.highlighters):
            highlighter.rehighlight()

    def misspelt(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, length) of each word in ``text`` the dictionary does not know."""
        skipped = [m.span() for m in _SKIP.finditer(text)] if any(c in text for c in "@./0123456789") else []
        for match in _WORD.finditer(text):
            start, end = match.span()
            if skipped and any(a <= start < b for a, b in skipped):
                continue
            if not self.known(match.group()):
                yield start, end - start


_speller: Speller | None = None
_told = False


def speller() -> Speller:
    """The process's speller, made the first time it is needed (it loads the dictionary)."""
    global _speller
    if _speller is None:
        _speller = Speller()
        if not _speller.available:
            log.warning("spell check is off: %s", _speller.problem)
    return _speller


def use_workspace_words(ws: Workspace) -> None:
    """The personal word list of this workspace (a read-only workspace keeps new words for the session)."""
    checker = speller()
    if checker.available:
        words = ws.setting(PERSONAL_SETTING, [])
        save = lambda chosen: ws.set_setting(PERSONAL_SETTING, chosen)  # noqa: E731
        checker.use_personal_words(words if isinstance(words, list) else [], save)


def reset(new: Speller | None = None) -> None:
    """Use another speller from now on (tests: a missing dictionary); None makes a new one when next needed."""
    global _speller, _told
    _speller, _told = new, False


def note_once() -> str:
    """The quiet note for the editor when spell check is off, the first time it is asked for; else ""."""
    global _told
    if speller().available or _told:
        return ""
    _told = True
    return UNAVAILABLE_NOTE


class SpellHighlighter(QSyntaxHighlighter):
    """Underlines the misspelt words of the paragraphs in view of ``edit``."""

    def __init__(self, edit: QPlainTextEdit, checker: Speller) -> None:
        self.edit = edit
        self.checker = checker
        self.underline = QTextCharFormat()
        self.underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SpellCheckUnderline)
        self.underline.setUnderlineColor(QColor("#d32f2f"))
        super().__init__(edit.document())
        checker.highlighters.add(self)
        edit.verticalScrollBar().valueChanged.connect(lambda _v: self.check_visible())

    def highlightBlock(self, text: str) -> None:
        if not self._in_view(self.currentBlock()):
            self.setCurrentBlockState(UNCHECKED)  # checked when it scrolls into view
            return
        self.setCurrentBlockState(CHECKED)
        for start, length in self.checker.misspelt(text):
            self.setFormat(start, length, self.underline)

    def _visible_blocks(self) -> tuple[int, int]:
        """The first and last paragraph (block number) in view, with a paragraph to spare."""
        block = self.edit.firstVisibleBlock()
        first = block.blockNumber()
        spacing = max(1, self.edit.fontMetrics().lineSpacing())
        room = self.edit.viewport().height() // spacing + 2
        while block.isValid() and room > 0:
            room -= max(1, block.lineCount())
            block = block.next()
        last = block.blockNumber() if block.isValid() else self.edit.document().blockCount() - 1
        return max(0, first - 1), last

    def _in_view(self, block: QTextBlock) -> bool:
        first, last = self._visible_blocks()
        return first <= block.blockNumber() <= last

    def check_visible(self) -> None:
        """Check the paragraphs that came into view unchecked."""
        first, last = self._visible_blocks()
        block = self.edit.document().findBlockByNumber(first)
        while block.isValid() and block.blockNumber() <= last:
            if block.userState() == UNCHECKED:
                self.rehighlightBlock(block)
            block = block.next()


class _Attacher(QObject):
    """One event filter for every text answer: sets up spell check when a field is first shown, and adds the
    suggestions to its context menu."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        edit = watched if isinstance(watched, QPlainTextEdit) else watched.parent()
        if not isinstance(edit, QPlainTextEdit):
            return False
        kind = event.type()
        if kind == QEvent.Type.Show or kind == QEvent.Type.Resize:
            highlighter = highlighter_of(edit)
            if highlighter is None and kind == QEvent.Type.Show:
                checker = speller()
                if checker.available:
                    edit.setProperty("spellHighlighter", SpellHighlighter(edit, checker))
            elif highlighter is not None:
                highlighter.check_visible()
        elif kind == QEvent.Type.ContextMenu and isinstance(event, QContextMenuEvent):
            return show_menu(edit, event, on_viewport=watched is not edit)
        return False


_attacher: _Attacher | None = None


def attach(edit: QPlainTextEdit) -> None:
    """Spell-check this text field (set up the first time it is shown)."""
    global _attacher
    if _attacher is None:
        _attacher = _Attacher()
    edit.installEventFilter(_attacher)
    edit.viewport().installEventFilter(_attacher)


def highlighter_of(edit: QPlainTextEdit) -> SpellHighlighter | None:
    found = edit.property("spellHighlighter")
    return found if isinstance(found, SpellHighlighter) else None


def word_at(edit: QPlainTextEdit, cursor: QTextCursor) -> QTextCursor | None:
    """A cursor selecting the misspelt word at ``cursor``, or None when there is none there."""
    highlighter = highlighter_of(edit)
    if highlighter is None:
        return None
    block = cursor.block()
    at = cursor.position() - block.position()
    for start, length in highlighter.checker.misspelt(block.text()):
        if start <= at <= start + length:
            found = QTextCursor(block)
            found.setPosition(block.position() + start)
            found.setPosition(block.position() + start + length, QTextCursor.MoveMode.KeepAnchor)
            return found
    return None


def spelling_actions(edit: QPlainTextEdit, cursor: QTextCursor, parent: QObject) -> list[QAction]:
    """Suggestions for the misspelt word at ``cursor``, then "Add to dictionary" and "Ignore"; [] if none."""
    word_cursor = word_at(edit, cursor)
    highlighter = highlighter_of(edit)
    if word_cursor is None or highlighter is None:
        return []
    word = word_cursor.selectedText()
    checker = highlighter.checker
    actions = []
    for suggestion in checker.suggestions(word):
        action = QAction(suggestion, parent)
        font = action.font()
        font.setBold(True)
        action.setFont(font)
        action.triggered.connect(lambda _c=False, s=suggestion: _replace(edit, word_cursor, s))
        actions.append(action)
    if not actions:
        none = QAction("(no suggestions)", parent)
        none.setEnabled(False)
        actions.append(none)
    add = QAction(f"Add “{word}” to dictionary", parent)
    add.triggered.connect(lambda: checker.add(word))
    ignore = QAction("Ignore", parent)
    ignore.setToolTip(f"Accept “{word}” until the program closes")
    ignore.triggered.connect(lambda: checker.ignore(word))
    return [*actions, add, ignore]


def _replace(edit: QPlainTextEdit, word: QTextCursor, replacement: str) -> None:
    """Put the suggestion in place of the word: an edit like typing (undoable, saved by autosave)."""
    if edit.isReadOnly():
        return
    word.insertText(replacement)


def show_menu(edit: QPlainTextEdit, event: QContextMenuEvent, *, on_viewport: bool) -> bool:
    """The field's own context menu with the spelling suggestions on top (right-click: the word clicked; the
    menu key or Shift+F10: the word at the text cursor)."""
    keyboard = event.reason() == QContextMenuEvent.Reason.Keyboard
    at = event.pos() if on_viewport else edit.viewport().mapFrom(edit, event.pos())
    cursor = edit.textCursor() if keyboard else edit.cursorForPosition(at)
    menu = edit.createStandardContextMenu(at)
    actions = spelling_actions(edit, cursor, menu) if not edit.isReadOnly() else []
    if actions:
        first = menu.actions()[0] if menu.actions() else None
        menu.insertActions(first, actions)  # type: ignore[arg-type]
        menu.insertSeparator(first)  # type: ignore[arg-type]
    edit.setProperty("spellMenu", menu)  # the menu last shown (tests read it)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    menu.popup(edit.viewport().mapToGlobal(edit.cursorRect().bottomLeft()) if keyboard else event.globalPos())
    return True
