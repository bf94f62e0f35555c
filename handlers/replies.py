"""Replies in HTML, split under Telegram's length limit (bot/words/html.split_html)."""

from __future__ import annotations

from telegram import Message

from bot.words.html import split_html


async def send_html(message: Message, html_text: str, **kwargs: object) -> None:
    """Reply with HTML, split under Telegram's length limit; extra kwargs go on the last part."""
    chunks = split_html(html_text)
    for i, chunk in enumerate(chunks):
        if i == len(chunks) - 1:
            await message.reply_text(chunk, **kwargs)  # type: ignore[arg-type]
        else:
            await message.reply_text(chunk)
