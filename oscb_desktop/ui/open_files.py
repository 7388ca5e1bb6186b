"""What opening a file with the app does (``oscb-desktop FILE``, a double-click, or a file handed over by a second
start): in a Business Unit workspace a bundle (plain or encrypted) or a signed PDF goes to import; in an agency
workspace a bundle opens read-only (its signed PDF in the print preview, after it is verified), a partnership pack
goes to joining and a feedback file to its import."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from oscb_desktop.services.workspace import Workspace
from oscb_desktop.ui.common import message

BUNDLE, ENCRYPTED, PDF, PACK, FEEDBACK = ".oscb", ".oscb.p7m", ".pdf", ".oscbpack", ".oscbfeedback"


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in (ENCRYPTED, FEEDBACK, PACK, BUNDLE, PDF):  # longest first: .oscb.p7m before .oscb
        if name.endswith(suffix):
            return suffix
    return None


def open_files(window: QWidget, ws: Workspace, paths: Sequence[Path]) -> None:
    """Open each file the way its kind asks, in this window (brought to the front)."""
    from oscb_desktop.services import registry  # not before the first window: it brings the verifier

    window.show()
    window.raise_()
    window.activateWindow()
    business_unit = registry.is_business_unit(ws)
    returns_to_import: list[Path] = []
    for path in paths:
        kind = kind_of(path)
        if not path.is_file():
            message(window, "Not opened", f"{path} is not there any more.", icon=QMessageBox.Icon.Warning)
        elif business_unit and kind in (BUNDLE, ENCRYPTED, PDF):
            returns_to_import.append(path)
        elif not business_unit and kind == PACK:
            _join(window, ws, path)
        elif not business_unit and kind == FEEDBACK:
            _feedback(window, ws, path)
        elif not business_unit and kind == BUNDLE:
            _view_bundle(window, ws, path)
        else:
            message(window, "Not opened", _why_not(path, kind, business_unit), icon=QMessageBox.Icon.Information)
    if returns_to_import:
        _import(window, returns_to_import)


def _why_not(path: Path, kind: str | None, business_unit: bool) -> str:
    if kind is None:
        return f"{path.name} is not a file OSCB Desktop opens (bundles, packs and feedback files)."
    if kind == ENCRYPTED:
        return (
            f"{path.name} is encrypted for the partnership's Business Unit: only its workspace can open it. The plain "
            "bundle you sent is kept in this workspace's sent/ folder."
        )
    if business_unit:
        return f"{path.name} is for an agency's workspace; this is the Business Unit's."
    return f"{path.name} is a signed PDF: open it with your PDF reader."


def _import(window: QWidget, paths: list[Path]) -> None:
    mode = getattr(window, "business_unit", None)
    if mode is None:
        return
    mode.activate()
    assert mode.workspace is not None
    mode.workspace.import_paths(paths)


def _join(window: QWidget, ws: Workspace, path: Path) -> None:
    from oscb_desktop.ui.agency.join import join_partnership

    agency_mode = getattr(window, "agency_mode", None)
    done = agency_mode._joined if agency_mode is not None else (lambda _result: None)
    join_partnership(window, ws, done, path=path)


def _feedback(window: QWidget, ws: Workspace, path: Path) -> None:
    from oscb_desktop.ui.agency import feedback_view

    agency_mode = getattr(window, "agency_mode", None)
    refresh = agency_mode.workspace.home.refresh if agency_mode is not None else None
    feedback_view.open_feedback(window, ws, path=path, on_done=refresh)


def _view_bundle(window: QWidget, ws: Workspace, path: Path) -> None:
    """A bundle in an agency's workspace: verified (its signatures and content, not who signed it), then its signed
    PDF shown read-only in the print preview."""
    import io
    import zipfile

    from oscb_desktop.bundle import Rejection, verify_bundle
    from oscb_desktop.bundle.safezip import read_zip
    from oscb_desktop.ui.printing import preview_in_background

    forms = ws.forms

    def source() -> tuple[str, bytes]:
        try:
            data = read_zip(path)  # read once: what is shown is what was verified
        except Rejection as rejection:
            raise NotOpenedError(f"{path.name} cannot be opened: {rejection.reason}") from None
        result = verify_bundle(data, forms=forms, trusted=None)
        if not result.ok or result.manifest is None:
            raise NotOpenedError(f"{path.name} is not a sound bundle: {result.reason}")
        m = result.manifest
        title = f"{m.agency.name}, {m.form_title} {m.period}, version {m.submission.version} (read-only)"
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return title, zf.read("submission.pdf")

    preview_in_background(window, source)


class NotOpenedError(Exception):
    """A file that cannot be shown; the message says why."""
