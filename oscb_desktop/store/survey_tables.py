"""The practitioner survey's tables (database version 8): counts only, never a respondent's answers.

- :class:`SurveyResult`: an agency's survey counts for a period, as imported (already suppressed);
- :class:`SurveyMapping`: the column mapping an agency used for a survey, remembered for its next import;
- :class:`SignedSurvey`: the counts a signed return carries, frozen at sign-off (the return's
  ``submission.json`` is made again at every export and must not change when the survey is imported again);
- :class:`ReceivedSurvey`: on the Business Unit's side, the counts a verified return brought.
"""

from __future__ import annotations

from peewee import AutoField, CharField, ForeignKeyField

from oscb_desktop.store.models import Agency, BaseModel, JsonField, ReceivedReturn, Submission


class SurveyResult(BaseModel):
    id = AutoField()
    agency = ForeignKeyField(Agency, backref="surveys", on_delete="CASCADE")
    form_id = CharField()
    form_version = CharField()
    period = CharField()
    #: :meth:`oscb_desktop.survey.SurveyCounts.to_json`: suppressed counts, never a respondent's row.
    counts = JsonField()
    #: The name of the file the counts came from (the file itself is never kept).
    file_name = CharField()
    imported_at = CharField()
    imported_by = CharField()

    agency_id: int

    class Meta:
        indexes = ((("agency", "form_id", "period"), True),)


class SurveyMapping(BaseModel):
    id = AutoField()
    agency = ForeignKeyField(Agency, backref="survey_mappings", on_delete="CASCADE")
    form_id = CharField()
    #: :meth:`oscb_desktop.survey.responses.ColumnMapping.to_json`.
    mapping = JsonField()
    updated_at = CharField()

    agency_id: int

    class Meta:
        indexes = ((("agency", "form_id"), True),)


class SignedSurvey(BaseModel):
    submission = ForeignKeyField(Submission, primary_key=True, backref="signed_survey", on_delete="CASCADE")
    counts = JsonField()

    submission_id: str


class ReceivedSurvey(BaseModel):
    received = ForeignKeyField(ReceivedReturn, primary_key=True, backref="survey", on_delete="CASCADE")
    counts = JsonField()

    received_id: int


SURVEY_MODELS = (SurveyResult, SurveyMapping, SignedSurvey, ReceivedSurvey)
