"""The project library through the real bot and the emulator: a file with errors refused with
row and column, the fixed file imported, /projects for the office and for a contact, the
export and the template as documents, and the refusals."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.projects.library import ProjectLibrary
from bot.words import texts
from handlers.deps import KEY, Deps
from tests.botkit import Harness, office_bot
from tests.test_project_import import HEADER, HUB, MALL, row, xlsx

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")

ADMIN = 4201
CONTACT = 4202  # 一号街道's contact
OTHER = 4203  # 区科技局's contact
STRANGER = 4204
GROUP = -100801


@pytest.fixture
async def harness(
    database_url: str, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[Harness]:
    async with office_bot(
        "123456:E2E-PROJECTS",
        {ADMIN: "协调办", CONTACT: "街道联络员", OTHER: "科技局联络员", STRANGER: "路人"},
        {GROUP: "服务业工作群"},
        db_url=database_url,
        admin=ADMIN,
        jurisdiction="district",
    ) as h:
        deps: Deps = h.app.bot_data[KEY]
        await deps.contacts.ensure_contact(CONTACT, "jd_01", display_name="街道联络员")
        await deps.contacts.ensure_contact(OTHER, "kjj", display_name="科技局联络员")
        yield h


async def send_file(h: Harness, user: int, name: str, content: bytes) -> dict[str, Any]:
    h.emu.send_user_document(user, name, content)
    [reply] = await h.emu.wait_for_bot_messages(user, 1, timeout=10)
    reply_: dict[str, Any] = reply
    return reply_


async def test_the_office_imports_fixes_and_exports_the_library(
    harness: Harness, sessions: async_sessionmaker[AsyncSession]
) -> None:
    library = ProjectLibrary(sessions, "district")
    [reply] = await harness.say("/projects", user=ADMIN)
    assert reply["text"] == texts.PROJECT_SUMMARY_NONE

    bad = [HEADER, HUB, MALL, row("QX-003", unit="区宣传部"), row("QX-004", stage="在谈")]
    reply = await send_file(harness, ADMIN, "项目库.xlsx", xlsx(bad))
    assert reply["text"].startswith("文件中有2处错误，未导入任何数据。")
    assert "第4行「责任单位」：没有名为“区宣传部”的单位" in reply["text"]
    assert "第5行「类别」：“在谈”不是项目类别" in reply["text"]
    assert await library.all() == []

    good = [HEADER, HUB, MALL, row("QX-003", unit="区科技局"), row("QX-004", stage="新开工")]
    reply = await send_file(harness, ADMIN, "项目库.xlsx", xlsx(good))
    assert reply["text"] == texts.PROJECT_IMPORTED.format(count=4, added=4, changed=0, unchanged=0)
    [reply] = await harness.say("/projects", user=ADMIN)
    assert reply["text"].startswith("重大项目库：共4个项目，总投资60,200.5万元")
    assert "• 前期：1个，总投资8,000.5万元" in reply["text"]
    assert "• 在建：2个，总投资52,100万元" in reply["text"]

    [reply] = await harness.say("/projects export", user=ADMIN)
    assert reply["document"]["file_name"].startswith("重大项目库_")
    content = harness.emu.files[reply["document"]["file_id"]].content
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["前期", "新开工", "在建", "变更记录"]
    assert book["在建"].max_row == 3
    # the export, edited and sent back, updates the project it changed
    book["在建"]["H2"] = 60000
    buffer = io.BytesIO()
    book.save(buffer)
    reply = await send_file(harness, ADMIN, reply["document"]["file_name"], buffer.getvalue())
    assert reply["text"] == texts.PROJECT_IMPORTED.format(count=4, added=0, changed=1, unchanged=3)
    history = await library.history("QX-001")
    assert history[-1].changes == {"total_investment": ["52000", "60000"]}

    [reply] = await harness.say("/projects template", user=ADMIN)
    assert reply["document"]["file_name"] == texts.PROJECT_TEMPLATE_NAME
    # a target file still goes to the targets import
    targets = "年度,单位,指标,目标值\r\n2026,甲,乙,1\r\n".encode()
    reply = await send_file(harness, ADMIN, "目标.csv", targets)
    assert "第2行「单位」：没有名为“甲”的单位" in reply["text"]


async def test_contacts_see_their_own_projects_and_cannot_import(harness: Harness) -> None:
    deps: Deps = harness.app.bot_data[KEY]
    lib = [HEADER, HUB, row("QX-009", name="科技孵化园", unit="区科技局")]
    reply = await send_file(harness, ADMIN, "项目库.xlsx", xlsx(lib))
    assert reply["text"].startswith("✅")
    [reply] = await harness.say("/projects", user=CONTACT)
    assert reply["text"] == "一号街道的重大项目（1个）\n• 城东物流园（在建，总投资52,000万元）"
    [reply] = await harness.say("/projects", user=OTHER)
    assert "科技孵化园" in reply["text"] and "城东物流园" not in reply["text"]
    for user in (CONTACT, STRANGER):
        reply = await send_file(harness, user, "项目库.xlsx", xlsx(lib))
        assert reply["text"] == texts.UPLOAD_NOT_ADMIN
    [reply] = await harness.say("/projects export", user=CONTACT)
    assert reply["text"] == texts.ACCESS_ERRORS["not_admin"]
    [reply] = await harness.say("/projects", user=STRANGER)
    assert reply["text"] == texts.PROJECT_NOT_REGISTERED
    [reply] = await harness.say("/projects", user=ADMIN, chat=GROUP)
    assert reply["text"] == texts.REPORT_IN_GROUP
    assert len(await ProjectLibrary(deps.sessions, "district").all()) == 2
