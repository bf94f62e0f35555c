"""Spreadsheets an admin sends in the private chat: a project library, a 重点工作分工方案 or a
target file, told apart by their header, read once by a worker process and imported all or
nothing."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot import tables, targets
from bot.projects import importer
from bot.supervision import plan
from bot.words import texts
from handlers.deps import get_deps
from handlers.replies import send_html
from handlers.table_errors import import_errors_html
from handlers.targets import import_result_html

log = logging.getLogger(__name__)

# The larger of the two imports' limits; each import checks its own after reading.
MAX_BYTES = max(targets.MAX_BYTES, importer.MAX_BYTES, plan.MAX_BYTES)


def plan_imported_html(result: plan.ImportResult) -> str:
    return html.escape(tables.imported_text(texts.PLAN_IMPORTED, result.count, result.stored))


def projects_imported_html(result: importer.ImportResult) -> str:
    return html.escape(tables.imported_text(texts.PROJECT_IMPORTED, result.count, result.stored))


async def spreadsheet_file(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An .xlsx or .csv file sent in the private chat: an admin's import."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.document is None:
        return
    deps = get_deps(context.bot_data)
    member = await deps.contacts.member(user.id)
    if not member.is_admin:
        await message.reply_text(texts.UPLOAD_NOT_ADMIN)
        return
    document = message.document
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message.reply_text(texts.UPLOAD_TOO_BIG.format(mb=MAX_BYTES // (1024 * 1024)))
        return
    file = await document.get_file()
    content = bytes(await file.download_as_bytearray())
    name = document.file_name or ""
    try:
        sheets = await tables.sheets_async(importer.LAYOUT, name, content)
        if plan.looks_like_plan(sheets, importer.LAYOUT, targets.LAYOUT):
            now = deps.clock()
            settings = deps.settings
            rules = plan.Rules(
                now.astimezone(settings.tz).date(), settings.work_deadline_clock, settings.tz
            )
            tasks = await plan.import_plan(
                deps.sessions, deps.kb, name, content, user.id, rules, now=now, sheets=sheets
            )
            deps.work_finder.forget()
            await send_html(message, plan_imported_html(tasks))
            return
        if importer.looks_like_projects(sheets):
            done = await importer.import_projects(
                deps.sessions, deps.kb, name, content, user.id, now=deps.clock(), sheets=sheets
            )
            deps.projects.forget()
            await send_html(message, projects_imported_html(done))
            return
        result = await targets.import_targets(
            deps.sessions, deps.kb, name, content, user.id, deps.clock(), sheets=sheets
        )
    except tables.TableError as exc:
        await send_html(message, import_errors_html(exc.errors))
        return
    await send_html(message, import_result_html(result))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers."""
    files = filters.Document.FileExtension("xlsx") | filters.Document.FileExtension("csv")
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & files, spreadsheet_file))
