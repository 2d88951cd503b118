"""Charts drawn on the server as SVG: a person looks at the shape, the table beside it gives the numbers."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


@dataclass
class Series:
    name: str
    values: list[float | None]  # 0.0–1.0, None where there is nothing to show
    css: str
    dashed_from: int | None = None  # index from which the values are still growing


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value)


def line_chart(labels: list[str], series: list[Series]) -> dict:
    """Coordinates for analytics/_line_chart.html: gridlines at 0, 25, 50, 75, 100 %, one polyline
    per series (split where a value is missing), a dot per value."""
    count = len(labels)
    lines = []
    for s in series:
        solid: list[tuple[float, float]] = []
        dashed: list[tuple[float, float]] = []
        dots = []
        for index, value in enumerate(s.values):
            if value is None:
                continue
            point = (round(_x(index, count), 1), round(_y(value), 1))
            dots.append({"x": point[0], "y": point[1], "label": labels[index], "value": round(value * 100)})
            if s.dashed_from is not None and index >= s.dashed_from:
                if not dashed and solid:
                    dashed.append(solid[-1])
                dashed.append(point)
            else:
                solid.append(point)
        lines.append(
            {
                "name": s.name,
                "css": s.css,
                "solid": " ".join(f"{x},{y}" for x, y in solid),
                "dashed": " ".join(f"{x},{y}" for x, y in dashed),
                "dots": dots,
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "grid": [{"y": round(_y(v / 100), 1), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)],
        "ticks": [{"x": round(_x(i, count), 1), "label": label} for i, label in enumerate(labels)],
        "lines": lines,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM + 18,
    }


def bar_chart(labels: list[str], values: list[float | None], css: str) -> dict:
    count = len(labels)
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)
    bars = []
    for index, value in enumerate(values):
        if value is None:
            continue
        top = _y(value)
        bars.append(
            {
                "x": round(LEFT + slot * index + slot * 0.2, 1),
                "y": round(top, 1),
                "width": round(slot * 0.6, 1),
                "height": round(_y(0) - top, 1),
                "label": labels[index],
                "value": round(value * 100),
            }
        )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "grid": [{"y": round(_y(v / 100), 1), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)],
        "ticks": [{"x": round(LEFT + slot * (i + 0.5), 1), "label": label} for i, label in enumerate(labels)],
        "bars": bars,
        "css": css,
        "unit": "%",
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM + 18,
    }


def _step(largest: int) -> int:
    """The gridline step (1, 2 or 5 times a power of ten) that fits the largest count in four steps."""
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            if base * magnitude * 4 >= largest:
                return base * magnitude
        magnitude *= 10


def count_chart(labels: list[str], counts: list[int | None], css: str) -> dict:
    """Bars of counts, with gridlines at round numbers."""
    step = _step(max((count for count in counts if count is not None), default=0))
    top = step * 4
    chart = bar_chart(labels, [None if count is None else count / top for count in counts], css)
    chart["grid"] = [{"y": round(_y(i / 4), 1), "label": str(step * i)} for i in range(5)]
    for bar, count in zip(chart["bars"], [count for count in counts if count is not None], strict=True):
        bar["value"] = count
    chart["unit"] = ""
    return chart
