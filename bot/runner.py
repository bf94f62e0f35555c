"""Start the bot: against Telegram when a token is set, else the local playground."""

from __future__ import annotations

import asyncio
import logging

from bot.app import build_application
from bot.settings import Settings
from db.migrate import upgrade
from handlers import texts
from knowledge.loader import load_knowledge

log = logging.getLogger(__name__)


def playground_people(
    settings: Settings,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Personas and group chats to try the bot with: a few unit contacts and an admin."""
    kb = load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    departments = [u for u in kb.units if u.kind in ("department", "street") and kb.duties_of(u.id)]
    personas: list[dict[str, object]] = [
        {
            "user_id": 1000 + i,
            "name": texts.PLAYGROUND_CONTACT.format(unit=u.name),
            "description": texts.PLAYGROUND_CONTACT_DESC.format(unit=u.name),
        }
        for i, u in enumerate(departments[:6], 1)
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


PLAYGROUND_ADMIN = 999
ALLOWED = ("message", "callback_query", "inline_query")


def run(settings: Settings) -> None:
    # Load first: an invalid knowledge file stops start-up before anything is written.
    load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    upgrade(settings.database_url)
    if settings.telegram_bot_token:
        app = build_application(settings)  # the playground builds its own, against itself
        if settings.webhook_url:
            app.run_webhook(
                listen="0.0.0.0",
                port=settings.webhook_port,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=list(ALLOWED),
            )
        else:
            app.run_polling(allowed_updates=list(ALLOWED))
        return
    from bot.playground.web import run_playground

    personas, groups = playground_people(settings)
    admins = [*settings.admin_ids, PLAYGROUND_ADMIN]
    asyncio.run(run_playground(settings.model_copy(update={"admin_ids": admins}), personas, groups))
