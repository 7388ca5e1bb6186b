"""``oscb feedback ...`` as the issue gives it, in fresh processes: the Business Unit requires an action and
exports the signed feedback; the agency imports it (JSON shape), lists it, and a tampered file is refused with its
code and nothing stored."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.bundle_kit import members_of, rebuild
from helpers.engines import open_bu
from helpers.feedback_kit import PASSPHRASE, build, open_ws
from helpers.workspaces import run_oscb

from oscb_desktop.forms import FormRegistry


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_export_import_list_and_refusal(
    request: pytest.FixtureRequest, engine: str, tmp_path: Path, shipped_forms: FormRegistry
) -> None:
    """The Business Unit on each engine (on PostgreSQL: ``--database URL``, its officer's folder ``--data-dir``)."""
    agency = open_ws(tmp_path / "agency", shipped_forms)
    s = build(tmp_path, shipped_forms, agency, lambda folder, forms: open_bu(request, engine, folder, forms))
    url = getattr(s.bu.db, "url", None)
    s.bu.close()
    agency.close()
    ag = str(tmp_path / "agency")
    bu = ["--data-dir", str(tmp_path / "bu"), *(["--database", url] if url else [])]

    def run_bu(*args: str) -> subprocess.CompletedProcess[str]:
        return run_oscb(*bu, *args)

    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")

    out = ok(run_bu("feedback", "required-action", "add", "--agency",
                      "Example Community Health Trust", "--period", "2026/27", "--what", "Audit supervision",
                      "--due", "2027-12-31", "--standard", "s3.2"))  # fmt: skip
    assert "Required action 3 added" in out
    listed = json.loads(ok(run_bu("feedback", "required-action", "list", "--period", "2026/27",
                                    "--json")))["required_actions"]  # fmt: skip
    assert [(a["standard"], a["due"]) for a in listed] == [("s3", "2027-09-30"), ("", None), ("s3.2", "2027-12-31")]
    assert set(listed[0]) == {"id", "uid", "agency", "form", "period", "standard", "what", "due"}
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not it\n", encoding="utf-8")
    refused = run_bu("feedback", "export", "--period", "2026/27", "--out", str(tmp_path / "x"),
                       "--passphrase-file", str(wrong))  # fmt: skip
    assert refused.returncode == 2 and "No feedback was written" in refused.stderr
    out_dir = tmp_path / "out"
    out = ok(run_bu("feedback", "export", "--period", "2026/27", "--out", str(out_dir),
                      "--passphrase-file", str(secret)))  # fmt: skip
    assert "Wrote 1 signed feedback file" in out and "3 required actions" in out
    [file] = sorted(out_dir.glob("*.oscbfeedback"))

    tampered = tmp_path / "tampered.oscbfeedback"
    data = file.read_bytes()
    tampered.write_bytes(rebuild(data, replace={"feedback.json": members_of(data)["feedback.json"] + b" "}))
    bad = run_oscb("--data-dir", ag, "feedback", "import", str(tampered), "--json")
    assert bad.returncode == 2
    assert json.loads(bad.stdout) == {"file": "tampered.oscbfeedback", "outcome": "rejected",
                                      "code": "hash_mismatch", "reason": json.loads(bad.stdout)["reason"]}  # fmt: skip
    assert json.loads(ok(run_oscb("--data-dir", ag, "feedback", "list", "--json"))) == {"feedback": []}

    result = json.loads(ok(run_oscb("--data-dir", ag, "feedback", "import", str(file), "--json")))
    assert (result["outcome"], result["code"], result["period"]) == ("imported", "ok", "2026/27")
    [entry] = result["returns"]
    assert entry["submission"] == {"id": s.submission_id, "version": 1}
    assert entry["review_status"] == "has_issues"
    assert [a["what"] for a in entry["required_actions"]] == [
        "Publish the on-call rota to all staff", "Send the training plan", "Audit supervision",
    ]  # fmt: skip
    listed_fb = json.loads(ok(run_oscb("--data-dir", ag, "feedback", "list", "--json")))["feedback"]
    assert listed_fb == [entry]
    assert set(entry) == {
        "partnership", "agency", "period", "submission", "form", "review_status", "review_notes", "standards",
        "statements", "notes", "required_actions", "issued_at", "issued_by", "signer_fingerprint", "file",
        "imported_at",
    }  # fmt: skip
    again = json.loads(ok(run_oscb("--data-dir", ag, "feedback", "import", str(file), "--json")))
    assert again["outcome"] == "unchanged"
    text = ok(run_oscb("--data-dir", ag, "feedback", "list"))
    assert "Has issues" in text and "3 required action(s)" in text
