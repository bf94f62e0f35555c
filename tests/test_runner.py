"""The playground's people: personas of reporting units, seeded as contacts (never with a token)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import runner
from bot.contacts import AccessError, Contacts
from bot.settings import Settings, load_settings
from db.models import AuditLog, Contact, Submission
from db.session import make_engine, make_sessionmaker
from knowledge.loader import load_knowledge

ADMIN = 10
USER = 20


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "DUTYBOT_JURISDICTION", "DUTYBOT_ADMIN_IDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("DUTYBOT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.delenv("DUTYBOT_WEBHOOK_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the checkout


@pytest.fixture
def contacts(sessions: async_sessionmaker[AsyncSession]) -> Contacts:
    return Contacts(sessions, "yongjia", settings_admins=(ADMIN,))


async def _seeds(contacts: Contacts) -> list[AuditLog]:
    async with contacts._sessions() as session:
        rows = await session.scalars(select(AuditLog).where(AuditLog.action == "contact_seed"))
        return list(rows)


# ---------------------------------------------------------------- Contacts.ensure_contact


async def test_ensure_contact_creates_once_and_audits(contacts: Contacts) -> None:
    assert await contacts.ensure_contact(USER, "jtj", display_name="县交通局联络员") is True
    member = await contacts.member(USER)
    assert (member.role, member.unit_id, member.display_name) == (
        "contact",
        "jtj",
        "县交通局联络员",
    )
    assert await contacts.ensure_contact(USER, "jtj") is False
    assert await contacts.ensure_contact(USER, "mzj", role="backup") is False
    assert (await contacts.member(USER)).unit_id == "jtj"  # left as it was
    seeds = await _seeds(contacts)
    assert [(s.actor, s.target) for s in seeds] == [(0, str(USER))]
    assert [c.unit_id for c in await contacts.contacts_of("jtj")] == ["jtj"]


async def test_ensure_contact_leaves_registered_people_alone(contacts: Contacts) -> None:
    token = await contacts.create_invite(ADMIN, "mzj", role="backup")
    await contacts.redeem_invite(token, USER, "张三")
    await contacts.add_admin(30)
    assert await contacts.ensure_contact(USER, "jtj") is False
    assert await contacts.ensure_contact(30, "jtj") is False
    member = await contacts.member(USER)
    assert (member.role, member.unit_id, member.display_name) == ("backup", "mzj", "张三")
    assert (await contacts.member(30)).is_admin
    assert await _seeds(contacts) == []


async def test_ensure_contact_restores_a_removed_contact(contacts: Contacts) -> None:
    assert await contacts.ensure_contact(USER, "jtj", role="backup", actor=ADMIN)
    await contacts.remove(ADMIN, USER)
    assert not (await contacts.member(USER)).registered
    assert await contacts.ensure_contact(USER, "mzj", display_name="李四") is True
    member = await contacts.member(USER)
    assert (member.role, member.unit_id, member.display_name) == ("contact", "mzj", "李四")
    async with contacts._sessions() as session:
        rows = list(await session.scalars(select(Contact)))
    assert len(rows) == 1  # the same row, the user id stays unique
    assert [s.actor for s in await _seeds(contacts)] == [ADMIN, 0]


async def test_ensure_contact_refuses_other_roles(contacts: Contacts) -> None:
    with pytest.raises(AccessError) as info:
        await contacts.ensure_contact(USER, "jtj", role="admin")
    assert info.value.reason == "bad_role"
    assert not (await contacts.member(USER)).registered


# ---------------------------------------------------------------- playground_people


@pytest.mark.parametrize("jurisdiction", ["yongjia", "district"])
def test_playground_people_report(jurisdiction: str) -> None:
    settings = load_settings(jurisdiction=jurisdiction)
    kb = load_knowledge(jurisdiction, None)
    personas, groups = runner.playground_people(settings)
    *units, admin = personas
    assert admin["user_id"] == runner.PLAYGROUND_ADMIN and "unit_id" not in admin
    ids = [p["user_id"] for p in personas]
    assert len(set(ids)) == len(ids)
    assert 0 < len(units) <= runner.PLAYGROUND_UNITS
    reporters = [u.id for u in kb.reporters()]
    unit_ids = [str(p["unit_id"]) for p in units]
    assert len(set(unit_ids)) == len(unit_ids)
    assert unit_ids[: len(reporters)] == reporters[: runner.PLAYGROUND_UNITS]
    for persona, unit_id in zip(units, unit_ids, strict=True):
        assert kb.unit(unit_id).name in str(persona["name"])
    reporting = [u for u in unit_ids if kb.indicators_for(u)]
    assert len(reporting) == min(runner.PLAYGROUND_UNITS, len(reporters))
    assert len(units) == runner.PLAYGROUND_UNITS  # both files have enough units
    assert [g["chat_id"] for g in groups] == [-1001]


def test_playground_people_fill_up_with_departments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer than six reporting units: other departments with duties make up the rest."""
    kb = load_knowledge("yongjia", None)
    few = kb.reporters()[:2]
    monkeypatch.setattr(type(kb), "reporters", lambda self: few)
    personas, _ = runner.playground_people(load_settings())
    unit_ids = [p["unit_id"] for p in personas[:-1]]
    assert len(unit_ids) == runner.PLAYGROUND_UNITS
    assert unit_ids[:2] == [u.id for u in few]
    assert len(set(unit_ids)) == len(unit_ids)
    for unit_id in unit_ids[2:]:
        assert kb.duties_of(str(unit_id)) and kb.unit(str(unit_id)).kind in ("department", "street")


# ---------------------------------------------------------------- run()


async def _contact_rows(url: str) -> list[tuple[int, str | None, str]]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.scalars(select(Contact).order_by(Contact.telegram_user_id))
            return [(c.telegram_user_id, c.unit_id, c.role) for c in rows]
    finally:
        await engine.dispose()


async def _demo_figures(url: str) -> int:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            return len(list(await session.scalars(select(Submission.id))))
    finally:
        await engine.dispose()


def test_run_seeds_the_playground_personas(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'pg.sqlite3'}"
    seen: dict[str, Any] = {}

    async def fake_playground(settings: Settings, personas: Any, groups: Any, **kw: Any) -> None:
        seen.update(settings=settings, personas=personas, **kw)
        seen["rows"] = await _contact_rows(url)  # registered before the playground starts
        seen["demo"] = await _demo_figures(url)  # and the demo year made

    import bot.playground.web

    monkeypatch.setattr(bot.playground.web, "run_playground", fake_playground)
    settings = load_settings(database_url=url, admin_ids="5")
    runner.run(settings)
    units = [p for p in seen["personas"] if "unit_id" in p]
    expected = [(p["user_id"], p["unit_id"], "contact") for p in units]
    assert seen["rows"] == expected
    assert seen["settings"].admin_ids == [5, runner.PLAYGROUND_ADMIN]
    assert seen["demo"] > 100
    assert seen["history_file"] == tmp_path / "playground-yongjia-chats.json"  # beside the db
    assert seen["reset"] is not None
    runner.run(settings)  # a restart adds nobody twice, and no second demo year
    assert seen["rows"] == expected
    assert seen["demo"] == asyncio.run(_demo_figures(url)) and seen["demo"] > 100


def test_run_with_a_token_seeds_nobody(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'real.sqlite3'}"
    polled: list[object] = []

    class FakeApp:
        def run_polling(self, allowed_updates: list[str], **kwargs: object) -> None:
            polled.append(allowed_updates)

    async def telegram_answers(settings: Settings) -> str:
        return "dutybot"

    monkeypatch.setattr(runner, "check_telegram", telegram_answers)
    monkeypatch.setattr(runner, "build_application", lambda settings: FakeApp())
    runner.run(load_settings(database_url=url, telegram_bot_token="123456:ABCDEFGHIJ"))
    assert polled == [list(runner.ALLOWED)]
    assert asyncio.run(_contact_rows(url)) == []
    assert asyncio.run(_demo_figures(url)) == 0  # never a demo year with a token
