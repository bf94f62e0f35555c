"""The major-project library in chat: /projects (the library for an admin, the own unit's
projects for a contact), /projects template and /projects export."""

from __future__ import annotations

import html
from decimal import Decimal

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.projects import workbook
from bot.projects.library import ProjectData, ProjectLibrary
from bot.scoring import number
from bot.words import texts
from db.models import PROJECT_STAGES
from handlers.deps import get_deps
from handlers.privacy import private_only
from handlers.replies import send_html
from knowledge.schema import Knowledge

TEMPLATE_WORDS = ("template", "模板", "下载模板")
EXPORT_WORDS = ("export", "导出")


def summary_html(counts: dict[str, tuple[int, Decimal]]) -> str:
    """For an admin: the library per class."""
    if not counts:
        return texts.PROJECT_SUMMARY_NONE
    total = sum((t for _, t in counts.values()), Decimal(0))
    lines = [
        texts.PROJECT_SUMMARY_HEAD.format(
            count=sum(c for c, _ in counts.values()), total=number(total)
        )
    ]
    lines += [
        texts.PROJECT_SUMMARY_LINE.format(
            stage=texts.PROJECT_STAGES[stage],
            count=counts[stage][0],
            total=number(counts[stage][1]),
        )
        for stage in PROJECT_STAGES
        if stage in counts
    ]
    lines.append(texts.PROJECT_SUMMARY_FOOT)
    return "\n".join(lines)


def unit_projects_html(kb: Knowledge, unit_id: str, projects: list[ProjectData]) -> str:
    """For a contact, in the private chat: the own unit's projects."""
    unit = html.escape(kb.unit(unit_id).name)
    if not projects:
        return texts.PROJECT_UNIT_NONE.format(unit=unit)
    lines = [texts.PROJECT_UNIT_HEAD.format(unit=unit, count=len(projects))]
    lines += [
        texts.PROJECT_UNIT_LINE.format(
            name=html.escape(p.name),
            stage=texts.PROJECT_STAGES[p.stage],
            total=number(p.total_investment),
        )
        for p in projects
    ]
    return "\n".join(lines)


async def projects_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/projects, /projects template, /projects export."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(user.id)
    args = [a.lower() for a in context.args or []]
    wanted = args[0] if args else ""
    if len(args) > 1 or (wanted and wanted not in (*TEMPLATE_WORDS, *EXPORT_WORDS)):
        await message.reply_text(texts.PROJECT_USAGE)
        return
    library = ProjectLibrary(deps.sessions, deps.kb.jurisdiction.id)
    if not member.is_admin:
        if wanted or member.unit_id is None:
            await message.reply_text(
                texts.ACCESS_ERRORS["not_admin"]
                if member.registered
                else texts.PROJECT_NOT_REGISTERED
            )
            return
        mine = await library.all(unit_id=member.unit_id)
        await send_html(message, unit_projects_html(deps.kb, member.unit_id, mine))
        return
    now = deps.clock()
    tz = deps.settings.tz
    if wanted in TEMPLATE_WORDS:
        name, content = await workbook.template_file(
            deps.sessions, deps.kb, now.astimezone(tz).year
        )
        await message.reply_document(content, filename=name, caption=texts.PROJECT_TEMPLATE_CAPTION)
        return
    if wanted in EXPORT_WORDS:
        name, content = await workbook.export_library(
            deps.sessions, deps.kb, tz, now, deps.settings.database_url
        )
        caption = texts.PROJECT_EXPORT_CAPTION.format(date=now.astimezone(tz).date().isoformat())
        await message.reply_document(content, filename=name, caption=caption)
        return
    await send_html(message, summary_html(await library.counts()))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers."""
    app.add_handler(CommandHandler("projects", projects_command))
