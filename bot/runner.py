"""Start the bot: against Telegram when a token is set, else the local playground."""

from __future__ import annotations

import asyncio
import logging

from bot.app import build_application
from bot.settings import Settings
from db.migrate import upgrade
from knowledge.loader import load_knowledge

log = logging.getLogger(__name__)


def playground_people(
    settings: Settings,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Personas and group chats to try the bot with: a few unit contacts and an admin."""
    kb = load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    departments = [u for u in kb.units if u.kind in ("department", "street") and kb.duties_of(u.id)]
    personas: list[dict[str, object]] = [
        {"user_id": 1000 + i, "name": f"{u.name}联络员", "description": f"{u.name} 的联络员"}
        for i, u in enumerate(departments[:6], 1)
    ]
    personas.append(
        {"user_id": 999, "name": "协调办管理员", "description": "服务业协调办公室 管理员"}
    )
    groups: list[dict[str, object]] = [
        {"chat_id": -1001, "title": f"{kb.jurisdiction.name}服务业工作群"},
    ]
    return personas, groups


def run(settings: Settings) -> None:
    upgrade(settings.database_url)
    if settings.telegram_bot_token:
        app = build_application(settings)
        if settings.webhook_url:
            app.run_webhook(
                listen="0.0.0.0",
                port=settings.webhook_port,
                webhook_url=settings.webhook_url,
                allowed_updates=list(ALLOWED),
            )
        else:
            app.run_polling(allowed_updates=list(ALLOWED))
        return
    from bot.playground.web import run_playground

    build_application(settings)  # fail fast on bad knowledge before opening the page
    personas, groups = playground_people(settings)
    asyncio.run(run_playground(settings, personas, groups))


ALLOWED = ("message", "callback_query", "inline_query")
