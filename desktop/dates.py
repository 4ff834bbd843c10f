"""Dates between Python and Qt's date widgets, and a date field that takes typed dates."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QDateTime, QLocale, QObject, QTime
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDateEdit, QWidget


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def parse_typed(text: str, locale: QLocale | None = None) -> date | None:
    """A date typed as ISO (``2026-06-01``) or in the locale's short form
    (``6/1/26`` in the US, ``01/06/2026`` in the UK); None when it is neither."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    locale = locale or QLocale()
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    formats = (
        short,
        short.replace("yyyy", "yy") if "yyyy" in short else short.replace("yy", "yyyy"),
    )
    for form in formats:
        found = locale.toDate(text, form, 2000)
        if found.isValid():
            return to_date(found)
    return None


#: How a date field shows its date everywhere in the app ("01 Dec 2026"); forms
#: that have the room add the weekday (:data:`DAY_FORMAT`).
DATE_FORMAT = "dd MMM yyyy"
DAY_FORMAT = "ddd dd MMM yyyy"


class DateEdit(QDateEdit):
    """A date field in the app's format (:data:`DATE_FORMAT`), with a calendar to
    pick from, that also takes a date typed as ISO or in the locale's short form."""

    def __init__(self, *args: QDate | QWidget | None) -> None:
        super().__init__(*args)  # as QDateEdit: (parent) or (date, parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat(DATE_FORMAT)

    def validate(self, text: str, pos: int) -> object:
        if parse_typed(text, self.locale()) is not None:
            return QValidator.State.Acceptable, text, pos
        state = super().validate(text, pos)
        if state[0] == QValidator.State.Invalid and all(c.isdigit() or c in "-/. " for c in text):
            return QValidator.State.Intermediate, text, pos
        return state

    def dateTimeFromText(self, text: str) -> QDateTime:
        day = parse_typed(text, self.locale())
        if day is not None:
            return QDateTime(to_qdate(day), QTime(0, 0))
        return super().dateTimeFromText(text)


class UntilFollowsFrom(QObject):
    """When a "from" date moves past its "until", "until" moves with it, keeping
    the span's length (a leave, a filter, a template's range): the pair never shows
    an empty or backwards range the user did not ask for. Moving "from" earlier, or
    within the span, leaves "until" where it was put."""

    def __init__(self, first: QDateEdit, last: QDateEdit) -> None:
        super().__init__(first)
        self._first_edit, self._last_edit = first, last
        self._first = to_date(first.date())
        first.dateChanged.connect(self._moved)

    def _moved(self, value: QDate) -> None:
        first = to_date(value)
        moved, self._first = first - self._first, first
        last = to_date(self._last_edit.date())
        if first > last:
            self._last_edit.setDate(to_qdate(max(first, last + moved)))
