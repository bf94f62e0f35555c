"""Editing the message under a pressed button (handlers/privacy.py's Pressed)."""

from __future__ import annotations

from typing import Any, cast

import pytest
from telegram import Bot, CallbackQuery
from telegram.error import BadRequest

from handlers.privacy import Pressed


class _Bot:
    """A bot whose edits fail with a given error."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.edits = 0

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> None:
        self.edits += 1
        if self.error is not None:
            raise self.error

    async def edit_message_reply_markup(self, *args: Any, **kwargs: Any) -> None:
        await self.edit_message_text()


def _pressed(bot: _Bot) -> Pressed:
    return Pressed(cast(CallbackQuery, None), "x", cast(Bot, bot), 1, 2)


UNCHANGED = BadRequest(
    "Message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


async def test_an_edit_to_the_same_text_is_no_error() -> None:
    bot = _Bot(UNCHANGED)
    await _pressed(bot).edit("同样的内容")
    await _pressed(bot).drop_buttons()
    assert bot.edits == 2


async def test_other_refusals_still_raise() -> None:
    for error in (BadRequest("Message to edit not found"), BadRequest("Message is too long")):
        with pytest.raises(BadRequest):
            await _pressed(_Bot(error)).edit("内容")
        with pytest.raises(BadRequest):
            await _pressed(_Bot(error)).drop_buttons()
