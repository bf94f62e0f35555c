"""The update processor: users run concurrently, one user's updates in order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update, User

from bot.updates import PerUserUpdateProcessor


def _update(update_id: int, user_id: int) -> Update:
    user = User(user_id, f"u{user_id}", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, None, chat, from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_users_updates_run_in_order_and_others_run_meanwhile() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=16)
    log: list[str] = []
    release = asyncio.Event()

    async def slow(tag: str) -> None:
        log.append(f"start {tag}")
        await release.wait()
        log.append(f"end {tag}")

    async def fast(tag: str) -> None:
        log.append(f"run {tag}")

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 7), slow("7a"))),
        asyncio.create_task(processor.process_update(_update(2, 7), fast("7b"))),
        asyncio.create_task(processor.process_update(_update(3, 8), fast("8a"))),
    ]
    await asyncio.sleep(0.05)
    # User 8 was not held up by user 7's slow update; 7's second waits for its first.
    assert log == ["start 7a", "run 8a"]
    release.set()
    await asyncio.gather(*tasks)
    assert log == ["start 7a", "run 8a", "end 7a", "run 7b"]
    assert processor._locks == {} and processor._holders == {}  # nothing left behind


async def test_updates_without_a_user_are_not_serialised() -> None:
    processor = PerUserUpdateProcessor()
    done: list[int] = []

    async def work() -> None:
        done.append(1)

    await processor.process_update(object(), work())
    assert done == [1]


async def test_one_users_queue_never_holds_up_the_others() -> None:
    processor = PerUserUpdateProcessor(max_concurrent_updates=2)
    release = asyncio.Event()
    ran: list[int] = []

    async def slow() -> None:
        await release.wait()

    async def fast(user: int) -> None:
        ran.append(user)

    # User 7 sends many updates behind a slow one: more than the concurrency bound.
    tasks = [asyncio.create_task(processor.process_update(_update(1, 7), slow()))]
    tasks += [
        asyncio.create_task(processor.process_update(_update(n, 7), fast(7))) for n in range(2, 10)
    ]
    tasks.append(asyncio.create_task(processor.process_update(_update(99, 8), fast(8))))
    await asyncio.sleep(0.05)
    assert ran == [8]  # user 8 got a slot although user 7 has nine updates in flight
    release.set()
    await asyncio.gather(*tasks)
    assert ran == [8] + [7] * 8
