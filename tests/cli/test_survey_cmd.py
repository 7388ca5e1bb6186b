"""``oscb survey questions | import | show`` as the issue gives them, in fresh processes: the questions written,
an export imported (JSON shape), a renamed column refused with rows and values then taken with a mapping file that
is remembered, and the counts shown with small ones as "<5"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from helpers.survey_kit import make_rows, sample, write
from helpers.workspaces import run_oscb

from oscb_desktop.forms import FormRegistry
from oscb_desktop.services.agencies import create_agency
from oscb_desktop.services.workspace import Workspace

AGENCY = "Riverside Community Health Trust"


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_questions_import_and_show(tmp_path: Path, shipped_forms: FormRegistry) -> None:
    ws = Workspace.open(tmp_path / "ws", forms=shipped_forms)
    ws.bind()
    create_agency(ws, AGENCY, sector="health")
    ws.close()
    data = str(tmp_path / "ws")
    form = shipped_forms.survey_for("2026/27")
    assert form is not None

    out = ok(run_oscb("--data-dir", data, "survey", "questions", "--out", str(tmp_path / "q")))
    files = sorted(p.name for p in (tmp_path / "q").iterdir())
    assert sorted(Path(f).suffix for f in files) == [".csv", ".csv", ".pdf"]
    assert "questionnaire.pdf" in out

    s = sample(form, tmp_path / "Forms export.xlsx", 48, tool="msforms", favour=0.6, seed=5)
    result = json.loads(ok(run_oscb("--data-dir", data, "survey", "import", str(s.path), "--agency", AGENCY,
                                    "--json")))  # fmt: skip
    assert result["outcome"] == "imported" and result["agency"] == AGENCY and result["period"] == "2026/27"
    assert result["respondents"] == 48 and result["missing"] == []
    assert set(result["ignored"]) == {"ID", "Start time", "Completion time", "Email", "Name"}
    trained = result["survey"]["questions"]["learning.trained"]
    exact = s.counts["learning.trained"]
    for option, shown in trained["counts"].items():
        assert shown == "<5" or (shown == exact[option] and shown >= 5)
    assert {"file", "outcome", "agency", "period", "form", "respondents", "survey", "questions", "columns",
            "ignored", "missing", "threshold", "imported_at", "imported_by"} <= set(result)  # fmt: skip

    # a renamed column and answers written another way: refused with the rows, nothing stored
    rows, counts = make_rows(form, 30, tool="surveymonkey", seed=9)
    col = rows[0].index("Do you know who your agency's designated safeguarding lead is?")
    rows[0][col] = "DSL known?"
    for r in rows[2:]:
        r[col] = {"Yes": "Y", "No": "N", "Not sure": "DK"}.get(r[col], r[col])
    renamed = write(rows, tmp_path / "monkey.csv")
    bad = run_oscb("--data-dir", data, "survey", "import", str(renamed), "--agency", AGENCY, "--json")
    assert bad.returncode == 2, bad.stderr
    refused = json.loads(bad.stdout)
    assert refused["outcome"] == "rejected"
    assert any("“DSL known?” is not a question of the survey" in p for p in refused["problems"])
    plain = run_oscb("--data-dir", data, "survey", "import", str(renamed), "--agency", AGENCY)
    assert plain.returncode == 2 and "DSL known?" in plain.stderr
    shown = json.loads(ok(run_oscb("--data-dir", data, "survey", "show", "--agency", AGENCY, "--json")))
    assert shown["respondents"] == 48, "the refused file stored nothing"

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text('columns:\n  learning.lead: "DSL known?"\nanswers:\n  learning.lead: {Y: "yes", N: "no", '
                       'DK: not_sure}\n', encoding="utf-8")  # fmt: skip
    ok(run_oscb("--data-dir", data, "survey", "import", str(renamed), "--agency", AGENCY, "--mapping", str(mapping)))
    # remembered: the same export again needs no mapping file
    again = json.loads(ok(run_oscb("--data-dir", data, "survey", "import", str(renamed), "--agency", AGENCY,
                                   "--json")))  # fmt: skip
    assert again["respondents"] == 30
    assert again["columns"]["learning.lead"] == "DSL known?"

    shown = json.loads(ok(run_oscb("--data-dir", data, "survey", "show", "--agency", AGENCY, "--json")))
    lead = next(q for q in shown["questions"] if q["id"] == "learning.lead")
    assert lead["code"] == "B.2" and lead["question"].startswith("Do you know who")
    for answer in lead["answers"]:
        n = counts["learning.lead"][answer["id"]]
        assert answer["count"] == ("<5" if n < 5 or answer["count"] == "<5" else n)
        assert answer["count"] == "<5" or answer["count"] >= 5
    text = ok(run_oscb("--data-dir", data, "survey", "show", "--agency", AGENCY))
    assert "30 respondents" in text and "B.2 Do you know who" in text
    assert "fewer than 5" in text or "<5" not in text

    nobody = run_oscb("--data-dir", data, "survey", "show", "--agency", "Nobody", "--json")
    assert nobody.returncode == 2 and AGENCY in nobody.stderr
