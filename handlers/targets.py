"""Annual targets and the year-end assessment in chat: /targets, /score.

Admins (private chat) download the template with /targets template, send the filled-in .xlsx
or .csv file back to import it (handlers/uploads.py), and see what is loaded with /targets.
/score shows the year's points: every unit to an admin, the own unit to a contact.
"""

from __future__ import annotations

import html
import logging
import re
from decimal import Decimal

from telegram import Message, Update, User
from telegram.ext import Application, CommandHandler, ContextTypes

from bot import scoring, targets
from bot.contacts import Member
from bot.scoring import NoScoringRule
from bot.scoring_text import no_rule_with_completion, scores_html
from bot.words import texts
from handlers.deps import Deps, get_deps
from handlers.privacy import private_only
from handlers.replies import send_html
from knowledge.schema import Knowledge

log = logging.getLogger(__name__)

TEMPLATE_WORDS = ("template", "模板", "下载模板")
_YEAR = re.compile(r"^(\d{4})(?:年|年度)?$")


def _year(text: str) -> int | None:
    match = _YEAR.match(text.strip())
    if match is None:
        return None
    year = int(match[1])
    return year if targets.FIRST_YEAR <= year <= targets.LAST_YEAR else None


def _local_year(deps: Deps) -> int:
    return deps.clock().astimezone(deps.settings.tz).year


async def _asker(
    update: Update, context: ContextTypes.DEFAULT_TYPE
) -> tuple[Message, User, Deps, Member] | None:
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or not await private_only(message, context):
        return None
    deps = get_deps(context.bot_data)
    return message, user, deps, await deps.contacts.member(user.id)


# ---------------------------------------------------------------- rendering


def _unit_name(kb: Knowledge, unit_id: str) -> str:
    try:
        return kb.unit(unit_id).name
    except KeyError:
        return unit_id


def _value(value: Decimal, decimals: int) -> str:
    return scoring.number(value, decimals)


def import_result_html(result: targets.ImportResult) -> str:
    text = texts.TARGET_IMPORTED.format(
        years="、".join(str(y) for y in result.years),
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
    )
    if result.blank:
        text += texts.TARGET_IMPORTED_BLANK.format(count=result.blank)
    return text


def summary_html(kb: Knowledge, year: int, loaded: dict[tuple[str, str], Decimal]) -> str:
    """For an admin: per indicator, how many of its reporting units have a target."""
    if not loaded:
        return texts.TARGET_SUMMARY_NONE.format(year=year)
    lines = [texts.TARGET_SUMMARY_HEAD.format(year=year, count=len(loaded))]
    expected: dict[str, int] = {}
    for _, ind in targets.cells_for(kb):
        expected[ind.code] = expected.get(ind.code, 0) + 1
    for ind in kb.indicators:
        if ind.code not in expected:
            continue
        filled = sum(1 for (_, code) in loaded if code == ind.code)
        lines.append(
            texts.TARGET_SUMMARY_LINE.format(
                indicator=html.escape(ind.name), filled=filled, expected=expected[ind.code]
            )
        )
    lines.append(texts.TARGET_SUMMARY_FOOT.format(year=year))
    return "\n".join(lines)


def unit_targets_html(
    kb: Knowledge, year: int, unit_id: str, loaded: dict[tuple[str, str], Decimal]
) -> str:
    unit = html.escape(_unit_name(kb, unit_id))
    mine = [
        (ind, loaded[(unit_id, ind.code)]) for ind in kb.indicators if (unit_id, ind.code) in loaded
    ]
    if not mine:
        return texts.TARGET_UNIT_NONE.format(unit=unit, year=year)
    lines = [texts.TARGET_UNIT_HEAD.format(unit=unit, year=year)]
    lines += [
        texts.TARGET_UNIT_LINE.format(
            indicator=html.escape(ind.name), value=_value(value, ind.decimals), measure=ind.unit
        )
        for ind, value in mine
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- handlers


async def targets_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/targets [年份] (what is loaded) or /targets template [年份] (the import template)."""
    asked = await _asker(update, context)
    if asked is None:
        return
    message, _, deps, member = asked
    args = list(context.args or [])
    template = bool(args) and args[0].lower() in TEMPLATE_WORDS
    if template:
        args = args[1:]
    if len(args) > 1:
        await message.reply_text(texts.TARGET_USAGE)
        return
    year = _year(args[0]) if args else _local_year(deps)
    if year is None:
        await message.reply_text(texts.TARGET_YEAR_BAD.format(text=html.escape(args[0])))
        return
    sessions = deps.sessions
    jurisdiction = deps.kb.jurisdiction.id
    if not member.is_admin:
        if template or member.unit_id is None:
            await message.reply_text(
                texts.ACCESS_ERRORS["not_admin"]
                if member.registered
                else texts.TARGET_NOT_REGISTERED
            )
            return
        loaded = await targets.targets_of(sessions, jurisdiction, year, member.unit_id)
        await send_html(message, unit_targets_html(deps.kb, year, member.unit_id, loaded))
        return
    if template:
        name, content = await targets.template_for(sessions, deps.kb, year)
        await message.reply_document(
            content, filename=name, caption=texts.TARGET_TEMPLATE_CAPTION.format(year=year)
        )
        return
    loaded = await targets.targets_of(sessions, jurisdiction, year)
    await send_html(message, summary_html(deps.kb, year, loaded))


async def score_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/score [年份]: the year's points (every unit for an admin, the own unit for a contact)."""
    asked = await _asker(update, context)
    if asked is None:
        return
    message, _, deps, member = asked
    args = list(context.args or [])
    year = _year(args[0]) if len(args) == 1 else None
    if not args:
        year = deps.reporting.open_month().year
    if year is None:
        await message.reply_text(texts.SCORE_USAGE)
        return
    if not member.is_admin and member.unit_id is None:
        await message.reply_text(texts.SCORE_NOT_REGISTERED)
        return
    try:
        board = await scoring.score_year(deps.sessions, deps.kb, year)
    except NoScoringRule as exc:
        done = await scoring.completion_year(deps.sessions, deps.kb, year)
        if not member.is_admin:
            assert member.unit_id is not None
            done = done.only(member.unit_id)
        await send_html(message, no_rule_with_completion(deps.kb, exc, done))
        return
    if not member.is_admin:
        assert member.unit_id is not None
        board = board.only(member.unit_id)
        if not board.units:
            await message.reply_text(
                texts.SCORE_NOT_SCORED.format(
                    unit=html.escape(_unit_name(deps.kb, member.unit_id)),
                    name=html.escape(board.rule.name),
                )
            )
            return
    await send_html(message, scores_html(board))


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Add this feature's handlers."""
    app.add_handler(CommandHandler("targets", targets_command))
    app.add_handler(CommandHandler("score", score_command))
