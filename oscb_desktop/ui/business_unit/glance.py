"""The cycle at a glance: charts of the figures the board report prints, from the same collation.

Returns in by date against the deadline, the ratings of every standard, and the top three pressures and
things that would make it easier. Every chart has its figures written beside it in words (a chart is a
picture to a screen reader, and colour never carries a figure alone).
"""

from __future__ import annotations

from datetime import date, datetime, time

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QHorizontalPercentBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt, Slot
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from oscb_desktop import dates
from oscb_desktop.collate import Collation
from oscb_desktop.collate.practitioners import Practitioners
from oscb_desktop.collate.records import made_on
from oscb_desktop.collate.result import RankedQuestion
from oscb_desktop.forms.model import NOT_APPLICABLE
from oscb_desktop.report.board.practitioners import intro
from oscb_desktop.ui.business_unit.common import CollationError, Collations
from oscb_desktop.ui.common import html

#: A line per form: Section 11 in the house blue, the impact assessment in grey-blue, others grey.
FORM_COLOURS = ("#1e3a5f", "#5b7fa6", "#9aa5b1")


class GlancePage(QWidget):
    """Four charts over one collation; rebuilt when the period or the workspace's data changes."""

    def __init__(self, collations: Collations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.collations = collations
        self.period = ""
        self.returns_chart = _chart_view("Returns signed off, by date, against the deadline")
        self.ratings_chart = _chart_view("Ratings of each standard (share of the statements rated)")
        self.ratings_chart.setMinimumHeight(420)  # room for every standard's code beside its bar
        self.pressures_chart = _chart_view("Top three pressures (points)")
        self.enablers_chart = _chart_view("Top three things that would make it easier (points)")
        self.returns_text = _words("Returns in words")
        self.ratings_text = _words("Ratings in words")
        self.pressures_text = _words("Pressures in words")
        self.enablers_text = _words("What would make it easier, in words")
        self.problem = QLabel()
        self.problem.setObjectName("warningBanner")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        grid = QGridLayout()
        for n, (view, words) in enumerate(
            (
                (self.returns_chart, self.returns_text),
                (self.ratings_chart, self.ratings_text),
                (self.pressures_chart, self.pressures_text),
                (self.enablers_chart, self.enablers_text),
            )
        ):
            cell = QVBoxLayout()
            cell.addWidget(view, 1)
            cell.addWidget(words)
            grid.addLayout(cell, n // 2, n % 2)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        explain = QLabel(
            "The same figures as the board report, from the returns received so far (the newest version of "
            "each). The words under each chart give every figure it shows."
        )
        explain.setWordWrap(True)
        explain.setObjectName("muted")
        inner_layout.addWidget(explain)
        inner_layout.addWidget(self.problem)
        inner_layout.addLayout(grid, 1)
        #: What practitioners said (the survey counts the Section 11 returns carried), in words.
        self.practitioners_text = _words("What practitioners said, in words")
        inner_layout.addWidget(self.practitioners_text)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def set_period(self, period: str) -> None:
        self.period = period
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        try:
            c = self.collations(self.period) if self.period else None
        except CollationError as exc:
            self.problem.setText(str(exc))
            self.problem.setVisible(True)
            return
        self.problem.setVisible(c is None)
        self.problem.setText("No reporting period yet." if c is None else "")
        if c is None:
            return
        self._returns(c)
        self._ratings(c)
        self._ranked(self.pressures_chart, self.pressures_text, c.impact.pressures, "pressures")
        self._ranked(self.enablers_chart, self.enablers_text, c.impact.enablers, "things that would make it easier")
        self.practitioners_text.setText(practitioners_words(c.practitioners))

    # The charts -----------------------------------------------------------------------------------

    def _returns(self, c: Collation) -> None:
        chart = _fresh(self.returns_chart)
        axis_x = QDateTimeAxis()
        axis_x.setFormat("d MMM yyyy")
        axis_y = QValueAxis()
        axis_y.setLabelFormat("%d")
        axis_y.setRange(0, max(1, c.headline.registered))
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        days: list[date] = []
        deadlines: set[date] = set()
        lines = []
        for n, f in enumerate(c.headline.forms):
            made = sorted(
                d for d in (made_on(r.signed_at, r.received_at) for r in c.returns if r.form_id == f.form_id) if d
            )
            series = QLineSeries()
            series.setName(f"{f.title} ({len(f.returned)} of {c.headline.registered})")
            series.setPen(QPen(QColor(FORM_COLOURS[min(n, len(FORM_COLOURS) - 1)]), 2.5))
            for count, day in enumerate(made, start=1):
                series.append(_ms(day), count - 1)
                series.append(_ms(day), count)
            chart.addSeries(series)
            series.attachAxis(axis_x)
            series.attachAxis(axis_y)
            days += made
            deadline = f" by the deadline {dates.day_long(f.deadline)}" if f.deadline else ""
            lines.append(
                f"{f.title}: {len(f.returned)} of {c.headline.registered} returned; {len(f.on_time)} on time"
                f"{deadline}, {len(f.late)} late, {len(f.not_received)} not received."
            )
            if f.deadline and f.deadline not in deadlines:  # forms sharing a deadline share its line
                deadlines.add(f.deadline)
                days.append(f.deadline)
                marker = QLineSeries()
                marker.setName(f"Deadline, {dates.day_short(f.deadline)}")
                marker.setPen(QPen(QColor("#a01c3b"), 1.5, Qt.PenStyle.DashLine))
                marker.append(_ms(f.deadline), 0)
                marker.append(_ms(f.deadline), max(1, c.headline.registered))
                chart.addSeries(marker)
                marker.attachAxis(axis_x)
                marker.attachAxis(axis_y)
        if days:
            first, last = min(days), max([*days, c.as_of])
            axis_x.setRange(_datetime(first), _datetime(last))
        self.returns_text.setText("<br>".join(html(line) for line in lines) or "No forms for this period.")

    def _ratings(self, c: Collation) -> None:
        chart = _fresh(self.ratings_chart)
        scale = c.scale
        if scale is None or not c.standards:
            self.ratings_text.setText("No Section 11 returns for this period.")
            return
        series = QHorizontalPercentBarSeries()
        for level in scale.choices:
            bar = QBarSet(level.label if level.id != NOT_APPLICABLE else "Not applicable")
            bar.setColor(QColor(level.colour))
            bar.setBorderColor(QColor("white"))
            bar.setLabelColor(_ink_on(QColor(level.colour)))
            for st in reversed(c.standards):  # the first standard at the top
                bar.append(st.counts.get(level.id, 0))
            series.append(bar)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([st.code for st in reversed(c.standards)])
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        axis_x = QValueAxis()
        axis_x.setRange(0, 100)
        axis_x.setLabelFormat("%d%%")
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        lines = []
        for st in c.standards:
            counts = ", ".join(
                f"{level.label} {st.counts[level.id]}" for level in scale.choices if st.counts.get(level.id)
            )
            lines.append(f"<b>{html(st.code)}</b> {html(st.title)}: {html(counts) or 'not rated'}")
        self.ratings_text.setText("<br>".join(lines))

    def _ranked(self, view: QChartView, words: QLabel, question: RankedQuestion | None, what: str) -> None:
        chart = _fresh(view)
        if question is None or not question.themes:
            words.setText(f"No {what} ranked for this period.")
            return
        top = question.top()
        bars = QBarSet("Points")
        bars.setColor(QColor("#1e3a5f"))
        for theme in reversed(top):
            bars.append(theme.points)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        axis_y = QBarCategoryAxis()
        axis_y.append([theme.label for theme in reversed(top)])
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(axis_y)
        axis_x = QValueAxis()
        axis_x.setLabelFormat("%d")
        axis_x.setRange(0, max(t.points for t in top) * 1.15)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(axis_x)
        chart.legend().setVisible(False)
        words.setText(
            "<br>".join(
                f"{n}. {html(t.label)}: {t.points} points, named by {t.agencies} "
                f"{'agency' if t.agencies == 1 else 'agencies'}"
                for n, t in enumerate(top, start=1)
            )
        )


def _chart_view(title: str) -> QChartView:
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(280)
    view.setAccessibleName(title)
    return view


def _fresh(view: QChartView) -> QChart:
    """The view's chart emptied of its series and axes, keeping its title."""
    chart = view.chart()
    chart.removeAllSeries()
    for axis in chart.axes():
        chart.removeAxis(axis)
    chart.legend().setVisible(True)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _words(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name)
    return label


def _ink_on(fill: QColor) -> QColor:
    """Black or white text, whichever reads better on ``fill`` (relative luminance, as the documents do)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(fill.redF()) + 0.7152 * channel(fill.greenF()) + 0.0722 * channel(fill.blueF())
    return QColor("white") if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else QColor("black")


def _datetime(day: date) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(datetime.combine(day, time(12)).timestamp()))


def _ms(day: date) -> float:
    return float(_datetime(day).toMSecsSinceEpoch())


def practitioners_words(p: Practitioners | None) -> str:
    """The survey in words (rich text): who answered, the favourable share per question, the divergences."""
    if p is None:
        return "<h3>What practitioners said</h3><p>No return for this period carried a practitioner survey.</p>"
    esc = html
    shares = "".join(
        f"<li>{esc(q.code)} {esc(q.text)}: {esc(q.favourable.words)} {esc(q.favourable_label)}</li>"
        for q in p.questions
        if q.favourable is not None
    )
    diverging = "".join(
        f"<li>{esc(d.agency)}: {esc(d.statement_code)} {esc(d.standard)} rated {esc(d.level)}, but {esc(d.share)} "
        f"of {esc(d.answered)} answered {esc(d.favourable_label)} to {esc(d.question_code)}</li>"
        for d in p.divergences
    )
    return (
        f"<h3>What practitioners said</h3><p>{esc(intro(p))}</p><ul>{shares}</ul>"
        f"<p><b>Where ratings and practitioners diverge</b> ({esc(p.rule)})</p>"
        + (f"<ul>{diverging}</ul>" if diverging else "<p>Nowhere, by this rule.</p>")
    )
