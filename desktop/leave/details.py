"""The chosen request in full, and for a pending one, the shifts approving would hit.

A supervisor sees the clash before pressing Approve, not only after.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from core.leave import LeaveRow
from core.models import LeaveStatus
from core.results import Conflict
from desktop.leave.model import STATUS_COLORS, dates_text, days_text, decided_text
from desktop.theme import restyle


class LeaveDetails(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.setAccessibleName("Chosen request")
        self.heading = QLabel(self)
        self.heading.setObjectName("PanelTitle")
        self.heading.setWordWrap(True)
        self.facts = QLabel(self)
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.clash_title = QLabel(self)
        self.clash_title.setObjectName("SectionTitle")
        self.clashes = QLabel(self)
        self.clashes.setWordWrap(True)
        self.clashes.setAccessibleName("Shifts approving would clash with")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        for widget in (self.heading, self.facts, self.clash_title, self.clashes):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_row(None)

    def show_row(
        self, row: LeaveRow | None, clashes: Sequence[Conflict] = (), zone: str = "UTC"
    ) -> None:
        if row is None:
            self.heading.setText("No request chosen")
            self.facts.setText("Choose a request to see it here and decide on it.")
            self.clash_title.hide()
            self.clashes.hide()
            return
        fg, _bg = STATUS_COLORS.get(LeaveStatus(row.status), ("#1d2733", ""))
        self.heading.setText(row.employee)
        lines = [
            f"<b>{row.leave_type.capitalize()} leave</b> · {days_text(row)}",
            dates_text(row),
            f"<span style='color:{fg}'><b>{row.status.capitalize()}</b></span>",
        ]
        if row.reason:
            lines.append(f"“{row.reason}”")
        decided = decided_text(row, zone)
        if decided:
            lines.append(f"<span style='color:#5b6876'>Decided by {decided}</span>")
        self.facts.setText("<br>".join(lines))
        pending = row.status == LeaveStatus.PENDING
        self.clash_title.setVisible(pending)
        self.clashes.setVisible(pending)
        if not pending:
            return
        if clashes:
            count = len(clashes)
            self.clash_title.setText(f"Approving clashes with {count} shift{'s' * (count != 1)}")
            name = f"{row.employee} "
            self.clashes.setText("\n".join(f"✖ {c.reason.removeprefix(name)}" for c in clashes))
            role = "error"
        else:
            self.clash_title.setText("No shifts clash")
            self.clashes.setText("Approving changes no shift.")
            role = "hint"
        restyle(self.clashes, "role", role)
