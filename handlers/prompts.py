"""Prompts the bot sends with ForceReply (a send-back reason, a progress note): the reply to one
is found by the prompt's first words, so the prompt itself holds the state across restarts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Message, Update, User
from telegram.ext import ContextTypes


@dataclass(frozen=True)
class Replied:
    """A reply to one of the bot's prompts: the reply, its writer, and the prompt's match."""

    message: Message
    user: User
    found: re.Match[str]


def replied_prompt(
    update: Update, context: ContextTypes.DEFAULT_TYPE, pattern: re.Pattern[str]
) -> Replied | None:
    """The reply, when the message answers a prompt of the bot's that `pattern` matches."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.reply_to_message is None:
        return None
    prompt = message.reply_to_message
    if prompt.from_user is None or prompt.from_user.id != context.bot.id:
        return None
    found = pattern.match(prompt.text or "")
    return None if found is None else Replied(message, user, found)
