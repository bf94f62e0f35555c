"""Which units may answer for a piece of work (a project, a key task, a problem): a department,
a street or an organisation, named by name, short name or id; not a leader, a meeting, a
collective (各街道) or a unit that stands for several."""

from __future__ import annotations

from collections.abc import Mapping

from bot import tables
from knowledge.schema import Knowledge, Unit

RESPONSIBLE_KINDS = ("department", "street", "organisation")


class NotResponsible(Exception):
    """The text names no unit that can answer for work; the message says why, in Chinese."""


def responsible_unit(kb: Knowledge, text: str, errors: Mapping[str, str]) -> Unit:
    """The unit `text` names; `errors` has the messages unit_unknown ({text}), unit_whole
    ({unit}, {parts}) and unit_not_responsible ({unit})."""
    unit = kb.unit_named(text)
    if unit is None:
        raise NotResponsible(errors["unit_unknown"].format(text=tables.shown(text)))
    parts = [u.name for u in kb.reporting_units if u.part_of == unit.id]
    if parts:
        shown = "、".join(parts[:3]) + ("等" if len(parts) > 3 else "")
        raise NotResponsible(errors["unit_whole"].format(unit=unit.name, parts=shown))
    if unit.kind not in RESPONSIBLE_KINDS or unit.stands_for:
        raise NotResponsible(errors["unit_not_responsible"].format(unit=unit.name))
    return unit
