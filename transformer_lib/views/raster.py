"""The live widget's picture of a frame, drawn with Pillow at the speed of a hand.

Why not matplotlib: in a kernel the old widget spent 0.5-0.8 s per change in the inline
backend's PNG with a tight bounding box, and even matplotlib's bare Agg canvas spends
0.5-2 ms on every string it draws (a frame has 40-150: tick labels, cell values, titles),
and runs its layout again whenever a label changes, which most controls do (a new
sentence, a new length). Pillow draws a string from FreeType's cached glyphs in tens of
microseconds, so a whole frame takes a few tens of milliseconds, whatever changed.

The picture follows the static figure (:func:`transformer_lib.views.drawing.draw_frame`):
same panel widths and figure size, font (matplotlib's DejaVu Sans), viridis colour map,
tick positions (matplotlib's ``MaxNLocator``), labelled axes, titles, colour bars, legends,
the caption wrapped the same way; it is not pixel-identical.
"""

from __future__ import annotations

import functools
import io
import math
import threading
from pathlib import Path

import numpy as np

from transformer_lib.views.drawing import BAR, HEIGHT, HIGHLIGHT, caption_text, many_cells, panel_widths

TAB10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
SS = 3  # supersampling of the line panels (Pillow's lines are not antialiased)
_LOCK = threading.Lock()  # one drawing at a time: the cached fonts and text masks are shared


@functools.lru_cache(maxsize=None)
def _font(px: int):
    import matplotlib
    from PIL import ImageFont

    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), px)


@functools.lru_cache(maxsize=None)
def _viridis() -> np.ndarray:
    import matplotlib

    return (matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).round().astype(np.uint8)  # (256, 3)


def _resample(name: str):
    """A Pillow resampling filter (``Image.Resampling`` since Pillow 9.1, module constants before)."""
    from PIL import Image

    return getattr(getattr(Image, "Resampling", Image), name)


@functools.lru_cache(maxsize=8192)
def _text_mask(text: str, px: int, angle: float):
    """A string as an antialiased mask ("L" image), rotated counter-clockwise by ``angle``."""
    from PIL import Image, ImageDraw

    f = _font(px)
    ascent, descent = f.getmetrics()
    mask = Image.new("L", (max(1, math.ceil(f.getlength(text))), ascent + descent), 0)
    ImageDraw.Draw(mask).text((0, 0), text, font=f, fill=255)
    return mask.rotate(angle, expand=True, resample=_resample("BICUBIC")) if angle else mask


def _ticks(lo: float, hi: float, length_px: float, font_px: int, integer: bool = False) -> list[float]:
    from matplotlib.ticker import MaxNLocator

    nbins = max(2, min(9, int(length_px / (2.5 * font_px))))
    vals = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10], integer=integer).tick_values(lo, hi)
    eps = 1e-9 * max(1.0, abs(hi - lo))
    return [float(v) for v in vals if lo - eps <= v <= hi + eps]


def _tick_labels(vals: list[float]) -> list[str]:
    """Numbers with the fewest decimals that show them all exactly, and a real minus sign."""
    for d in range(7):
        if all(abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)) for v in vals):
            break
    return [f"{v + 0.0:.{d}f}".replace("-", "\u2212") for v in vals]


def _range(values, lo, hi, margin: float) -> tuple[float, float]:
    """Fixed limits where given, else the finite data's range with matplotlib's 5 % margins."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    a, b = (float(v.min()), float(v.max())) if v.size else (0.0, 1.0)
    pad = margin * ((b - a) or 1.0)
    return (lo if lo is not None else a - pad), (hi if hi is not None else b + pad)


class _Canvas:
    """An RGB picture and the few primitives a frame needs, in pixels (y downwards)."""

    def __init__(self, w: int, h: int, dpi: float):
        from PIL import Image, ImageDraw

        self.img = Image.new("RGB", (w, h), "white")
        self.draw = ImageDraw.Draw(self.img)
        self.pt = dpi / 72.0  # pixels per point

    def px(self, points: float) -> int:
        return max(1, round(points * self.pt))

    def text(self, x, y, s, size=10.0, color="black", ha="left", va="top", angle=0.0):
        if not s:
            return
        mask = _text_mask(str(s), self.px(size), angle)
        w, h = mask.size
        x0 = round(x - {"left": 0, "center": w / 2, "right": w}[ha])
        x0 = min(max(x0, 0), self.img.width - w)  # a long title stays inside the picture
        y0 = round(y - {"top": 0, "center": h / 2, "bottom": h}[va])
        self.img.paste(color, (x0, y0, x0 + w, y0 + h), mask)

    def text_size(self, s, size=10.0, angle=0.0) -> tuple[int, int]:
        return _text_mask(str(s), self.px(size), angle).size if s else (0, 0)


class _Panel:
    """One panel's ticks and labels, measured before the layout places its plot area."""

    def __init__(self, cv: _Canvas, p: dict):
        self.cv, self.p, self.kind = cv, p, p["kind"]
        self.xticks: list = []  # (data position, label)
        self.yticks: list = []
        self.xangle, self.xha = 0.0, "center"
        if self.kind == "heatmap":
            z = np.array(p["z"], dtype=float)  # None -> NaN
            self.z = z
            many = many_cells(z)
            self.xlim, self.ylim = (-0.5, z.shape[1] - 0.5), (z.shape[0] - 0.5, -0.5)  # row 0 at the top
            self.clim = _range(z, p["vmin"], p["vmax"], 0.0)
            if p["x"] is not None and not many:
                self.xticks = list(enumerate(p["x"]))
                if max(map(len, p["x"]), default=0) > 2:
                    self.xangle, self.xha = 60.0, "right"
            if p["y"] is not None and not many:
                self.yticks = list(enumerate(p["y"]))
        elif self.kind == "bars":
            n = len(p["values"])
            self.xlim = (-0.4 - 0.05 * (n - 0.2), n - 0.6 + 0.05 * (n - 0.2))
            vals = [0.0] + [v for v in p["values"] if v is not None]
            lo, hi = _range(vals, None, None, 0.05)
            self.ylim = (min(0.0, lo) if min(vals) < 0 else 0.0, p["vmax"] if p["vmax"] is not None else hi)
            self.xticks = list(enumerate(p["labels"]))
            self.xangle, self.xha = 50.0, "right"
        else:
            self.xlim = _range(p["x"], None, None, 0.05)
            ys = [v for s in p["series"] for v in s["y"] if v is not None]
            self.ylim = _range(ys, p["ymin"], p["ymax"], 0.05)

    def numeric_ticks(self, w: int, h: int) -> None:
        """Ticks at round numbers where the panel has no labels, now that its size is known."""
        f = self.cv.px(10)
        integer = self.kind == "heatmap"
        if not self.xticks and self.kind != "bars":
            lo, hi = sorted(self.xlim)
            vals = _ticks(lo, hi, w, f * 1.5, integer)
            self.xticks = list(zip(vals, _tick_labels(vals)))
        if not self.yticks:
            lo, hi = sorted(self.ylim)
            vals = _ticks(lo, hi, h, f, integer)
            self.yticks = list(zip(vals, _tick_labels(vals)))

    # margins around the plot area, in pixels
    def top(self) -> int:
        return (self.cv.text_size(self.p["title"])[1] + self.cv.px(6)) if self.p["title"] else self.cv.px(4)

    def bottom(self) -> int:
        lab = max((self.cv.text_size(s, angle=self.xangle)[1] for _, s in self.xticks), default=0)
        xl = self.p.get("xlabel", "")
        return self.cv.px(7) + lab + (self.cv.text_size(xl)[1] + self.cv.px(4) if xl else 0) + self.cv.px(2)

    def left(self, ylabels: list[str]) -> int:
        lab = max((self.cv.text_size(s)[0] for s in ylabels), default=0)
        yl = self.p.get("ylabel", "")
        return self.cv.px(7) + lab + (self.cv.text_size(yl, angle=90)[0] + self.cv.px(4) if yl else 0) + self.cv.px(4)

    def right(self) -> int:
        if self.kind != "heatmap":
            return self.cv.px(6)
        labels = _tick_labels(self.colorbar_ticks())
        return self.cv.px(28) + max((self.cv.text_size(s)[0] for s in labels), default=0) + self.cv.px(6)

    def colorbar_ticks(self) -> list[float]:
        return _ticks(*self.clim, self.cv.px(HEIGHT * 72 * 0.6), self.cv.px(10))

    # drawing, once the plot area (x0, y0, x1, y1) is placed
    def draw(self, box) -> None:
        cv, p = self.cv, self.p
        x0, y0, x1, y1 = box
        sx = lambda v: x0 + (v - self.xlim[0]) / ((self.xlim[1] - self.xlim[0]) or 1) * (x1 - x0)  # noqa: E731
        sy = lambda v: y1 - (v - self.ylim[0]) / ((self.ylim[1] - self.ylim[0]) or 1) * (y1 - y0)  # noqa: E731
        getattr(self, "_" + self.kind)(box, sx, sy)
        lw = cv.px(0.8)
        cv.draw.rectangle((x0 - lw, y0 - lw, x1 + lw - 1, y1 + lw - 1), outline="black", width=lw)
        tick, pad = cv.px(3.5), cv.px(3.5)
        for v, s in self.xticks:
            x = round(sx(v))
            cv.draw.line((x, y1 + lw, x, y1 + lw + tick), fill="black", width=lw)
            cv.text(x, y1 + lw + tick + pad, s, ha=self.xha, va="top", angle=self.xangle)
        for v, s in self.yticks:
            y = round(sy(v))
            cv.draw.line((x0 - lw - tick, y, x0 - lw, y), fill="black", width=lw)
            cv.text(x0 - lw - tick - pad, y, s, ha="right", va="center")
        if p["title"]:
            cv.text((x0 + x1) / 2, y0 - cv.px(6), p["title"], ha="center", va="bottom")

    def _heatmap(self, box, sx, sy) -> None:
        from PIL import Image

        cv, z, (lo, hi) = self.cv, self.z, self.clim
        x0, y0, x1, y1 = box
        t = np.clip((z - lo) / ((hi - lo) or 1.0), 0, 1)
        rgb = _viridis()[np.nan_to_num(t * 255, nan=0).round().astype(int)]  # (rows, cols, 3)
        rgb[~np.isfinite(z)] = 255  # matplotlib leaves non-finite cells blank
        cv.img.paste(Image.fromarray(rgb, "RGB").resize((x1 - x0, y1 - y0), _resample("NEAREST")), (x0, y0))
        d = self.p["decimals"] if z.size <= 144 else None  # as the static figure writes them
        if d is not None:
            for (r, c), v in np.ndenumerate(z):
                tv = (v - lo) / ((hi - lo) or 1.0)
                cv.text(sx(c), sy(r), f"{v:.{d}f}".replace("-", "\u2212") if np.isfinite(v) else str(v), size=8,
                        color="black" if tv > 0.6 else "white", ha="center", va="center")
        # the colour bar, ticks on its right
        bx0, bw = x1 + cv.px(8), cv.px(10)
        ramp = _viridis()[np.linspace(255, 0, max(2, y1 - y0)).round().astype(int)][:, None, :]  # top = high
        cv.img.paste(Image.fromarray(np.repeat(ramp, bw, axis=1), "RGB"), (bx0, y0))
        cv.draw.rectangle((bx0, y0, bx0 + bw, y1), outline="black", width=cv.px(0.8))
        vals = self.colorbar_ticks()
        for v, s in zip(vals, _tick_labels(vals)):
            y = round(y1 - (v - lo) / ((hi - lo) or 1.0) * (y1 - y0))
            cv.draw.line((bx0 + bw, y, bx0 + bw + cv.px(3.5), y), fill="black", width=cv.px(0.8))
            cv.text(bx0 + bw + cv.px(6), y, s, va="center")

    def _bars(self, box, sx, sy) -> None:
        p = self.p
        base = sy(max(self.ylim[0], 0.0))
        for i, v in enumerate(p["values"]):
            if v is None:
                continue
            top = sy(min(max(v, self.ylim[0]), self.ylim[1]))
            a, b = sorted((base, top))
            self.cv.draw.rectangle((round(sx(i - 0.4)), round(a), round(sx(i + 0.4)) - 1, round(b)),
                                   fill=HIGHLIGHT if i in p["highlight"] else BAR)

    def _line(self, box, sx, sy) -> None:
        from PIL import Image, ImageDraw

        cv, p = self.cv, self.p
        x0, y0, x1, y1 = box
        layer = Image.new("RGBA", ((x1 - x0) * SS, (y1 - y0) * SS), (255, 255, 255, 0))
        d = ImageDraw.Draw(layer)
        to = lambda x, y: ((sx(x) - x0) * SS, (sy(y) - y0) * SS)  # noqa: E731
        width = round(1.5 * cv.pt * SS)
        for k, s in enumerate(p["series"]):
            pts = [to(x, y) for x, y in zip(p["x"], s["y"]) if y is not None]
            if len(pts) > 1:
                d.line(pts, fill=TAB10[k % len(TAB10)], width=width, joint="curve")
        if p["highlight_x"] is not None:
            x = to(p["highlight_x"], 0)[0]
            dash, gap = 3.7 * width, 1.6 * width
            y = 0.0
            while y < layer.height:
                d.line((x, y, x, min(y + dash, layer.height)), fill=HIGHLIGHT, width=width)
                y += dash + gap
        layer = layer.resize((x1 - x0, y1 - y0), _resample("LANCZOS"))
        cv.img.paste(layer, (x0, y0), layer)
        self._legend(box, [(s["name"], TAB10[k % len(TAB10)]) for k, s in enumerate(p["series"])])

    def _legend(self, box, entries) -> None:
        """Entries in the corner that covers the fewest data points (matplotlib's ``loc="best"``)."""
        cv = self.cv
        if not entries:
            return
        x0, y0, x1, y1 = box
        size, pad, sample = 8, cv.px(4), cv.px(20)
        th = cv.text_size("Ag", size)[1]
        w = pad * 3 + sample + max(cv.text_size(n, size)[0] for n, _ in entries)
        h = pad * 2 + th * len(entries)
        xs = np.array([self.p["x"]] * len(self.p["series"]), dtype=float).ravel()
        ys = np.array([s["y"] for s in self.p["series"]], dtype=float).ravel()
        px = x0 + (xs - self.xlim[0]) / ((self.xlim[1] - self.xlim[0]) or 1) * (x1 - x0)
        py = y1 - (ys - self.ylim[0]) / ((self.ylim[1] - self.ylim[0]) or 1) * (y1 - y0)
        m = cv.px(5)
        corners = [(x1 - m - w, y0 + m), (x0 + m, y0 + m), (x0 + m, y1 - m - h), (x1 - m - w, y1 - m - h)]
        lx, ly = min(corners, key=lambda c: int(((px >= c[0]) & (px <= c[0] + w) & (py >= c[1]) & (py <= c[1] + h)).sum()))
        lx, ly = round(lx), round(ly)
        cv.draw.rectangle((lx, ly, lx + w, ly + h), fill="white", outline="#cccccc", width=1)
        for k, (name, color) in enumerate(entries):
            yc = ly + pad + th * k + th / 2
            cv.draw.line((lx + pad, yc, lx + pad + sample, yc), fill=color, width=max(1, round(1.5 * cv.pt)))
            cv.text(lx + 2 * pad + sample, yc, name, size=size, va="center")


def draw(fr: dict, dpi: float = 80):
    """Draw frame ``fr`` (see :func:`transformer_lib.views.frame`); thread-safe.

    Returns:
        the RGB ``PIL.Image`` and each panel's plot area ``(x0, y0, x1, y1)`` in pixels.
    """
    with _LOCK:
        return _draw(fr, dpi)


def _draw(fr: dict, dpi: float):
    widths = panel_widths(fr["panels"])
    caption = caption_text(fr)
    lines = caption.splitlines()
    cv = _Canvas(round(sum(widths) * dpi), round((HEIGHT + 0.18 * max(0, len(lines) - 1)) * dpi), dpi)
    top = cv.px(6)
    for line in lines:  # the caption on top, as the static figure's suptitle
        cv.text(cv.img.width / 2, top, line, ha="center")
        top += cv.text_size("Ag")[1]
    top += cv.px(4)
    panels = [_Panel(cv, p) for p in fr["panels"]]
    bottom = cv.img.height - cv.px(4)
    # the plot areas' heights first (shared by the row, as constrained layout aligns them) ...
    t = top + max(pn.top() for pn in panels)
    b = bottom - max(pn.bottom() for pn in panels)
    for pn, w in zip(panels, widths):  # ... then numeric ticks, which need the plot's size
        pn.numeric_ticks(round(w * dpi * 0.7), b - t)
    b = bottom - max(pn.bottom() for pn in panels)
    x, boxes = 0.0, []
    for pn, w in zip(panels, widths):
        left = x + pn.left([s for _, s in pn.yticks])
        right = x + w * dpi - pn.right()
        boxes.append((round(left), t, max(round(left) + 10, round(right)), max(t + 10, b)))
        pn.draw(boxes[-1])
        p = pn.p
        if p.get("xlabel"):
            cv.text((left + right) / 2, bottom, p["xlabel"], ha="center", va="bottom")
        if p.get("ylabel"):
            cv.text(x + cv.px(4), (t + b) / 2, p["ylabel"], ha="left", va="center", angle=90)
        x += w * dpi
    return cv.img, boxes


def draw_png(fr: dict, dpi: float = 80) -> bytes:
    """Draw frame ``fr`` and return PNG bytes (light compression: speed matters more than size)."""
    out = io.BytesIO()
    img, _ = draw(fr, dpi)
    img.save(out, format="png", compress_level=1)
    return out.getvalue()
