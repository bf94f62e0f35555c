"""The circular's chart: a CJK font is found, Chinese renders without missing glyphs, and no
CJK font is an error rather than a chart of empty boxes."""

from __future__ import annotations

import io
import warnings

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from PIL import Image

from bot.circular import chart
from bot.circular.build import compute
from bot.reporting.periods import Month
from bot.words import texts
from knowledge.loader import load_knowledge
from tests.test_circular import OCT, TZ, VALUES, district, frames, hand_made


def test_cjk_font_is_found() -> None:
    font = chart.cjk_font()
    path = font.get_file()
    assert isinstance(path, str)
    name = font_manager.FontProperties(fname=path).get_name()
    assert any(tag in name for tag in ("CJK", "Hei", "Han", "SC")), name
    # The font has the glyphs the chart writes.
    from matplotlib.ft2font import FT2Font

    face = FT2Font(str(path))
    charmap = face.get_charmap()
    for ch in "服务业月度统计通报累计完成率序时进度（）":
        assert ord(ch) in charmap, ch


def test_chinese_renders_without_missing_glyph_warnings() -> None:
    data = hand_made()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = chart.chart_png(data, "某区")
    assert png is not None
    glyphs = [w for w in caught if "missing from" in str(w.message) or "Glyph" in str(w.message)]
    assert glyphs == []
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 500 and image.height > 150


def test_default_font_would_miss_glyphs() -> None:
    """The check above can fail: DejaVu Sans (matplotlib's default) has no Chinese glyphs."""
    figure = Figure()
    figure.text(
        0.1, 0.5, "服务业", fontproperties=font_manager.FontProperties(family="DejaVu Sans")
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    assert any("missing from" in str(w.message) for w in caught)


def test_the_month_s_figures_are_drawn_without_targets_or_history() -> None:
    """The playground's case: accepted figures, no targets, no last year. The chart shows each
    unit's figure per indicator, the streets together as one more bar."""
    kb = district()
    values = [v for v in VALUES if v[0] == "2026-10"]  # this month only: no 同比, no 环比
    data = compute(kb, OCT, TZ, *frames(values, [], []))
    assert data.indicators["progress_pct"].isna().all() and data.indicators["yoy_pct"].isna().all()
    assert chart._summary_panels(data) == []
    panels = {p.title: p for p in chart._figure_panels(data)}
    ytd = panels["现代服务业营业收入（累计）（万元）"]
    assert [(name, value) for name, value, _ in ytd.bars] == [
        ("区发改委", 1000.0),
        ("二号街道", 450.0),
        ("一号街道", 400.0),
        ("各街道合计", 850.0),
    ]
    assert [(n, v) for n, v, _ in panels["现代服务业营业收入（当月）（万元）"].bars] == [
        ("区发改委", 180.0)
    ]
    png = chart.chart_png(data, "某区")
    assert png is not None
    image = Image.open(io.BytesIO(png)).convert("L")
    drawn = sum(1 for p in image.getdata() if p < 200)
    assert drawn > 0.02 * image.width * image.height  # bars and labels, not an empty frame


def test_progress_and_yoy_are_added_when_they_exist() -> None:
    data = hand_made()  # targets and last year's October
    titles = [p.title for p in chart._summary_panels(data)]
    assert titles == [texts.CIRC_CHART_PROGRESS, texts.CIRC_CHART_YOY]
    progress = chart._summary_panels(data)[0]
    assert progress.schedule == pytest.approx(data.schedule_pct)
    assert ("现代服务业营业收入（累计）", pytest.approx(1000 / 1200 * 100)) in [
        (n, v) for n, v, _ in progress.bars
    ]


def test_a_month_with_nothing_to_draw_has_no_chart() -> None:
    empty = compute(load_knowledge("yongjia"), Month(2026, 10), TZ, *frames([], [], []))
    assert chart.chart_png(empty, "永嘉县") is None


def test_no_cjk_font_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    latin = [e for e in font_manager.fontManager.ttflist if "DejaVu" in e.name]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", latin)
    chart.cjk_font.cache_clear()
    try:
        with pytest.raises(chart.ChartFontError, match="fonts-noto-cjk"):
            chart.chart_png(hand_made(), "某区")
    finally:
        monkeypatch.undo()
        chart.cjk_font.cache_clear()
    assert chart.cjk_font() is not None
