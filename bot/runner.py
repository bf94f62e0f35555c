"""Start the bot: against Telegram when a token is set, else the local playground."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping

from telegram import Bot

from bot.app import build_application
from bot.contacts import Contacts
from bot.demo.database import history_path, playground_settings
from bot.demo.lifecycle import ensure_demo, reset_demo
from bot.demo.seed import DemoPerson
from bot.settings import Settings
from bot.tuning import settle_heap
from bot.words import texts
from bot.workers import relay
from db.migrate import upgrade
from db.session import make_engine, make_sessionmaker
from knowledge.loader import load_knowledge

log = logging.getLogger(__name__)

PLAYGROUND_ADMIN = 999
PLAYGROUND_UNITS = 6  # unit personas, user ids 1001…
ALLOWED = ("message", "callback_query", "inline_query", "my_chat_member")
# A pause between getUpdates calls: an update never waits for it (a long poll is always
# pending), but under load each call then brings a batch instead of one or two updates.
POLL_INTERVAL_S = 0.05


def playground_people(
    settings: Settings,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Personas and group chats to try the bot with: a few unit contacts and an admin.

    The units are the first ones that report indicators, filled up with other departments that
    have duties; each unit persona carries its `unit_id` (the playground ignores the key, the
    runner registers the persona as that unit's contact). The admin comes last.
    """
    kb = load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    units = kb.reporters()[:PLAYGROUND_UNITS]
    chosen = {u.id for u in units}
    units += [
        u
        for u in kb.units
        if u.kind in ("department", "street") and kb.duties_of(u.id) and u.id not in chosen
    ][: PLAYGROUND_UNITS - len(units)]
    personas: list[dict[str, object]] = [
        {
            "user_id": 1000 + i,
            "name": texts.PLAYGROUND_CONTACT.format(unit=u.name),
            "description": texts.PLAYGROUND_CONTACT_DESC.format(unit=u.name),
            "unit_id": u.id,
        }
        for i, u in enumerate(units, 1)
    ]
    personas.append(
        {
            "user_id": PLAYGROUND_ADMIN,
            "name": texts.PLAYGROUND_ADMIN,
            "description": texts.PLAYGROUND_ADMIN_DESC,
        }
    )
    groups: list[dict[str, object]] = [
        {"chat_id": -1001, "title": texts.PLAYGROUND_GROUP.format(name=kb.jurisdiction.name)},
    ]
    return personas, groups


async def seed_playground_contacts(
    settings: Settings, personas: Iterable[Mapping[str, object]]
) -> int:
    """Register the unit personas as their units' contacts (if not yet); how many were added."""
    engine = make_engine(settings.database_url)
    try:
        contacts = Contacts(make_sessionmaker(engine), settings.jurisdiction)
        added = 0
        for persona in personas:
            unit_id = persona.get("unit_id")
            if unit_id is None:
                continue
            user_id = int(str(persona["user_id"]))
            name = str(persona.get("name") or "")
            if await contacts.ensure_contact(user_id, str(unit_id), display_name=name):
                added += 1
        return added
    finally:
        await engine.dispose()


async def check_telegram(settings: Settings) -> str:
    """Ask the Bot API who the bot is; its username. A rejected token raises InvalidToken, an
    API that cannot be reached NetworkError (TimedOut): start-up stops with one line then,
    before anything else is written or logged."""
    token = settings.telegram_bot_token
    assert token is not None
    bot = Bot(token)
    if settings.api_base_url:
        files = settings.api_base_file_url or settings.api_base_url
        bot = Bot(token, base_url=settings.api_base_url, base_file_url=files)
    async with bot:  # getMe
        return bot.username


def run(settings: Settings) -> int:
    """The exit status: 0 when stopped, 1 when a worker process died (bot/workers.py)."""
    # Check first, in this order, so that a problem stops start-up with one line (bot.cli)
    # before anything is written: the knowledge file, Telegram, then the database.
    load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    username = asyncio.run(check_telegram(settings)) if settings.telegram_bot_token else None
    if username is None:
        settings = playground_settings(settings)  # one database per jurisdiction's demo
    upgrade(settings.database_url)
    if username is not None:
        log.info("Telegram knows this bot as @%s", username)
        if settings.workers > 1:
            log.info("%d worker processes handle the updates", settings.workers)
            return asyncio.run(relay(settings, ALLOWED, POLL_INTERVAL_S))
        app = build_application(settings)  # the playground builds its own, against itself
        settle_heap()  # what start-up built is never scanned again (bot/tuning.py)
        if settings.webhook_url:
            app.run_webhook(
                listen="0.0.0.0",  # nosec B104  # a webhook server must be reachable
                port=settings.webhook_port,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=list(ALLOWED),
            )
        else:
            app.run_polling(allowed_updates=list(ALLOWED), poll_interval=POLL_INTERVAL_S)
        return 0
    from bot.playground.web import run_playground

    # Playground only (no token): its personas must be registered to try /report, and the demo
    # year is made once, unless the database holds real figures.
    personas, groups = playground_people(settings)
    added = asyncio.run(seed_playground_contacts(settings, personas))
    log.info("playground: %d unit persona(s) registered as contacts", added)
    kb = load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    people = demo_people(personas)
    group = (int(str(groups[0]["chat_id"])), str(groups[0]["title"])) if groups else None
    if settings.demo:
        made = asyncio.run(ensure_demo(settings, kb, people, admin=PLAYGROUND_ADMIN, group=group))
        if made is not None:
            log.info(
                "playground: demo year made (%d figures, %s open)",
                made.submissions,
                made.open_month.label,
            )

    async def reset() -> None:
        await reset_demo(settings, kb, people, admin=PLAYGROUND_ADMIN, group=group)

    admins = [*settings.admin_ids, PLAYGROUND_ADMIN]
    asyncio.run(
        run_playground(
            settings.model_copy(update={"admin_ids": admins}),
            personas,
            groups,
            history_file=history_path(settings),
            reset=reset,
        )
    )
    return 0


def demo_people(personas: Iterable[Mapping[str, object]]) -> list[DemoPerson]:
    """The unit personas as the demo's people."""
    return [
        DemoPerson(int(str(p["user_id"])), str(p["unit_id"]), str(p.get("name") or ""))
        for p in personas
        if p.get("unit_id") is not None
    ]
