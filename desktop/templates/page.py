"""The Templates page: the list, the editor, and applying the chosen template.

Saving, deleting and applying each go through the context, so each is one undo
step and the other views hear of it through ``data_changed``.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from core.changes import Changes
from core.employees import list_employees
from core.errors import ValidationError
from core.roster import roster_choices
from core.templates import (
    TemplateDraft,
    create_template,
    delete_template,
    edit_template,
    site_zones,
)
from desktop.context import AppContext
from desktop.notice import NoticeBar
from desktop.templates.apply import ApplyPanel
from desktop.templates.editor import TemplateEditor
from desktop.templates.model import TemplateItem, TemplateListModel, load_templates
from desktop.theme import icon

_RELOAD_ON = Changes.TEMPLATES | Changes.EMPLOYEES | Changes.DEPARTMENTS


class TemplatesPage(QWidget):
    title = "Templates"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Templates")
        self.context = context
        self.zones: dict[str, str] = {}
        self.notice = NoticeBar(self)
        self.model = TemplateListModel(self)
        self.list = QListView(self)
        self.list.setObjectName("TemplateList")
        self.list.setAccessibleName("Templates")
        self.list.setModel(self.model)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.new_button = QPushButton(icon("add"), "New template", self)
        self.new_button.setShortcut("Ctrl+N")
        self.new_button.setToolTip("Start a new template (Ctrl+N)")
        self.editor = TemplateEditor(self)
        self.apply_panel = ApplyPanel(context, self)
        self._build_layout()
        self.list.selectionModel().currentChanged.connect(lambda *_: self._current_changed())
        self.new_button.clicked.connect(self.new_template)
        self.editor.save_requested.connect(self.save)
        self.editor.delete_requested.connect(self.delete_current)
        self.editor.checked.connect(self._editor_checked)
        self.apply_panel.notice.connect(self.notice.show_message)
        context.data_changed.connect(self._data_changed)
        context.store_changed.connect(self.reload)
        self._saved_state = True
        #: Unsaved edits by template id ("" for a new one), kept while another is shown.
        self.unsaved: dict[str, TemplateDraft] = {}
        self._shown: str | None = None
        self.editor.revert_button.clicked.connect(self._reverted)
        self.reload()

    def _build_layout(self) -> None:
        left = QFrame(self)
        left.setObjectName("Panel")
        title = QLabel("Templates", left)
        title.setObjectName("PanelTitle")
        column = QVBoxLayout(left)
        column.setContentsMargins(12, 12, 12, 12)
        column.addWidget(title)
        column.addWidget(self.list, 1)
        column.addWidget(self.new_button)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setChildrenCollapsible(False)
        for widget in (left, self.editor, self.apply_panel):
            self.splitter.addWidget(widget)
        self.splitter.setSizes([240, 420, 900])
        self.splitter.setStretchFactor(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(8)
        row = QHBoxLayout()
        row.addWidget(self.splitter)
        layout.addLayout(row, 1)
        self.notice.float_over(self.splitter)
        self.notice.follow_undo(self.context.flipped)

    # --- loading -------------------------------------------------------------------------

    @property
    def current(self) -> TemplateItem | None:
        row = self.list.currentIndex().row()
        return self.model.items[row] if 0 <= row < len(self.model.items) else None

    def reload(self) -> None:
        """Templates, people and departments afresh, keeping the chosen template."""
        keep = self.current.id if self.current else None
        with self.context.store.session() as session:
            items = load_templates(session)
            employees = list_employees(session)
            choices = roster_choices(session)
            self.zones = site_zones(session)
        departments = [(did, name) for did, name, _color in choices.departments]
        self.editor.set_departments(departments)
        self.apply_panel.set_people(employees, departments)
        self.model.set_items(items)
        self.select(keep if keep and self.model.row_of(keep) >= 0 else None)

    def select(self, template_id: str | None) -> None:
        """Show a template (the first when None); with none at all, a new one."""
        row = self.model.row_of(template_id) if template_id else 0
        if row < 0 or not self.model.items:
            self.list.setCurrentIndex(self.model.index(-1))
            self._current_changed()
            return
        self.list.selectionModel().setCurrentIndex(
            self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self._current_changed()

    def _current_changed(self) -> None:
        self._keep_unsaved()
        item = self.current
        site = item.site_id if item else next(iter(self.zones), "")
        key = item.id if item else ""
        self.editor.show_item(item, site, self.zones.get(site, "UTC"), self.unsaved.get(key))
        self._shown = key
        self._saved_state = item is not None and not self.editor.dirty
        self.apply_panel.set_template(item, saved=self._saved_state)

    def _keep_unsaved(self) -> None:
        """Leaving a template with edits keeps them, to come back to; nothing is lost."""
        if self._shown is None:
            return
        shown = self._shown
        still_there = shown == "" or self.model.row_of(shown) >= 0
        edited = self.editor.dirty and (shown != "" or self.editor.name.text().strip())
        if still_there and edited:
            self.unsaved[shown] = self.editor.draft()
            name = self.editor.draft().name or "the new template"
            self.notice.show_message(
                "info", f"Unsaved changes to “{name}” are kept; go back to it to save them."
            )
        else:
            self.unsaved.pop(shown, None)
        self._shown = None

    def _reverted(self) -> None:
        self.unsaved.pop(self._shown or "", None)

    def _editor_checked(self) -> None:
        saved = self.current is not None and not self.editor.dirty
        if saved != self._saved_state:
            self._saved_state = saved
            self.apply_panel.set_template(self.current, saved=saved)

    def _data_changed(self, changed: Changes) -> None:
        if changed & _RELOAD_ON:
            self.reload()
        elif changed & (Changes.SHIFTS | Changes.LEAVE):
            self.apply_panel.forget_preview()

    # --- actions ---------------------------------------------------------------------------

    def new_template(self) -> None:
        if not self.zones:
            self.notice.show_message(
                "info", "This database is not set up yet: File → New database… creates one that is."
            )
            return
        self.list.selectionModel().clearCurrentIndex()
        self.list.clearSelection()
        self._current_changed()

    def save(self, draft: TemplateDraft) -> None:
        item = self.current
        try:
            if item is None:
                result = self.context.run(
                    f"New template “{draft.name}”", partial(create_template, draft=draft)
                )
            else:
                changes = {k: v for k, v in vars(draft).items() if k != "site_id"}
                result = self.context.run(
                    f"Edit template “{draft.name}”",
                    partial(edit_template, template_id=item.id, **changes),
                )
        except ValidationError as error:
            self.editor.show_error(error)
            return
        self.unsaved.pop(item.id if item else "", None)
        self._shown = None  # saved: nothing to keep
        self.select(result.ids[0])
        self.notice.show_message("info", f"Saved “{draft.name}”.")

    def delete_current(self) -> None:
        item = self.current
        if item is None:
            return
        self.context.run(
            f"Delete template “{item.name}”", partial(delete_template, template_id=item.id)
        )
        self.notice.show_message(
            "info",
            f"Deleted “{item.name}”; shifts made from it stay. Ctrl+Z brings it back.",
        )

    # --- settings ------------------------------------------------------------------------------

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("templates/current", self.current.id if self.current else "")
        settings.setValue("templates/splitter", self.splitter.saveState())

    def restore_state(self, settings: QSettings) -> None:
        state = settings.value("templates/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        wanted = str(settings.value("templates/current", "") or "")
        if wanted and self.model.row_of(wanted) >= 0:
            self.select(wanted)
