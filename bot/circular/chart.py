"""The circular's chart as a PNG (matplotlib, Agg backend) with a CJK font found on the system.

Without a CJK font Chinese labels would come out as empty boxes, so a missing one is an error
(install Debian's fonts-noto-cjk), never a silent fallback.
"""

from __future__ import annotations

import functools
import io
import math
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bot.circular.build import CircularData
from bot.words import texts

# Families tried in order; the first one installed is used.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Noto Serif CJK SC",
)
MAX_BARS = 30


class ChartFontError(RuntimeError):
    """No font with Chinese glyphs is installed."""


@functools.cache
def cjk_font() -> font_manager.FontProperties:
    """A font with Chinese glyphs, by family name, or ChartFontError."""
    installed = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return font_manager.FontProperties(fname=installed[family])
    for name, path in sorted(installed.items()):
        if "CJK" in name or "Hei" in name:
            return font_manager.FontProperties(fname=path)
    raise ChartFontError(
        "no CJK font found by matplotlib (install fonts-noto-cjk, then delete matplotlib's "
        "font cache); the chart's Chinese labels would be empty boxes"
    )


def _label(name: str, width: int = 18) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


# Indicators drawn with their units' figures (the others are in the workbook), and bars in each.
MAX_PANELS = 8
MAX_UNIT_BARS = 12
_BAR, _WHOLE, _NEGATIVE, _SCHEDULE = "#2b6cb0", "#805ad5", "#c53030", "#dd6b20"


@dataclass(frozen=True)
class _Panel:
    """One horizontal bar chart: its title, axis label, bars (label, value, colour)."""

    title: str
    axis: str
    bars: list[tuple[str, float, str]]
    decimals: int = 1
    schedule: float | None = None  # 序时进度, drawn as a line


def _summary_panels(data: CircularData) -> list[_Panel]:
    """Progress against the annual target (with 序时进度) and 同比, where any indicator has them."""
    frame = data.indicators.head(MAX_BARS)
    out: list[_Panel] = []
    for column, axis, schedule in (
        ("progress_pct", texts.CIRC_CHART_PROGRESS, data.schedule_pct),
        ("yoy_pct", texts.CIRC_CHART_YOY, None),
    ):
        shown = frame[frame[column].notna()]
        if shown.empty:
            continue
        bars = [
            (_label(str(n)), float(v), _BAR if float(v) >= 0 else _NEGATIVE)
            for n, v in zip(shown["name"], shown[column], strict=True)
        ]
        out.append(_Panel(axis, axis, bars, 1, schedule))
    return out


def _figure_panels(data: CircularData) -> list[_Panel]:
    """Per indicator with accepted figures this month: each unit's figure, the largest first,
    and the parts of a whole (the streets) together as one more bar."""
    units = data.units[data.units["value"].notna()]
    wholes = data.wholes
    out: list[_Panel] = []
    for row in data.indicators.itertuples(index=False):
        mine = units[units["code"] == row.code]
        if mine.empty:
            continue
        mine = mine.sort_values("value", ascending=False, kind="stable").head(MAX_UNIT_BARS)
        bars = [
            (_label(str(u), 10), float(v), _BAR if float(v) >= 0 else _NEGATIVE)
            for u, v in zip(mine["unit_name"], mine["value"], strict=True)
        ]
        if not wholes.empty:
            together = wholes[(wholes["code"] == row.code) & wholes["value"].notna()]
            bars += [
                (texts.CIRC_CHART_WHOLE.format(whole=_label(str(w), 8)), float(v), _WHOLE)
                for w, v in zip(together["whole_name"], together["value"], strict=True)
            ]
        decimals = _decimals(row.decimals)
        title = texts.CIRC_CHART_FIGURES.format(name=_label(str(row.name), 22), measure=row.measure)
        out.append(_Panel(title, str(row.measure), bars, decimals))
        if len(out) == MAX_PANELS:
            break
    return out


def _decimals(value: object) -> int:
    """An indicator's decimals as read from a frame (2, 2.0 or NaN), at most 2."""
    try:
        number = float(str(value))
    except ValueError:
        return 0
    return min(int(number), 2) if math.isfinite(number) else 0


def _draw(ax: Axes, panel: _Panel, font: font_manager.FontProperties) -> None:
    names = [b[0] for b in panel.bars]
    values = [b[1] for b in panel.bars]
    positions = list(range(len(values)))[::-1]
    ax.barh(positions, values, color=[b[2] for b in panel.bars], height=0.6)
    ax.set_yticks(positions, names, fontproperties=font, fontsize=9)
    ax.set_title(panel.title, fontproperties=font, fontsize=11, loc="left")
    if panel.axis != panel.title:
        ax.set_xlabel(panel.axis, fontproperties=font, fontsize=9)
    ax.set_ylim(-0.7, max(len(values), 2) - 0.3)  # one bar is no thicker than two
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    high = max(max(finite), panel.schedule or 0.0, 0.0)
    low = min(min(finite), 0.0)
    for pos, value in zip(positions, values, strict=True):
        if math.isfinite(value):
            ax.annotate(
                f"{value:,.{panel.decimals}f}",
                (value, pos),
                xytext=(3 if value >= 0 else -3, 0),
                textcoords="offset points",
                ha="left" if value >= 0 else "right",
                va="center",
                fontsize=8,
            )
    if panel.schedule is not None:
        ax.axvline(panel.schedule, color=_SCHEDULE, linestyle="--", linewidth=1.5)
        ax.text(
            panel.schedule,
            len(values) - 0.4,
            texts.CIRC_CHART_SCHEDULE.format(pct=f"{panel.schedule:.1f}%"),
            color=_SCHEDULE,
            fontproperties=font,
            ha="center",
            va="bottom",
            fontsize=9,
        )
        ax.set_ylim(-0.7, max(len(values), 2) + 0.4)
    ax.axvline(0, color="#4a5568", linewidth=0.8)
    span = (high - low) or 1.0
    ax.set_xlim(low - (0.2 * span if low < 0 else 0.0), high + 0.22 * span)
    ax.grid(axis="x", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)


def chart_png(data: CircularData, jurisdiction: str, dpi: int = 110) -> bytes | None:
    """The month's figures per indicator (each unit's, the streets together), with progress
    against the annual target (and the 序时进度 line) and 同比 where they exist; None when the
    month has nothing to draw (no accepted figure), so that no empty chart is sent."""
    panels = [*_summary_panels(data), *_figure_panels(data)]
    if not panels:
        return None
    font = cjk_font()
    heights = [1.0 + 0.3 * len(p.bars) for p in panels]
    figure = Figure(figsize=(9, 0.8 + sum(heights)), dpi=dpi)
    grid = figure.add_gridspec(len(panels), 1, height_ratios=heights)
    month = data.month
    figure.suptitle(
        texts.CIRC_CHART_TITLE.format(
            jurisdiction=jurisdiction, year=month.year, month=month.month
        ),
        fontproperties=font,
        fontsize=14,
    )
    for k, panel in enumerate(panels):
        _draw(figure.add_subplot(grid[k]), panel, font)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
