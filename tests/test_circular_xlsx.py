"""The XLSX writer (XlsxWriter underneath), read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import replace

import numpy as np
import openpyxl
import pandas as pd

from bot.circular.workbook import workbook_xlsx
from bot.words import texts
from bot.xlsx import Column, Sheet, write_xlsx
from tests.test_circular import NAME_Y, TZ, Y, district, hand_made

FORMULA_LIKE = ["=1+1", "+1", "-2", "@SUM(A1)", '=HYPERLINK("http://x.cn")', "{=A1}"]


def decoded(text: str) -> str:
    """Excel's _xHHHH_ escapes (how a control character is kept in the file) decoded."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def test_text_stays_text_and_numbers_keep_formats() -> None:
    text = [*FORMULA_LIKE, "http://x.cn", "123", "a\x01b\x1fc", "x\ufffey\ud800", None, "", "末行"]
    rows = len(text)
    numbers = np.arange(rows, dtype=float) + 0.25
    numbers[1] = np.nan  # missing
    numbers[2] = np.inf  # not a number a spreadsheet can hold
    per_row = ["#,##0.00", "#,##0"] * (rows // 2) + ["#,##0.00"] * (rows % 2)
    stamps = [dt.datetime(2026, 11, 5, 17, 0)] + [None] * (rows - 1)
    content = write_xlsx(
        [
            Sheet(
                "测试表",
                [
                    Column("名称", text, "text", width=20),
                    Column("数值", numbers, "number", per_row, width=14),
                    Column("占比（%）", numbers, "number", "0.0"),
                    Column("时间", stamps, "time", "yyyy-mm-dd hh:mm", width=17),
                ],
            )
        ]
    )
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
    sheet = openpyxl.load_workbook(io.BytesIO(content))["测试表"]
    assert [c.value for c in sheet[1]] == ["名称", "数值", "占比（%）", "时间"]
    assert all(c.font.b for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    for letter, width in zip("ABCD", (20, 14, 12, 17), strict=True):
        assert width <= sheet.column_dimensions[letter].width < width + 1
    body = list(sheet.iter_rows(min_row=2))
    assert len(body) == rows
    read = [None if r[0].value is None else decoded(str(r[0].value)) for r in body]
    # Nothing became a formula, a link or a number; U+FFFE and lone surrogates (not XML) are gone.
    assert read == [*FORMULA_LIKE, "http://x.cn", "123", "a\x01b\x1fc", "xy", None, None, "末行"]
    assert all(r[0].data_type == "s" for r in body if r[0].value is not None)
    assert all(r[0].hyperlink is None for r in body)
    assert body[0][1].value == 0.25 and body[0][1].number_format == "#,##0.00"
    assert body[3][1].value == 3.25 and body[3][1].number_format == "#,##0"
    assert body[1][1].value is None and body[2][1].value is None
    assert body[4][2].value == 4.25 and body[4][2].number_format == "0.0"
    assert body[0][3].value == dt.datetime(2026, 11, 5, 17, 0)  # a real date, local time
    assert body[0][3].is_date and body[0][3].number_format == "yyyy-mm-dd hh:mm"
    assert all(r[3].value is None for r in body[1:])


def test_unit_names_with_control_characters_and_formula_look() -> None:
    kb = district(一号街道="=坏\x01名", 二号街道="@二号\x0b街道")
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(hand_made(kb), TZ)))
    for title in (texts.CIRC_SHEET_UNIT_VALUE, texts.CIRC_SHEET_UNIT_RANK):
        sheet = book[title]
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["单位", "所属"] and sheet.freeze_panes == "B2"
        rows = {decoded(str(r[0].value)): r for r in sheet.iter_rows(min_row=2)}
        assert {"=坏\x01名", "@二号\x0b街道"} <= set(rows)
        for row in sheet.iter_rows(min_row=2):
            assert row[0].data_type == "s" and all(c.data_type != "f" for c in row)
        if title == texts.CIRC_SHEET_UNIT_RANK:
            assert rows["=坏\x01名"][header.index(NAME_Y)].value == 2
            assert rows["@二号\x0b街道"][header.index(NAME_Y)].value == 1
        else:
            assert rows["=坏\x01名"][header.index(f"{NAME_Y}（万元）")].value == 400


def test_wide_sheets_follow_the_figures() -> None:
    """累计 appears for a figure whose year-to-date is not the figure itself; an indicator no
    unit has a target for is not in 完成率; columns keep their decimals."""
    data = hand_made()
    units = data.units.copy()
    flow = units["code"] == Y
    units.loc[flow, "ytd"] = units.loc[flow, "value"] * 3  # as a year's sum of a flow would be
    units.loc[:, "target"] = float("nan")
    indicators = data.indicators.copy()
    indicators.loc[indicators["code"] == Y, "decimals"] = 0
    changed = replace(data, units=units.assign(progress_pct=float("nan")), indicators=indicators)
    book = openpyxl.load_workbook(io.BytesIO(workbook_xlsx(changed, TZ)))
    assert texts.CIRC_SHEET_UNIT_YTD in book.sheetnames
    assert texts.CIRC_SHEET_UNIT_PROGRESS not in book.sheetnames
    ytd = book[texts.CIRC_SHEET_UNIT_YTD]
    header = [c.value for c in ytd[1]]
    assert header == ["单位", "所属", f"{NAME_Y}（万元）"]  # only the indicator that differs
    rows = {str(r[0].value): r for r in ytd.iter_rows(min_row=2)}
    assert rows["二号街道"][2].value == 1350 and rows["二号街道"][2].number_format == "#,##0"
    value = book[texts.CIRC_SHEET_UNIT_VALUE]
    assert next(value.iter_rows(min_row=2))[2].number_format == "#,##0"


def test_empty_and_large_sheets() -> None:
    rows = 20_000
    names = pd.Series([f"单位{n:05d}" for n in range(rows)])
    content = write_xlsx(
        [
            Sheet("空表", [Column("名称", [], "text"), Column("数值", np.array([]), "number")]),
            Sheet("大表", [Column("名称", names), Column("数值", np.arange(rows), "number", "0")]),
        ]
    )
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert [c.value for c in next(book["空表"].iter_rows())] == ["名称", "数值"]
    assert len(list(book["空表"].iter_rows())) == 1
    last = list(book["大表"].iter_rows(min_row=rows + 1, values_only=True))
    assert last == [("单位19999", 19999)]
