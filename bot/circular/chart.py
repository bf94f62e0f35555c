"""The circular's chart as a PNG (matplotlib, Agg backend) with a CJK font found on the system.

Without a CJK font Chinese labels would come out as empty boxes, so a missing one is an error
(install Debian's fonts-noto-cjk), never a silent fallback.
"""

from __future__ import annotations

import functools
import io
import math

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
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


def chart_png(data: CircularData, jurisdiction: str, dpi: int = 110) -> bytes:
    """Progress against the annual target per indicator (with the 序时进度 line); where no
    indicator has a target, year-on-year growth instead."""
    font = cjk_font()
    frame = data.indicators
    with_target = frame[frame["progress_pct"].notna()]
    if not with_target.empty:
        shown, column, axis = with_target, "progress_pct", texts.CIRC_CHART_PROGRESS
    else:
        shown, column, axis = frame[frame["yoy_pct"].notna()], "yoy_pct", texts.CIRC_CHART_YOY
    shown = shown.head(MAX_BARS)
    bars = max(len(shown), 1)
    figure = Figure(figsize=(9, 1.6 + 0.42 * bars), dpi=dpi)
    ax = figure.add_subplot()
    month = data.month
    ax.set_title(
        texts.CIRC_CHART_TITLE.format(
            jurisdiction=jurisdiction, year=month.year, month=month.month
        ),
        fontproperties=font,
        fontsize=14,
    )
    if shown.empty:
        ax.text(0.5, 0.5, texts.CIRC_CHART_EMPTY, ha="center", va="center", fontproperties=font)
        ax.set_axis_off()
    else:
        names = [_label(str(n)) for n in shown["name"]]
        values = [float(v) for v in shown[column]]
        positions = list(range(len(values)))[::-1]
        colours = ["#2b6cb0" if v >= 0 else "#c53030" for v in values]
        ax.barh(positions, values, color=colours, height=0.6)
        ax.set_yticks(positions, names, fontproperties=font)
        ax.set_xlabel(axis, fontproperties=font)
        for pos, value in zip(positions, values, strict=True):
            if math.isfinite(value):
                ax.annotate(
                    f"{value:.1f}",
                    (value, pos),
                    xytext=(3 if value >= 0 else -3, 0),
                    textcoords="offset points",
                    ha="left" if value >= 0 else "right",
                    va="center",
                    fontsize=9,
                )
        if column == "progress_pct":
            ax.axvline(data.schedule_pct, color="#dd6b20", linestyle="--", linewidth=1.5)
            ax.text(
                data.schedule_pct,
                len(values) - 0.4,
                texts.CIRC_CHART_SCHEDULE.format(pct=f"{data.schedule_pct:.1f}%"),
                color="#dd6b20",
                fontproperties=font,
                ha="center",
                va="bottom",
            )
            ax.set_ylim(-0.6, len(values) + 0.2)
            finite = [v for v in values if math.isfinite(v)] or [0.0]
            ax.set_xlim(min(0.0, min(finite) * 1.15), max(max(finite), data.schedule_pct) * 1.15)
        else:
            ax.axvline(0, color="#4a5568", linewidth=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
