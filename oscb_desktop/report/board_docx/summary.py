"""The Word board report's opening and closing chapters: the cover, the headline figures with the key messages,
and how the figures are worked out; the same figures and words as the PDF's
(:mod:`oscb_desktop.report.board.summary`)."""

from __future__ import annotations

from docx.shared import Pt
from docx.text.paragraph import Paragraph

from oscb_desktop.collate.result import RULES, Collation
from oscb_desktop.report.board.summary import key_messages
from oscb_desktop.report.board.template import REPORT_SUBTITLE, REPORT_TITLE, Abbreviations, names
from oscb_desktop.report.board_docx.document import ACCENT, BODY_MM, BoardDocument, Cell, plain
from oscb_desktop.report.board_docx.section11 import count
from oscb_desktop.report.house.text import format_date, format_time, markup


def cover(d: BoardDocument, c: Collation, abbr: Abbreviations) -> Paragraph:
    """The title, the partnership and the facts of the collation; returns the paragraph the contents go before."""
    d.doc.add_paragraph(REPORT_TITLE, style="Title")
    d.doc.add_paragraph(REPORT_SUBTITLE, style="Subtitle")
    name = d.para(f"<b>{plain(c.partnership or 'Safeguarding partnership')}</b>", size=17, colour=ACCENT)
    name.paragraph_format.space_before = Pt(24)
    d.para(f"Reporting period {markup(c.period)}", size=13)
    rows: list[list[str | Cell]] = [
        ["Reporting period", markup(c.period)],
        ["Agencies on the register", str(c.headline.registered)],
    ]
    for f in c.headline.forms:
        deadline = f" (deadline {format_date(f.deadline)})" if f.deadline else ""
        rows.append([f"{markup(f.title)} returns", f"{len(f.returned)} received{deadline}"])
    rows += [["Figures as of", format_date(c.as_of)], ["Generated", markup(format_time(c.generated_at)) or "—"]]
    if c.section11_form:
        rows.append(["Section 11 form", f"version {markup(c.section11_form[1])}"])
    if c.compared_with:
        rows.append(["Compared with", ", ".join(markup(p) for p in c.compared_with)])
    d.table(["About this report", ""], rows, [60, BODY_MM - 60], spans=[(0, 0, 1)])
    return d.doc.add_paragraph()


def headline(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    """The headline figures, the key messages, the returns received and the agencies challenged."""
    h = c.headline
    d.heading("Headline figures", 1)
    tiles: list[tuple[str, str, str]] = [("agencies on the register", str(h.registered), "")]
    for f in h.forms:
        detail = f"{len(f.on_time)} on time" + (f", {len(f.late)} late" if f.late else "")
        tiles.append((f"{markup(f.title)} returns received", str(len(f.returned)), detail))
    tiles.append(("agencies challenged", str(len(h.challenged)), "issues or moderation"))
    tiles.append(("agencies with no return", str(len(h.not_received)), "of any form"))
    width = BODY_MM / len(tiles)
    header = [Cell(caption[:1].upper() + caption[1:], centre=True) for caption, _, _ in tiles]
    values = [
        Cell(f"<b>{number}</b>" + (f"<br/>{detail}" if detail else ""), centre=True, colour=ACCENT)
        for _, number, detail in tiles
    ]
    table = d.table(header, [values], [width] * len(tiles))
    for cell in table.rows[1].cells:  # the numbers large, as on the PDF's tiles
        cell.paragraphs[0].runs[0].font.size = Pt(20)
    d.heading("Key messages", 2)
    for text in key_messages(c) or ["No returns have been received for this period yet."]:
        d.bullet(text)

    d.heading("Returns received", 2)
    returns: list[str | Cell] = ["Form"]
    returns += [Cell(t, centre=True) for t in ("Deadline", "Received", "On time", "Late", "Not received")]
    rows: list[list[str | Cell]] = [
        [
            markup(f.title),
            Cell(format_date(f.deadline) if f.deadline else "—", centre=True),
            Cell(f"{len(f.returned)} of {h.registered}", centre=True),
            count(len(f.on_time)),
            count(len(f.late)),
            count(len(f.not_received)),
        ]
        for f in h.forms
    ]
    d.table(returns, rows, [50, 30, 24, 22, 20, BODY_MM - 146])
    for f in h.forms:
        if f.not_received:
            d.small(f"<b>{markup(f.title)} not received from</b> {names(f.not_received)}.")
        if f.late:
            d.small(f"<b>{markup(f.title)} received late from</b> {names(f.late)}.")
        if f.time_unknown:
            d.small(f"<b>{markup(f.title)} received without a signing time from</b> {names(f.time_unknown)}.")
    if h.challenged:
        d.heading("Agencies challenged", 2)
        rows = [[markup(ch.agency), "; ".join(markup(r) for r in ch.reasons)] for ch in h.challenged]
        d.table(["Agency", "Why"], rows, [70, BODY_MM - 70])


def method(d: BoardDocument, c: Collation, abbr: Abbreviations) -> None:
    """How the figures are worked out, and the notes on the data."""
    d.heading("How the figures are worked out", 1)
    for title, text in RULES:
        d.heading(title, 3)
        d.para(markup(text))
    if c.notes:
        d.heading("Notes on the data", 2)
        for note in c.notes:
            d.bullet(markup(note))
