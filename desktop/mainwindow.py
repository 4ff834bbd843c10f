"""The main window: a sidebar of views, menus, shortcuts and a status bar.

It owns no data: the context holds the store and the undo stack, the views fetch
what they show through core queries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)

from core.errors import StoreError
from core.store import Store, open_store
from core.timeutil import utcnow
from desktop.context import AppContext
from desktop.employee_import import EmployeeImport
from desktop.payroll.policy import PolicyDialog, edit_policy
from desktop.schedule.export_dialog import RosterExportDialog, exported_message
from desktop.setup import SetupDialog, ensure_suffix
from desktop.sync.connect import ConnectDialog
from desktop.sync.status import conflicts_badge, status_text, status_tip
from desktop.theme import icon
from desktop.undo_keys import install as pass_undo_through_fields
from desktop.views import VIEWS, ViewSpec
from desktop.watch import OutsideWatch
from sync.history import sync_status

FILE_FILTER = "ShiftDesk databases (*.shiftdesk);;All files (*)"


class Pages(Mapping[str, QWidget]):
    """The views' pages by key, each built (and its saved state restored) when it is
    first shown or asked for: a start builds and loads only the page it shows."""

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        self._build = build
        self._keys: list[str] = []
        self._built: dict[str, QWidget] = {}

    def add(self, key: str) -> None:
        self._keys.append(key)

    def __getitem__(self, key: str) -> QWidget:
        if key not in self._keys:
            raise KeyError(key)
        if key not in self._built:
            self._built[key] = self._build(key)
        return self._built[key]

    def __contains__(self, key: object) -> bool:
        return key in self._keys  # without building it

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def built(self) -> list[QWidget]:
        """The pages built so far, without building the others."""
        return [self._built[key] for key in self._keys if key in self._built]

    def built_keys(self) -> list[str]:
        return [key for key in self._keys if key in self._built]


class MainWindow(QMainWindow):
    def __init__(
        self,
        context: AppContext,
        settings: QSettings,
        views: tuple[ViewSpec, ...] = VIEWS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.settings = settings
        self.setWindowIcon(icon("app"))
        self.setMinimumSize(QSize(720, 480))
        self.sidebar = QListWidget(self)
        self.sidebar.setObjectName("Sidebar")
        self.sidebar.setAccessibleName("Views")
        self.sidebar.setFixedWidth(176)
        self.sidebar.setIconSize(QSize(20, 20))
        self.stack = QStackedWidget(self)
        self._specs: dict[str, ViewSpec] = {}
        self.pages = Pages(self._build_page)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_menus()
        for spec in views:
            self.add_view(spec)
        self.sidebar.currentRowChanged.connect(self._show_row)
        self.sidebar.currentRowChanged.connect(lambda _row: self._update_title())
        context.store_changed.connect(self._store_changed)
        # Bound methods, not lambdas: Qt drops them with the window, so a context
        # that outlives it (its undo stack emitting as it goes) calls nothing dead.
        context.data_changed.connect(self._update_status)
        context.undo_stack.cleanChanged.connect(self._update_status)
        context.undo_refused.connect(self._undo_refused)
        context.flipped.connect(self._status_message)
        # Whatever view is shown, the status bar says what a background write does.
        #: What a background write is doing ("" when none): the one status message
        #: that outlives a change of view.
        self._busy_text = ""
        context.busy_changed.connect(self._busy_changed)
        #: Reloads every view when another process wrote to the store.
        self.outside = OutsideWatch(context, self)
        context.sync.running_changed.connect(self._update_status)
        # "synced 3 min ago" must not go stale while nothing else happens.
        self.status_clock = QTimer(self)
        self.status_clock.setInterval(30_000)
        self.status_clock.timeout.connect(self._update_status)
        self.status_clock.start()
        self._restore()
        self._update_status()

    # --- views ---------------------------------------------------------------------------

    def add_view(self, spec: ViewSpec) -> None:
        """Register a view: a sidebar entry, a place for its page (built when first
        shown), and Ctrl+<n> to reach it."""
        self._specs[spec.key] = spec
        self.pages.add(spec.key)
        self.stack.addWidget(QWidget(self.stack))  # stands in until the page is built
        item = QListWidgetItem(icon(spec.icon, "#c9d3dd"), spec.title)
        item.setData(Qt.ItemDataRole.UserRole, spec.key)
        item.setData(Qt.ItemDataRole.AccessibleTextRole, spec.title)
        self.sidebar.addItem(item)
        number = self.sidebar.count()
        action = QAction(icon(spec.icon), spec.title, self)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda: self.show_view(spec.key))
        self.view_menu.addAction(action)

    def _build_page(self, key: str) -> QWidget:
        """Build a view's page in its place in the stack, with its saved state."""
        page = self._specs[key].build(self.context)
        page.setObjectName(f"{key}-view")
        index = list(self.pages).index(key)
        standing = self.stack.widget(index)
        current = self.stack.currentIndex()
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(standing)
        standing.deleteLater()
        self.stack.setCurrentIndex(current)
        message = getattr(page, "status_message", None)
        if message is not None:
            message.connect(self._status_message)
        self._restore_page(key, page)
        return page

    @contextmanager
    def store_settings(self, store: Store | None = None) -> Iterator[QSettings]:
        """The settings of one store (the open one unless given): its filters and
        current template are its own, since another store has other departments,
        people and templates. The window's size and last view stay shared."""
        path = str((store or self.context.store).path.resolve())
        digest = hashlib.sha256(path.encode()).hexdigest()[:16]
        self.settings.beginGroup(f"stores/{digest}")
        try:
            self.settings.setValue("path", path)  # for a person reading the file
            yield self.settings
        finally:
            self.settings.endGroup()

    def _restore_page(self, key: str, page: QWidget) -> None:
        """A page's state as this store left it; a page keeps it under its key. With
        nothing kept, the page as built is the page as restored (restoring would
        only load it a second time). State kept before it was per store (at the
        top level) is taken the first time."""
        restore = getattr(page, "restore_state", None)
        if restore is None:
            return
        with self.store_settings() as scoped:
            if key in scoped.childGroups():
                restore(scoped)
                return
        if key in self.settings.childGroups():
            restore(self.settings)

    def _save_pages(self) -> None:
        with self.store_settings() as scoped:
            for page in self.pages.built():  # a page never shown has nothing new to keep
                save = getattr(page, "save_state", None)
                if save is not None:
                    save(scoped)

    def _show_row(self, row: int) -> None:
        keys = list(self.pages)
        if 0 <= row < len(keys):
            self.pages[keys[row]]  # built on first show
        self.stack.setCurrentIndex(row)
        # A view's messages ("Undone: …", "Exported …") speak of that view: they go
        # with it; work still running keeps saying so.
        self._status_message(self._busy_text)

    def show_view(self, key: str) -> None:
        keys = list(self.pages)
        if key in keys:
            self.sidebar.setCurrentRow(keys.index(key))

    def open_conflicts(self) -> None:
        """The Sync page, on its open conflicts (what the status bar's badge does)."""
        self.show_view("sync")
        page = self.pages.get("sync")
        show = getattr(page, "show_conflicts", None)
        if show is not None:
            show()

    @property
    def current_view(self) -> str:
        item = self.sidebar.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    # --- menus and status --------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        new_db = file_menu.addAction(icon("database"), "&New database…")
        new_db.setShortcut(QKeySequence("Ctrl+Shift+N"))
        new_db.triggered.connect(self._ask_new_database)
        from_server = file_menu.addAction(icon("sync"), "New database from a &server…")
        from_server.triggered.connect(self._ask_new_database_from_server)
        open_db = file_menu.addAction(icon("database"), "&Open database…")
        open_db.setShortcut(QKeySequence.StandardKey.Open)
        open_db.triggered.connect(self._ask_open_database)
        file_menu.addSeparator()
        connect = file_menu.addAction(icon("sync"), "&Connect to server…")
        connect.triggered.connect(self.connect_to_server)
        file_menu.addSeparator()
        self.employee_import = EmployeeImport(self.context, self)
        file_menu.addAction(self.employee_import.action)
        self.export_roster_action = file_menu.addAction("&Export roster…")
        self.export_roster_action.setStatusTip(
            "The Schedule's range and filters as a printable rota (PDF) or a calendar (.ics)"
        )
        self.export_roster_action.triggered.connect(self.export_roster)
        file_menu.addSeparator()
        quit_action = file_menu.addAction("&Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        edit_menu = self.menuBar().addMenu("&Edit")
        undo = self.context.undo_stack.createUndoAction(self, "&Undo")
        undo.setIcon(icon("undo"))
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.context.undo_stack.createRedoAction(self, "&Redo")
        redo.setIcon(icon("redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit_menu.addAction(undo)
        edit_menu.addAction(redo)
        self.addActions([undo, redo])
        edit_menu.addSeparator()
        self.policy_action = edit_menu.addAction("Pay &policy…")
        self.policy_action.setStatusTip("Overtime, lateness, breaks and the pay week")
        self.policy_action.triggered.connect(self.edit_policy)
        # Ctrl+Z in a search field with nothing of its own to undo is the app's undo.
        app = QApplication.instance()
        if isinstance(app, QApplication):
            self.undo_keys = pass_undo_through_fields(app, self)
        self.view_menu = self.menuBar().addMenu("&View")
        self.refresh_action = self.view_menu.addAction("&Refresh")
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.setToolTip("Read everything again from the database")
        self.refresh_action.triggered.connect(self.context.refresh_all)
        self.view_menu.addSeparator()

    def _build_status_bar(self) -> None:
        self.db_label = QLabel(self)
        self.db_label.setAccessibleName("Database file")
        self.pending_label = QLabel(self)
        self.pending_label.setAccessibleName("Sync status")
        for label in (self.pending_label, self.db_label):
            label.setContentsMargins(8, 0, 8, 0)
        self.conflict_badge = QPushButton(self)
        self.conflict_badge.setObjectName("ConflictBadge")
        self.conflict_badge.setAccessibleName("Open conflicts")
        self.conflict_badge.setToolTip("Conflicts wait for your choice: open the Sync page")
        self.conflict_badge.setCursor(Qt.CursorShape.PointingHandCursor)
        self.conflict_badge.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.conflict_badge.clicked.connect(self.open_conflicts)
        self.conflict_badge.hide()
        self.statusBar().addPermanentWidget(self.conflict_badge)
        self.statusBar().addPermanentWidget(self.pending_label)
        self.statusBar().addPermanentWidget(self.db_label)

    def _busy_changed(self, text: str) -> None:
        self._busy_text = text
        self._status_message(text)

    def _status_message(self, text: str) -> None:
        if text:
            self.statusBar().showMessage(text)
        else:
            self.statusBar().clearMessage()

    def _update_status(self, *_changed: object) -> None:
        path = self.context.store.path
        self.db_label.setText(f"Database: {path.name}")
        self.db_label.setToolTip(str(path))
        with self.context.store.session() as session:
            status = sync_status(session)
        self.pending_label.setText(status_text(status, utcnow(), running=self.context.sync.running))
        self.pending_label.setToolTip(status_tip(status))
        badge = conflicts_badge(status)
        self.conflict_badge.setText(badge)
        self.conflict_badge.setVisible(bool(badge))
        self._update_title()

    def _update_title(self) -> None:
        item = self.sidebar.currentItem()
        view = f"{item.text()} — " if item else ""
        self.setWindowTitle(f"{view}{self.context.store.path.name} — ShiftDesk")

    # --- databases ------------------------------------------------------------------------------

    def _ask_new_database(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New database", "", FILE_FILTER)
        if path:
            self.new_database(path)

    def _ask_new_database_from_server(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "New database from a server", "", FILE_FILTER)
        if path:
            self.new_database_from_server(path)

    def new_database_from_server(self, path: str | Path) -> ConnectDialog | None:
        """Ask for the server and key; the new file is made from the company's data
        and opened when the download ends."""
        path = ensure_suffix(path)
        if path.exists():
            self.show_error("Cannot create the database", f"{path} exists already.")
            return None
        dialog = ConnectDialog(self.context, new_path=path, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self.use_store)
        dialog.open()
        return dialog

    def connect_to_server(self) -> ConnectDialog:
        """Connect the open database to its company on a server."""
        dialog = ConnectDialog(self.context, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def new_database(self, path: str | Path) -> SetupDialog | None:
        """Ask whose the new store is; it is created, set up and opened only on OK."""
        path = ensure_suffix(path)
        if path.exists():
            self.show_error("Cannot create the database", f"{path} exists already.")
            return None
        dialog = SetupDialog(path, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.created.connect(self.use_store)
        dialog.open()
        return dialog

    def export_roster(self) -> RosterExportDialog:
        """The export dialog, on the Schedule's range and filters (shown behind it, as
        the dialog names them, and where the result is reported)."""
        self.show_view("schedule")
        page = self.pages["schedule"]
        first, last = page.range
        dialog = RosterExportDialog(
            self.context,
            first,
            last,
            page.filter,
            page.where,
            Path.home(),
            self,
            naming=page.filter_names,
        )
        dialog.exported.connect(self._roster_exported)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def edit_policy(self) -> PolicyDialog | None:
        """The pay policy dialog, over whichever view is shown."""
        return edit_policy(self.context, self, self._status_message)

    def _roster_exported(self, path: str, count: int) -> None:
        self.pages["schedule"].notice.show_file(exported_message(path, count), Path(path))

    def _ask_open_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open database", "", FILE_FILTER)
        if path:
            self.open_database(path)

    def open_database(self, path: str | Path) -> bool:
        """Switch to another store; one that cannot be opened leaves the current one open."""
        try:
            store = open_store(path)
        except StoreError as error:
            self.show_error("Cannot open the database", str(error))
            return False
        self.use_store(store)
        return True

    def use_store(self, store: Store) -> None:
        """Switch every view to an open store, and open it again next time; the
        views keep the filters of the store they leave and take up those the new
        one had."""
        self._save_pages()
        self.context.set_store(store)
        self.settings.setValue("database", str(store.path))
        for key in self.pages.built_keys():
            self._restore_page(key, self.pages[key])

    def show_error(self, title: str, text: str) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("ErrorBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _undo_refused(self, text: str) -> None:
        self.show_error("Cannot undo", text)

    def _store_changed(self) -> None:
        self._update_status()

    # --- settings -------------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1440, 900)
        last = str(self.settings.value("window/view", ""))
        self.show_view(last if last in self.pages else next(iter(self.pages), ""))
        self._show_row(self.sidebar.currentRow())  # built even if the row was current

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/view", self.current_view)
        self._save_pages()
        self.settings.sync()

    def changeEvent(self, event: QEvent) -> None:
        # Back from another window (a terminal, say): look for writes from outside now.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.outside.check()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_settings()
        self.context.sync.shutdown()  # a run writing the store ends before the window
        super().closeEvent(event)
