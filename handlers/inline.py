"""Inline mode: `@bot 物流` lists the responsible units with the duty and its source."""

from __future__ import annotations

from html import escape

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from bot.words import texts
from bot.words.html import shorten
from handlers.deps import get_deps
from handlers.render import answer_html, document_label, duty_html, examples, role_label

MAX_RESULTS = 10
CACHE_SECONDS = 300


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    deps = get_deps(context.bot_data)
    button = InlineQueryResultsButton(text=texts.INLINE_OPEN_PRIVATE, start_parameter="inline")
    question = query.query.strip()
    if not question:
        hint = InlineQueryResultArticle(
            id="hint",
            title=texts.INLINE_EMPTY_TITLE,
            description=texts.INLINE_EMPTY_TEXT.format(**examples(deps.kb)),
            # Picking the hint posts the help, not the hint itself.
            input_message_content=InputTextMessageContent(
                texts.HELP.format(
                    document=document_label(deps.kb),
                    bot=escape(context.bot.username),
                    **examples(deps.kb),
                ),
                parse_mode=ParseMode.HTML,
            ),
        )
        await query.answer([hint], cache_time=CACHE_SECONDS, button=button)
        return
    answer = deps.engine.ask(question)
    context.application.create_task(deps.querylog.record(answer, "inline"))
    if not answer.answered or not answer.matches:
        none = InlineQueryResultArticle(
            id="none",
            title=texts.INLINE_NONE_TITLE,
            description=texts.INLINE_NONE_TEXT,
            input_message_content=InputTextMessageContent(
                answer_html(answer, deps.kb), parse_mode=ParseMode.HTML
            ),
        )
        await query.answer([none], cache_time=CACHE_SECONDS, button=button)
        return
    if answer.kind == "unit":
        duties = deps.kb.duties_of(answer.matches[0].unit_id)
    else:
        by_id = {d.id: d for d in deps.kb.duties}
        duties = [by_id[m.duty_id] for m in answer.matches if m.duty_id in by_id]
    results = [
        InlineQueryResultArticle(
            id=duty.id,
            title=texts.INLINE_RESULT_TITLE.format(
                unit=deps.kb.unit(duty.unit).name, topic=duty.topic
            ),
            description=f"{role_label(duty.role)}｜{shorten(duty.text, 60)}｜{duty.source}",
            input_message_content=InputTextMessageContent(
                duty_html(duty, deps.kb), parse_mode=ParseMode.HTML
            ),
        )
        for duty in duties[:MAX_RESULTS]
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, button=button)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(InlineQueryHandler(inline_query))
