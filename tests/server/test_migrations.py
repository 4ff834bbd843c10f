"""The server's schema under its own migrations (server/migrations): a database made
by the server before them (``create_all``, no version table) is stamped as the
baseline and upgraded in place, its data kept; a new one is made at the head."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text

from server import auth
from server.app import create_app
from server.db import BASELINE, VERSION_TABLE, Database
from tests.server.conftest import DATABASES, LiveServer, database_url, fast_settings

DATA = Path(__file__).parent / "data"


@pytest.fixture(params=DATABASES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from database_url(request, tmp_path / "old.sqlite3")


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", "server:migrations")
    return ScriptDirectory.from_config(config).get_current_head() or ""


def _version(db: Database) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar_one()


def _made_by_the_previous_server(db: Database) -> None:
    """The schema the server's create_all made before the migrations (dumped from
    that code), with a company, a subscription and a rate count in it."""
    dialect = "sqlite" if db.is_sqlite else "postgresql"
    script = (DATA / f"server_schema_before_migrations.{dialect}.sql").read_text()
    with db.engine.begin() as conn:
        for statement in script.split(";\n"):
            body = "\n".join(
                line for line in statement.splitlines() if not line.startswith("--")
            ).strip()
            if body:
                conn.exec_driver_sql(body)
        conn.exec_driver_sql(
            "INSERT INTO company (id, name, currency) VALUES ('c-1', 'Oldco', 'EUR')"
        )
        conn.exec_driver_sql(
            "INSERT INTO webhook_subscription (id, company_id, url, events, secret,"
            " description, is_active, created_at, updated_at) VALUES ('w-1', 'c-1',"
            " 'https://hr.example/in', 'shift.*', 'a-secret-of-sixteen+', '', true,"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO rate_window (bucket, window_start, hits) VALUES ('ip:1', 60, 3)"
        )


@pytest.mark.parametrize("added_key_id", [False, True])
def test_a_database_of_the_previous_server_is_stamped_and_upgraded(
    empty_url: str, added_key_id: bool
) -> None:
    """``added_key_id``: as a later server left it, whose start added the column."""
    db = Database(empty_url)
    try:
        _made_by_the_previous_server(db)
        if added_key_id:
            with db.engine.begin() as conn:
                conn.exec_driver_sql(
                    "ALTER TABLE webhook_subscription ADD COLUMN key_id VARCHAR(36)"
                )
        assert VERSION_TABLE not in inspect(db.engine).get_table_names()
        db.ensure_schema()
        schema = inspect(db.engine)
        tables = set(schema.get_table_names())
        assert _version(db) == _head() != BASELINE
        assert "rate_bucket" in tables
        assert "rate_window" not in tables
        assert "key_id" in {c["name"] for c in schema.get_columns("webhook_subscription")}
        with db.transaction() as session:
            from server.tables import WebhookSubscription

            kept = session.scalar(select(WebhookSubscription))
            assert kept is not None
            assert (kept.url, kept.key_id) == ("https://hr.example/in", None)
            _, secret = auth.create_key(session, "c-1", ["schedule:read"])
        db.ensure_schema()  # a second start finds it at the head and changes nothing
        assert _version(db) == _head()
    finally:
        db.close()
    live = LiveServer(create_app(fast_settings(empty_url)))
    try:
        import httpx

        with httpx.Client(base_url=live.url, headers={"X-API-Key": secret}) as client:
            answer = client.get("/v1/sites")
            assert answer.status_code == 200, answer.text
            assert int(answer.headers["x-ratelimit-remaining"]) > 0
    finally:
        live.stop()


def test_a_new_database_is_made_at_the_head(empty_url: str) -> None:
    db = Database(empty_url)
    try:
        db.ensure_schema()
        assert _version(db) == _head()
        assert {"rate_bucket", "webhook_subscription", "company"} <= set(
            inspect(db.engine).get_table_names()
        )
        # Lists filter by company: the server keeps the indexes a local store dropped.
        shift_indexes = {i["name"] for i in inspect(db.engine).get_indexes("shift")}
        assert {"ix_shift_company_id", "ix_shift_site_range", "ix_shift_start_utc"} <= shift_indexes
    finally:
        db.close()


def test_a_pay_policy_of_the_previous_server_takes_its_companys_id_unpublished(
    empty_url: str,
) -> None:
    db = Database(empty_url)
    try:
        _made_by_the_previous_server(db)
        with db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO pay_policy (id, company_id, grace_minutes, daily_overtime_hours,"
                " weekly_overtime_hours, overtime_multiplier, late_penalty_per_minute,"
                " match_before_minutes, match_after_minutes, overnight_day, week_start,"
                " min_rest_hours, max_consecutive_days) VALUES ('p-1', 'c-1', 7, 8, 40, 1.5,"
                " 0, 120, 240, 'start', 0, 11, 6)"
            )
        before = datetime.now(UTC).replace(microsecond=0)
        db.ensure_schema()
        after = datetime.now(UTC)
        with db.transaction() as session:
            from core.models import PayPolicy

            [policy] = session.scalars(select(PayPolicy)).all()
            assert (policy.id, policy.grace_minutes) == ("c-1", 7)
            assert (policy.server_version, policy.dirty, policy.deleted) == (None, False, False)
            # stamped in UTC whatever the database session's time zone
            assert before <= policy.created_at <= after
            assert policy.updated_at == policy.created_at
    finally:
        db.close()
