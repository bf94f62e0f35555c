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
from knowledge.loader import load_knowledge
from tests.test_circular import OCT, TARGETS, TZ, VALUES, district, frames, hand_made


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


def test_yoy_chart_without_targets_and_empty_chart() -> None:
    kb = district()
    data = compute(kb, OCT, TZ, *frames(VALUES, [], []))
    assert data.indicators["progress_pct"].isna().all()
    assert chart.chart_png(data, "某区").startswith(b"\x89PNG")  # year-on-year bars
    empty = compute(load_knowledge("yongjia"), Month(2026, 10), TZ, *frames([], [], []))
    assert chart.chart_png(empty, "永嘉县").startswith(b"\x89PNG")
    assert TARGETS  # the hand-made targets give the progress chart (test above)


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
