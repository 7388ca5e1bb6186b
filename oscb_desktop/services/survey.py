"""The practitioner survey, for an agency: export the questions, import the responses export as counts (mapped,
checked, suppressed, never the file itself), set them beside the return's ratings, freeze them into the signed
return; and for a Business Unit, keep the counts a verified return brought.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from oscb_desktop.bundle.model import SubmissionPayload
from oscb_desktop.forms.known import SELF_ASSESSMENT
from oscb_desktop.forms.model import FormDefinition
from oscb_desktop.fsutil import atomic_write, make_folder, safe_stem
from oscb_desktop.services.returns import form_of, get_submission, load_answers
from oscb_desktop.services.survey_values import SurveyBeside, SurveyInfo, SurveyPreview
from oscb_desktop.services.values import ReturnInfo
from oscb_desktop.services.workspace import Workspace, now_iso, uses_workspace
from oscb_desktop.store.models import Agency
from oscb_desktop.store.survey_tables import ReceivedSurvey, SignedSurvey, SurveyMapping, SurveyResult
from oscb_desktop.survey.compare import SurveyView, beside_ratings, rule_words
from oscb_desktop.survey.counts import SurveyCounts
from oscb_desktop.survey.layout import questions_csv, responses_template_csv
from oscb_desktop.survey.responses import ColumnMapping, parse, read_mapping


class SurveyError(Exception):
    """A survey action that cannot be done; the message says why and what to do."""


def survey_form(ws: Workspace, period: str | None = None) -> FormDefinition:
    """The practitioner survey of ``period`` (default: the newest period that has one)."""
    periods = [period] if period else sorted(ws.forms.periods(), reverse=True)
    for p in periods:
        form = ws.forms.survey_for(p)
        if form is not None:
            return form
    raise SurveyError(f"No practitioner survey is installed{f' for {period}' if period else ''}.")


def write_questions(ws: Workspace, out: str | Path, period: str | None = None) -> list[Path]:
    """The survey as a printable PDF, a CSV of its questions and an empty responses sheet, in folder ``out``."""
    from oscb_desktop.report.survey import render_questionnaire_pdf  # reportlab: loaded when printing

    form = survey_form(ws, period)
    folder = Path(out)
    make_folder(folder, private=False)
    stem = f"{form.short_title} {form.period}"
    written = []
    for name, data in (
        (safe_stem(f"{stem} questionnaire") + ".pdf", render_questionnaire_pdf(form, ws.profile.name)),
        (safe_stem(f"{stem} questions") + ".csv", questions_csv(form)),
        (safe_stem(f"{stem} responses sheet") + ".csv", responses_template_csv(form)),
    ):
        atomic_write(folder / name, data)
        written.append(folder / name)
    return written


@uses_workspace
def find_agency(ws: Workspace, name: str) -> tuple[int, str]:
    """The agency profile of this workspace named ``name`` (case and spaces aside): (id, name)."""
    key = " ".join(name.split()).casefold()
    rows = list(Agency.select())
    for row in rows:
        if " ".join(row.name.split()).casefold() == key:
            return row.id, row.name
    known = ", ".join(sorted(r.name for r in rows)) or "none yet"
    raise SurveyError(f"This workspace has no agency named {name!r} (agencies here: {known}).")


@uses_workspace
def remembered_mapping(ws: Workspace, agency_id: int, form_id: str) -> ColumnMapping | None:
    row = SurveyMapping.get_or_none((SurveyMapping.agency == agency_id) & (SurveyMapping.form_id == form_id))
    return ColumnMapping.from_json(row.mapping) if row is not None else None


@uses_workspace
def preview(
    ws: Workspace,
    agency_id: int,
    file: str | Path,
    *,
    mapping_file: str | Path | None = None,
    period: str | None = None,
) -> SurveyPreview:
    """Read and count a responses export without storing anything. Raises :class:`SurveyFileError` (which rows
    and values could not be mapped) or :class:`SurveyError`."""
    form = survey_form(ws, period)
    agency = Agency.get_by_id(agency_id)
    given = read_mapping(mapping_file, form) if mapping_file is not None else None
    parsed = parse(form, file, given=given, remembered=remembered_mapping(ws, agency_id, form.id))
    return SurveyPreview(
        agency_id=agency_id,
        agency=agency.name,
        form=form,
        counts=SurveyCounts.from_raw(form, parsed.respondents, parsed.raw),
        file_name=parsed.file_name,
        columns=dict(parsed.columns),
        ignored=parsed.ignored,
        missing=parsed.missing,
        mapping=parsed.mapping,
    )


@uses_workspace
def store(ws: Workspace, p: SurveyPreview) -> SurveyInfo:
    """Keep what :func:`preview` understood (replacing the period's earlier import) and remember its mapping."""
    stamp, user = now_iso(), ws.user
    with ws.db.atomic():
        SurveyResult.insert(
            agency=p.agency_id,
            form_id=p.form.id,
            form_version=p.form.version,
            period=p.form.period,
            counts=p.counts.to_json(),
            file_name=Path(p.file_name).name,
            imported_at=stamp,
            imported_by=user,
        ).on_conflict(
            conflict_target=[SurveyResult.agency, SurveyResult.form_id, SurveyResult.period],
            preserve=[SurveyResult.form_version, SurveyResult.counts, SurveyResult.file_name,
                      SurveyResult.imported_at, SurveyResult.imported_by],
        ).execute()  # fmt: skip
        SurveyMapping.insert(
            agency=p.agency_id, form_id=p.form.id, mapping=p.mapping.to_json(), updated_at=stamp
        ).on_conflict(
            conflict_target=[SurveyMapping.agency, SurveyMapping.form_id],
            preserve=[SurveyMapping.mapping, SurveyMapping.updated_at],
        ).execute()
    info = current(ws, p.agency_id, p.form.period)
    assert info is not None
    return info


def import_responses(
    ws: Workspace,
    agency_id: int,
    file: str | Path,
    *,
    mapping_file: str | Path | None = None,
    period: str | None = None,
) -> SurveyInfo:
    """:func:`preview` then :func:`store`, for the command line."""
    return store(ws, preview(ws, agency_id, file, mapping_file=mapping_file, period=period))


@uses_workspace
def current(ws: Workspace, agency_id: int, period: str) -> SurveyInfo | None:
    """The agency's stored survey counts for ``period``, if it imported any."""
    row = (
        SurveyResult.select()
        .where((SurveyResult.agency == agency_id) & (SurveyResult.period == period))
        .order_by(SurveyResult.imported_at.desc())
        .first()
    )
    if row is None:
        return None
    counts = SurveyCounts.from_json(row.counts)
    try:
        form = ws.forms.get(row.form_id, row.form_version)
    except KeyError:
        return None
    return SurveyInfo(
        agency_id=agency_id,
        agency=Agency.get_by_id(agency_id).name,
        form=form,
        counts=counts,
        file_name=row.file_name,
        imported_at=row.imported_at,
        imported_by=row.imported_by,
    )


@uses_workspace
def latest_for_agency(ws: Workspace, agency_id: int) -> SurveyInfo | None:
    row = SurveyResult.select().where(SurveyResult.agency == agency_id).order_by(SurveyResult.period.desc()).first()
    return current(ws, agency_id, row.period) if row is not None else None


# Beside the return ------------------------------------------------------------------------------------------


def _counts_of_return(ws: Workspace, sub: ReturnInfo) -> SurveyCounts | None:
    """What the return carries: frozen at sign-off once signed, else the agency's current counts."""
    if sub.locked:
        row = SignedSurvey.get_or_none(SignedSurvey.submission == sub.id)
        return SurveyCounts.from_json(row.counts) if row is not None else None
    if form_of(ws, sub).kind != SELF_ASSESSMENT:
        return None
    info = current(ws, sub.agency_id, sub.period)
    return info.counts if info is not None else None


@uses_workspace
def carried(ws: Workspace, sub: ReturnInfo) -> dict[str, Any] | None:
    """The ``survey`` of the return's ``submission.json`` (None: it carries none)."""
    counts = _counts_of_return(ws, sub)
    return counts.to_json() if counts is not None else None


@uses_workspace
def freeze(ws: Workspace, submission_id: str, data: SubmissionPayload) -> None:
    """Keep the survey counts a return was signed with (call inside the sign-off's transaction)."""
    if data.survey is not None:
        counts = dict(data.survey)
        SignedSurvey.insert(submission=submission_id, counts=counts).on_conflict(
            conflict_target=[SignedSurvey.submission], update={SignedSurvey.counts: counts}
        ).execute()


@uses_workspace
def view(ws: Workspace, sub: ReturnInfo) -> SurveyView | None:
    """What the return's PDF prints of the survey: the counts it carries, beside its ratings."""
    counts = _counts_of_return(ws, sub)
    if counts is None:
        return None
    try:
        form = ws.forms.get(counts.form_id, counts.form_version)
    except KeyError:
        return None
    pairs = beside_ratings(form, counts, form_of(ws, sub), load_answers(ws, sub.id))
    return SurveyView(form, counts, tuple(pairs), rule_words(form))


@uses_workspace
def beside(ws: Workspace, submission_id: str) -> SurveyBeside:
    """The return's rated statements beside what its practitioners answered, divergences marked."""
    sub = get_submission(ws, submission_id)
    v = view(ws, sub)
    if v is None:
        return SurveyBeside(None, (), "")
    return SurveyBeside(current(ws, sub.agency_id, sub.period), v.pairs, v.rule)


# The Business Unit's side ---------------------------------------------------------------------------------


@uses_workspace
def keep_received(ws: Workspace, received_id: int, survey: Any) -> None:
    """Keep the survey counts a verified return brought (already checked by the verifier)."""
    if survey is not None:
        counts = dict(survey)
        ReceivedSurvey.insert(received=received_id, counts=counts).on_conflict(
            conflict_target=[ReceivedSurvey.received], update={ReceivedSurvey.counts: counts}
        ).execute()


@uses_workspace
def received(ws: Workspace, received_id: int) -> SurveyCounts | None:
    row = ReceivedSurvey.get_or_none(ReceivedSurvey.received == received_id)
    return SurveyCounts.from_json(row.counts) if row is not None else None


@uses_workspace
def received_all(ws: Workspace) -> dict[int, dict[str, Any]]:
    """Received return id -> the survey counts it brought (as ``submission.json`` had them)."""
    return {row.received_id: row.counts for row in ReceivedSurvey.select()}
