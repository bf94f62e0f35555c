"""The composition root: build every service once, put them in one typed Deps, add the handlers.

Collaborators are passed as constructor arguments: the scheduler gets the reminders planner,
its hooks (the circular auto-draft) and the sender's `wake`; the sender gets its batch-done
callbacks (the circular's delivery report). Handlers read the services from
`handlers.deps.get_deps(bot_data)`; nothing else is kept in bot_data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    TypeHandler,
)

from bot.calendar import Calendar
from bot.circular.service import Circulars
from bot.contacts import Contacts
from bot.projects.deadline import ProgressDeadline
from bot.projects.finder import ProjectFinder
from bot.projects.progress_flow import ProgressFlow
from bot.querylog import QueryLogger
from bot.reminders import Reminders
from bot.reporting.service import Reporting
from bot.reporting.workflow import FormWorkflow
from bot.scheduler import Scheduler
from bot.sender import Sender
from bot.settings import Settings
from bot.supervision.finder import WorkFinder
from bot.supervision.items import WorkItems
from bot.telegram_http import QueuedRequest
from bot.updates import PerUserUpdateProcessor
from db.base import utcnow
from db.session import make_engine, make_sessionmaker
from handlers import (
    admin,
    basic,
    circular,
    inline,
    lookup,
    membership,
    progress,
    projects,
    registration,
    report,
    review,
    schedule,
    targets,
    task_notes,
    tasks,
    uploads,
)
from handlers.deps import KEY, Deps, get_deps
from knowledge.loader import load_knowledge
from knowledge.lookup import lookup_engine

# The token the local playground's emulator accepts; never valid on Telegram.
PLAYGROUND_TOKEN = "123456:PLAYGROUND"  # nosec B105  # the local emulator's token, no secret


# Before every other handler group (the form's is -1): it never stops an update.
SEEN_GROUP = -10
HTTP_POOL_SIZE = 16
HTTP_POOL_TIMEOUT_S = 30.0


class DutyApplication(Application):  # type: ignore[type-arg]
    """Runs the outbox sender while the application runs: started once the application has
    started, stopped (its requests in flight finished and recorded) before it stops. A worker
    other than the first (bot/workers.py) runs none: one process sends the outbox."""

    def __init__(self, *, run_sender: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_sender = run_sender

    async def start(self) -> None:
        await super().start()
        if self.run_sender:
            await get_deps(self.bot_data).sender.start()

    async def stop(self) -> None:
        if self.run_sender:
            await get_deps(self.bot_data).sender.stop()
        await super().stop()


def build_application(
    settings: Settings,
    clock: Callable[[], dt.datetime] = utcnow,
    *,
    updater: bool = True,
    sends: bool = True,
) -> Application:  # type: ignore[type-arg]
    """The bot with all handlers; raises KnowledgeError if the knowledge file is invalid.

    `clock` gives the current UTC time (tests run the calendar on a fake one). A worker
    (bot/workers.py) has no updater (its updates come from the relay) and, but for the first,
    does not send the outbox (`sends`).
    """
    kb = load_knowledge(settings.jurisdiction, settings.knowledge_dir)
    engine = lookup_engine(settings.jurisdiction, settings.knowledge_dir)
    db_engine = make_engine(settings.database_url, pool_size=settings.database_pool)
    sessions = make_sessionmaker(db_engine)
    querylog = QueryLogger(sessions, settings.jurisdiction)
    contacts = Contacts(sessions, settings.jurisdiction, tuple(settings.admin_ids), clock=clock)
    reporting = Reporting(sessions, kb, settings.tz, clock)
    circulars = Circulars(sessions, kb, settings, clock)

    builder = ApplicationBuilder().token(settings.telegram_bot_token or PLAYGROUND_TOKEN)
    if settings.api_base_url:
        builder = builder.base_url(settings.api_base_url)
        builder = builder.base_file_url(settings.api_base_file_url or settings.api_base_url)
    builder = builder.defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
    # The builder's type parameters change with the limiter; the variable keeps the first ones.
    limiter = AIORateLimiter(overall_max_rate=settings.rate_limit, max_retries=3)
    builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    builder = builder.concurrent_updates(PerUserUpdateProcessor())
    # A request waits for a free connection (behind the rate limiter) instead of failing after
    # 1 s, in a queue of its own; aiohttp does the HTTP (bot/telegram_http.py).
    builder = builder.request(QueuedRequest(HTTP_POOL_SIZE, HTTP_POOL_TIMEOUT_S))
    builder = builder.post_init(basic.set_commands)
    builder = builder.application_class(DutyApplication, {"run_sender": sends})
    if not updater:
        builder = builder.updater(None)

    async def _dispose(_: Application) -> None:  # type: ignore[type-arg]
        await db_engine.dispose()

    builder = builder.post_shutdown(_dispose)
    app = builder.build()
    # The sender is the one service that talks to the Bot API (it needs the application's Bot).
    sender = Sender(
        app.bot,
        sessions,
        settings.jurisdiction,
        clock,
        settings.send_concurrency,
        rate_per_s=settings.rate_limit,
        tz=settings.tz,
        quiet=settings.quiet,
        batch_done=[circulars.on_batch_done],  # the delivery report to the admin who sent it
    )
    # Each tick: the reminders, then the hooks in this order, then the sender looks for rows.
    scheduler = Scheduler(
        reporting,
        contacts,
        settings,
        clock=clock,
        reminders=Reminders(reporting, contacts, settings),
        hooks={"circular": circulars.maybe_draft},  # last month's circular on its day
        wake=sender.wake,
    )
    app.bot_data[KEY] = Deps(
        settings=settings,
        clock=clock,
        sessions=sessions,
        kb=kb,
        engine=engine,
        querylog=querylog,
        contacts=contacts,
        reporting=reporting,
        forms=FormWorkflow(reporting, contacts, clock),
        progress=ProgressFlow(sessions, kb.jurisdiction.id, contacts, settings.tz, clock),
        projects=ProjectFinder(sessions, kb.jurisdiction.id),
        calendar=Calendar(reporting, ProgressDeadline.of(settings)),
        work=WorkItems(sessions, kb.jurisdiction.id),
        work_finder=WorkFinder(sessions, kb.jurisdiction.id, kb),
        circulars=circulars,
        sender=sender,
        scheduler=scheduler,
    )

    app.add_handler(TypeHandler(Update, basic.seen), group=SEEN_GROUP)
    membership.register(app)  # blocked / unblocked by a user, removed from / added to a group
    registration.register(app)  # /start with an invite payload goes before the plain /start
    admin.register(app)
    report.register(app)  # also /start report, before the plain /start
    review.register(app)
    schedule.register(app)  # /calendar, and the JobQueue jobs that tick Deps.scheduler
    circular.register(app)  # /circular
    targets.register(app)  # /targets, /score
    projects.register(app)  # /projects
    progress.register(app)  # /progress: the project-progress form (before the report form's texts)
    tasks.register(app)  # /tasks: the year's key tasks
    task_notes.register(app)  # 报告进展: a reply to the prompt is a progress note
    uploads.register(app)  # target and project files sent in chat
    app.add_handler(CommandHandler("start", basic.start))
    app.add_handler(CommandHandler("help", basic.help_command))
    lookup.register(app)
    inline.register(app)
    # Last: a press with data that no handler above took is answered, not left spinning.
    app.add_handler(CallbackQueryHandler(basic.unknown_press))
    app.add_error_handler(basic.on_error)
    return app
