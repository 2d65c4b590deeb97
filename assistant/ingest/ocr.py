"""Optical character recognition of scanned pages and photos: Tesseract (Debian ``tesseract-ocr`` with the
Vietnamese and English models), through ``pytesseract``.

Each page image is converted to grey, straightened (small skew found by the sharpest row profile; a page
turned by 90/180/270 degrees found by Tesseract's orientation detection when the first reading is poor), then
read word by word. The page's confidence is the mean of Tesseract's word confidences (0-100), so pages that
read badly can be reported as warnings on the document.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.errors import IngestError

OCR_DPI = 300
LOW_CONFIDENCE = 60.0  # mean word confidence below which a page is reported
_SKEW_ANGLES = np.arange(-5.0, 5.01, 0.5)


@dataclass(frozen=True)
class OcrPage:
    """The text read from one page image, how sure Tesseract was (0-100) and how much the page was turned."""

    text: str
    confidence: float
    rotation: float = 0.0


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _require_tesseract() -> Any:
    if not tesseract_available():
        raise IngestError("this file needs OCR (a scan or a photo) and Tesseract is not installed: "
                          "install the Debian packages tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng")
    try:
        import pytesseract
    except ImportError as exc:  # a dependency of the project; only missing in a broken install
        raise IngestError("this file needs OCR and the Python package pytesseract is missing") from exc
    return pytesseract


def _grey(image: Any) -> Any:
    return image.convert("L")


def skew_angle(image: Any) -> float:
    """The small rotation (degrees, within ±5) that makes text rows horizontal: the angle whose row profile
    of dark pixels is the most peaked."""
    small = image.copy()
    small.thumbnail((1000, 1000))
    dark = (np.asarray(small, dtype=np.uint8) < 128)
    if dark.mean() < 0.002:  # a blank page
        return 0.0
    from PIL import Image

    best, best_score = 0.0, -1.0
    mask = Image.fromarray((dark * 255).astype(np.uint8))
    for angle in _SKEW_ANGLES:
        rotated = np.asarray(mask.rotate(float(angle), resample=Image.NEAREST, expand=False)) > 0
        profile = rotated.sum(axis=1).astype(np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def _read(pytesseract: Any, image: Any, languages: str) -> tuple[str, float, int]:
    """Text (lines and paragraphs kept), mean word confidence, and the number of words."""
    data = pytesseract.image_to_data(image, lang=languages, config="--psm 3",
                                     output_type=pytesseract.Output.DICT)
    lines: list[str] = []
    current: list[str] = []
    last_key: tuple[int, int, int] | None = None
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if last_key is not None and key != last_key:
            lines.append(" ".join(current))
            if key[:2] != last_key[:2]:
                lines.append("")  # a new paragraph or block
            current = []
        last_key = key
        word = word.strip()
        if word:
            current.append(word)
            confidence = float(data["conf"][i])
            if confidence >= 0:
                confidences.append(confidence)
    if current:
        lines.append(" ".join(current))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, (float(np.mean(confidences)) if confidences else 0.0), len(confidences)


def _orientation(pytesseract: Any, image: Any) -> int:
    """Degrees Tesseract says the page must be turned (0, 90, 180, 270); 0 when it cannot tell."""
    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0 -c min_characters_to_try=5",
                                       output_type=pytesseract.Output.DICT)
        return int(osd.get("rotate", 0)) % 360
    except Exception:  # too little text to tell
        return 0


def ocr_image(image: Any, languages: str = "vie+eng") -> OcrPage:
    """Read one page image (a PIL image): straighten it, read it, and retry turned when it reads poorly."""
    pytesseract = _require_tesseract()
    from PIL import Image

    grey = _grey(image)
    angle = skew_angle(grey)
    if angle:
        grey = grey.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    text, confidence, words = _read(pytesseract, grey, languages)
    if confidence < LOW_CONFIDENCE or words < 5:
        turn = _orientation(pytesseract, grey)
        if turn:
            turned = grey.rotate(-turn, expand=True, fillcolor=255)
            text2, confidence2, words2 = _read(pytesseract, turned, languages)
            if confidence2 > confidence:
                return OcrPage(text2, round(confidence2, 1), float(turn) + angle)
    return OcrPage(text, round(confidence, 1), angle)


def image_pages(data: bytes) -> list[Any]:
    """Every page (frame) of an image file: PNG, JPEG, or a multi-page TIFF."""
    from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        frames = [ImageOps.exif_transpose(frame.copy()) for frame in ImageSequence.Iterator(image)]
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise IngestError(f"unreadable or corrupt image: {exc}") from exc
    if not frames:
        raise IngestError("the image has no pages")
    return frames
