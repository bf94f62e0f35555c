"""Every button's callback data in one place: the prefixes, how data is built and the patterns
that route a press to its handler (Telegram caps callback data at 64 bytes)."""

from __future__ import annotations

import re

# The lookup: one of several close duties, or a unit in /duties.
DUTY = "d:"  # + duty id
UNIT = "u:"  # + unit id

# The form: rf:<form key>:<draft version>:<action>:<argument>.
FORM = "rf"
FORM_PATTERN = rf"^{FORM}:"
FIX = "rx:"  # + submission id: 修改此项 under a send-back notice
LATE = "rl:"  # + month label: 补报 / 去填报 (also in reminders)

# The project-progress form: pg:<form key>:<draft version>:<action>:<argument>.
PROGRESS = "pg"
PROGRESS_PATTERN = rf"^{PROGRESS}:"
# The office's decision on a class change: pgs:<y|n>:<request id>.
STAGE_DECISION = "pgs:"
# The office's review of project progress: pgr:u:<month>:<unit> (a unit's entries),
# pgr:a:<month>:<unit>:<shown> (accept them), pgr:r:<month>:<project code> (send one back).
PROGRESS_REVIEW = "pgr:"
# 修改 under a send-back notice: pgo:<month>, the unit's progress form for that month.
PROGRESS_OPEN = "pgo:"

# The office's review: rv:u:<month>:<unit>, rv:a:<month>:<unit>:<shown>, rv:r:<id>:<revision>,
# rv:c: (cancel a send-back reason).
REVIEW = "rv:"

# Contacts: the /remove confirmation.
ADMIN = "adm:"
CONFIRM_REMOVE = ADMIN + "rm:"  # + user id
CANCEL_REMOVE = ADMIN + "keep:"  # + user id

# Registration: a choice asked before an invite is used (the token rides in the data).
REGISTRATION = "reg:"
INVITE_ADMIN_YES = REGISTRATION + "a:"  # + token: an admin becomes the unit's contact
INVITE_MOVE_YES = REGISTRATION + "m:"  # + token: a contact moves unit, dropping the open form
INVITE_ADMIN_NO = REGISTRATION + "ka"  # an admin keeps things as they are
INVITE_MOVE_NO = REGISTRATION + "km"  # a contact keeps their unit and form
INVITE_DATA = re.compile(r"reg:(?:(?P<kind>[am]):(?P<token>[A-Za-z0-9_-]{1,50})|(?P<keep>k[am]))")

# The monthly circular's preview: circ:send:<id> / circ:cancel:<id>.
CIRCULAR = "circ:{action}:{id}"
CIRCULAR_PATTERN = r"^circ:(send|cancel):\d+$"


def prefix_pattern(prefix: str) -> str:
    """The handler pattern for every press whose data starts with `prefix`."""
    return f"^{re.escape(prefix)}"


def form_data(key: str, version: int, action: str, arg: str = "", prefix: str = FORM) -> str:
    return f"{prefix}:{key}:{version}:{action}:{arg}"


def parse_form_data(data: str, prefix: str = FORM) -> tuple[str, int, str, str] | None:
    """(form key, draft version, action, argument) from a form button's callback data."""
    parts = data.split(":")
    if len(parts) != 5 or parts[0] != prefix or not parts[2].isdecimal():
        return None
    return parts[1], int(parts[2]), parts[3], parts[4]


# + work item code: 报告进展 under /tasks (handlers/task_notes.py)
TASK_NOTE = "tkn:"
# + code:state:revision: the office moves a work item (handlers/tasks.py)
TASK_MOVE = "tkm:"
