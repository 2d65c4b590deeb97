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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


# Who hears "page ``done`` of ``total`` read" while a long scan is read (a CLI bar, an upload job, the parent of
# the isolated parser); one per process, set around the reading.
PageReporter = Callable[[int, int], None]
_page_reporter: PageReporter | None = None


@contextmanager
def reporting_pages(reporter: PageReporter | None) -> Iterator[None]:
    """Within the block, every page OCR finishes is reported to ``reporter``."""
    global _page_reporter
    previous, _page_reporter = _page_reporter, reporter
    try:
        yield
    finally:
        _page_reporter = previous


def set_page_reporter(reporter: PageReporter | None) -> None:
    """For a whole process (the isolated parser's child sends its pages to the parent)."""
    global _page_reporter
    _page_reporter = reporter


def page_progress(progress: Callable[[float, str], None]) -> PageReporter:
    """A page reporter that tells ``progress`` (fraction, message) how far OCR got."""
    return lambda done, total: progress(done / max(1, total), f"OCR page {done} of {total}")


def report_page(done: int, total: int) -> None:
    if _page_reporter is not None:
        _page_reporter(done, total)


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _require_tesseract() -> Any:
    if not tesseract_available():
        raise IngestError(
            "this file needs OCR (a scan or a photo) and Tesseract is not installed: "
            "install the Debian packages tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng"
        )
    try:
        import pytesseract
    except ImportError as exc:  # a dependency of the project; only missing in a broken install
        raise IngestError("this file needs OCR and the Python package pytesseract is missing") from exc
    return pytesseract


MIN_PAGE_PIXELS = 2000  # a page's longer side below this (a photo at low resolution) is enlarged first
UNEVEN_LIGHT = 1.15  # paper brighter than this many times its darkest part: the light is evened out


def _grey(image: Any) -> Any:
    """Grey, enlarged when small (a phone photo of a page), with the light evened out (a shadow across the
    page defeats Tesseract's one global threshold): each pixel divided by the local paper brightness."""
    from PIL import Image, ImageFilter

    grey = image.convert("L")
    longest = max(grey.size)
    if longest < MIN_PAGE_PIXELS:
        factor = MIN_PAGE_PIXELS / longest
        grey = grey.resize((round(grey.width * factor), round(grey.height * factor)), Image.Resampling.LANCZOS)
    small = grey.resize((max(1, grey.width // 8), max(1, grey.height // 8)), Image.Resampling.BILINEAR)
    paper_small = np.asarray(
        small.filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.GaussianBlur(3)), dtype=np.float32
    )
    if np.percentile(paper_small, 95) <= UNEVEN_LIGHT * max(float(np.percentile(paper_small, 5)), 1.0):
        return grey  # evenly lit (a scanner): left as it is
    paper = Image.fromarray(paper_small.astype(np.uint8)).resize(grey.size, Image.Resampling.BILINEAR)
    pixels = np.asarray(grey, dtype=np.float32) / np.maximum(np.asarray(paper, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(pixels * 255.0, 0, 255).astype(np.uint8))


def skew_angle(image: Any) -> float:
    """The small rotation (degrees, within ±5) that makes text rows horizontal: the angle whose row profile
    of dark pixels is the most peaked."""
    small = image.copy()
    small.thumbnail((1000, 1000))
    dark = np.asarray(small, dtype=np.uint8) < 128
    if dark.mean() < 0.002:  # a blank page
        return 0.0
    from PIL import Image

    best, best_score = 0.0, -1.0
    mask = Image.fromarray((dark * 255).astype(np.uint8))
    for angle in _SKEW_ANGLES:
        rotated = np.asarray(mask.rotate(float(angle), resample=Image.Resampling.NEAREST, expand=False)) > 0
        profile = rotated.sum(axis=1).astype(np.float64)
        score = float(np.square(np.diff(profile)).sum())
        if score > best_score:
            best, best_score = float(angle), score
    return best


def _read(pytesseract: Any, image: Any, languages: str) -> tuple[str, float, int]:
    """Text (lines and paragraphs kept), mean word confidence, and the number of words."""
    data = pytesseract.image_to_data(image, lang=languages, config="--psm 3", output_type=pytesseract.Output.DICT)
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
        osd = pytesseract.image_to_osd(
            image, config="--psm 0 -c min_characters_to_try=5", output_type=pytesseract.Output.DICT
        )
        return int(osd.get("rotate", 0)) % 360
    except Exception:  # too little text to tell
        return 0


def ocr_image(image: Any, languages: str | None = None) -> OcrPage:
    """Read one page image (a PIL image): straighten it, read it, and retry turned when it reads poorly.

    ``languages`` (Tesseract codes) default to Vietnamese alone, then English for a page that reads as English:
    measured on our corpus at 300 dpi, ``vie`` alone halves the errors of ``vie+eng`` on Vietnamese text (the
    mixed model reads whole lines without their marks: ``Tan Lap, ngay 08 thang``), and ``eng`` is best on
    English."""
    pytesseract = _require_tesseract()
    from PIL import Image

    grey = _grey(image)
    angle = skew_angle(grey)
    if angle:
        grey = grey.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    text, confidence, words = _read_in(pytesseract, grey, languages)
    if confidence < LOW_CONFIDENCE or words < 5:
        turn = _orientation(pytesseract, grey)
        if turn:
            turned = grey.rotate(-turn, expand=True, fillcolor=255)
            text2, confidence2, words2 = _read_in(pytesseract, turned, languages)
            if confidence2 > confidence:
                return OcrPage(text2, round(confidence2, 1), float(turn) + angle)
    return OcrPage(text, round(confidence, 1), angle)


def _read_in(pytesseract: Any, image: Any, languages: str | None) -> tuple[str, float, int]:
    """``_read`` in the given languages, or Vietnamese and then English when the page reads as English."""
    if languages:
        return _read(pytesseract, image, languages)
    from assistant.ingest.structure import detect_language

    read = _read(pytesseract, image, "vie")
    if detect_language(read[0]) == "en":
        english = _read(pytesseract, image, "eng")
        if english[1] >= read[1]:
            return english
    if _NUMBER_LINE.search(read[0]):
        return _number_line_again(pytesseract, image, read)
    return read


# The number line of a header ("Số: 275/STTTT-CNTT"). The Vietnamese model reads the Latin capitals of its code
# worse than the mixed one (``STTTTCNTT``, ``STTTLECNTT``), and a handwritten number often as symbols only.
_NUMBER_LINE = re.compile(r"^[ \t]*Số[ \t]*:?[ \t]*\S{0,8}[ \t]*/.*$", re.MULTILINE)
_READ_NUMBER = re.compile(  # "Số" itself may come back as "S6" from the mixed model
    r"^[ \t]*S\w?[ \t]*:?[ \t]*(?P<number>\S{0,8}?\d\S{0,8}[ \t]*/[ \t]*[A-ZĐ][\wĐ./-]*.*)$", re.MULTILINE
)
_CODE = re.compile(r"/[ \t]*([\wĐ./-]+)")


def _separators(line: str) -> int:
    code = _CODE.search(line)
    return sum(code.group(1).count(c) for c in "-/.") if code else 0


def _number_line_again(pytesseract: Any, image: Any, read: tuple[str, float, int]) -> tuple[str, float, int]:
    """A page with a number line is read again with the Vietnamese and English models together, and that
    number line is taken when it reads as a number (a digit, then ``/`` and a code in capitals) and its code has
    at least the separators of the Vietnamese reading's (``Số: J75 /STTTT-CNTT`` for ``Số: J†§ /STTTTCNTT``),
    so the number is whole, or can be completed from the file name (``identity``)."""
    mine = _NUMBER_LINE.search(read[0])
    better = _READ_NUMBER.search(_read(pytesseract, image, "vie+eng")[0])
    if mine is None or better is None:
        return read
    if _READ_NUMBER.match(mine.group(0)) and _separators(better.group(0)) < _separators(mine.group(0)):
        return read
    return _NUMBER_LINE.sub(lambda _: "Số: " + better.group("number"), read[0], count=1), read[1], read[2]


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
