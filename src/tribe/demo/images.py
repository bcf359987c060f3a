"""Placeholder pictures for the demo: a coloured tile with the product kind written on it.

With a CJK font on the machine (fonts-noto-cjk, wqy, …) the tile shows Chinese (奶粉); without one it shows
the pinyin (NAIFEN), because Pillow's built-in font has no CJK glyphs and would draw empty boxes.
"""

from __future__ import annotations

import colorsys
import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pypinyin import lazy_pinyin

CJK_FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
# The thumbnail side of tribe.core.images: a tile this size is stored as is, with no resizing, which halves
# the seeding time compared with larger tiles.
TILE_SIDE = 400
LATIN_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    for path in CJK_FONT_PATHS:
        if Path(path).is_file():
            return path
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(
                ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        for line in sorted(out.splitlines()):
            path = line.split(":")[0].strip()
            if path and Path(path).is_file():
                return path
    return None


@lru_cache(maxsize=32)
def _font(size: int, cjk: bool):
    paths = ((cjk_font_path(),) if cjk else ()) + LATIN_FONT_PATHS
    for path in paths:
        if path and Path(path).is_file():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default(size=size)


def _readable(text: str) -> tuple[str, bool]:
    """The text itself if a CJK font can draw it, else its pinyin in capitals."""
    if text.isascii() or cjk_font_path():
        return text, not text.isascii()
    return "".join(lazy_pinyin(text)).upper(), False


def _fit(draw: ImageDraw.ImageDraw, text: str, cjk: bool, max_width: int, start: int):
    size = start
    while size > 12:
        font = _font(size, cjk)
        if draw.textlength(text, font=font) <= max_width:
            return font
        size -= 6
    return _font(12, cjk)


def colour(hue: float, shade: float) -> tuple[int, int, int]:
    """A soft colour: `hue` in degrees, `shade` 0..1 moves lightness a little for variety."""
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, 0.55 + 0.2 * shade, 0.45)
    return int(r * 255), int(g * 255), int(b * 255)


def tile(
    title: str,
    caption: str = "",
    *,
    rgb: tuple[int, int, int],
    size: tuple[int, int] = (TILE_SIDE, TILE_SIDE),
) -> bytes:
    """A JPEG with `title` big in the middle and `caption` small under it."""
    width, height = size
    img = Image.new("RGB", size, rgb)
    draw = ImageDraw.Draw(img)
    ink = (255, 255, 255)
    draw.rectangle([12, 12, width - 13, height - 13], outline=ink, width=3)
    text, cjk = _readable(title)
    font = _fit(draw, text, cjk, int(width * 0.8), int(min(width, height) * 0.28))
    draw.text(
        (width / 2, height / 2 - (height * 0.04 if caption else 0)), text, fill=ink, font=font, anchor="mm"
    )
    small, small_cjk = _readable(caption)
    if caption and (small_cjk or caption.isascii() or len(small) <= 24):  # long pinyin is unreadable: skip it
        cfont = _fit(draw, small, small_cjk, int(width * 0.85), int(min(width, height) * 0.08))
        draw.text((width / 2, height * 0.78), small, fill=ink, font=cfont, anchor="mm")
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()
