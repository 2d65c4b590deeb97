"""OCR benchmark: how well scans of our own corpus read back, and what that costs.

Every corpus document's text (as the loaders read it) is typeset onto A4 page images, then made into
image-only PDFs under several conditions: clean at 300 and 200 dpi, and degraded copies at 300 dpi (noise,
a 1-3 degree skew, heavy JPEG compression, a phone-photo look: uneven light, blur, lower resolution, JPEG).
Each PDF goes through the real reader (OCR + repairs), and the text is compared with the source:

- character and word error rate (Levenshtein distance / source length, white space collapsed);
- the structure parser's headings (Chương/Điều/khoản/…, as paths) found in the source and recovered from the
  scan (clean conditions: every one should be);
- retrieval: the corpus-qa questions against an index of the born-digital documents and one of their clean
  300 dpi scans (recall@5 of the gold document and of the gold passage's article);
- speed: OCR pages per minute on this machine, and a 20-page scan ingested end to end.

    python -m benchmarks.ocr_quality [--conditions clean300,noise] [--limit N] [--no-retrieval] [--json out.json]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from rapidfuzz.distance import Levenshtein

from assistant.config import PROJECT_ROOT, Settings
from assistant.ingest.loaders import IMAGE_SUFFIXES, SUPPORTED_SUFFIXES, load_bytes, load_file
from assistant.ingest.ocr import tesseract_available
from assistant.ingest.structure import detect_language, iter_headings

CORPUS = PROJECT_ROOT / "corpus"
CORPUS_QA = PROJECT_ROOT / "evals" / "datasets" / "corpus-qa"
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)
A4_MM = (210, 297)
MARGIN_MM = 20
FONT_PT = 12


# -- typesetting ------------------------------------------------------------------------------
def _font(dpi: int) -> ImageFont.FreeTypeFont:
    path = next((p for p in FONTS if Path(p).exists()), None)
    if path is None:
        raise SystemExit("no TrueType font with Vietnamese letters (Debian fonts-dejavu-core) to typeset the scans")
    return ImageFont.truetype(path, round(FONT_PT / 72 * dpi))


def _wrap(line: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    out, current = [], ""
    for word in line.split():
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width:
            out.append(current)
            current = word
        else:
            current = trial
    return out + [current] if current else [""]


def typeset(pages: list[str], dpi: int) -> tuple[list[Image.Image], list[str]]:
    """A4 page images of ``pages`` (a source page runs over onto more sheets when long) and each sheet's text."""
    font = _font(dpi)
    size = tuple(round(mm / 25.4 * dpi) for mm in A4_MM)
    margin = round(MARGIN_MM / 25.4 * dpi)
    line_height = round(font.size * 1.45)
    per_sheet = (size[1] - 2 * margin) // line_height
    sheets: list[list[str]] = []
    for page in pages:
        lines = [wrapped for line in page.splitlines() for wrapped in _wrap(line, font, size[0] - 2 * margin)]
        while lines and not lines[-1].strip():
            lines.pop()
        for start in range(0, max(1, len(lines)), per_sheet):
            sheets.append(lines[start : start + per_sheet])
    images, texts = [], []
    for lines in sheets:
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((margin, margin + i * line_height), line, font=font, fill=0)
        images.append(image)
        texts.append("\n".join(lines))
    return images, texts


# -- degradations ---------------------------------------------------------------------------
def _noise(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float32) + rng.normal(0, 28, (image.height, image.width))
    specks = rng.random((image.height, image.width))
    pixels[specks < 0.003] = 0
    pixels[specks > 0.997] = 255
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _skew(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    angle = float(rng.uniform(1.0, 3.0)) * (1 if rng.random() < 0.5 else -1)
    return image.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def _phone_photo(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Uneven light (a shadow across the page), a little blur and tilt, half the resolution, JPEG."""
    tilted = image.rotate(float(rng.uniform(-1.5, 1.5)), resample=Image.BICUBIC, expand=True, fillcolor=235)
    pixels = np.asarray(tilted, dtype=np.float32)
    light = np.linspace(1.0, 0.62, pixels.shape[1])[None, :] * np.linspace(0.95, 1.0, pixels.shape[0])[:, None]
    shaded = Image.fromarray(np.clip(pixels * light, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(1.2))
    small = shaded.resize((shaded.width // 2, shaded.height // 2), Image.BILINEAR)
    return _jpeg(small, 55)


CONDITIONS: dict[str, tuple[int, Callable[[Image.Image, np.random.Generator], Image.Image]]] = {
    "clean300": (300, lambda image, rng: image),
    "clean200": (200, lambda image, rng: image),
    "noise": (300, _noise),
    "skew": (300, _skew),
    "jpeg": (300, lambda image, rng: _jpeg(image, 20)),
    "photo": (300, _phone_photo),
}
CLEAN = ("clean300", "clean200")


def image_pdf(images: list[Image.Image], dpi: int) -> bytes:
    """An image-only PDF (no text layer), as a scanner makes."""
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return buffer.getvalue()


# -- measures -------------------------------------------------------------------------------
def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def error_rates(source: str, read: str) -> tuple[float, float]:
    """(character error rate, word error rate) of ``read`` against ``source``."""
    source, read = _flat(source), _flat(read)
    cer = Levenshtein.distance(source, read) / max(1, len(source))
    wer = Levenshtein.distance(source.split(), read.split()) / max(1, len(source.split()))
    return cer, wer


def heading_paths(text: str) -> list[str]:
    """Every heading the structure parser finds, as its path (``Chương II > Điều 5 > Khoản 3``)."""
    stack: list[tuple[float, str]] = []
    paths = []
    for _, heading in iter_headings(text, detect_language(text)):
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        stack.append((heading.level, heading.label))
        paths.append(" > ".join(label for _, label in stack))
    return paths


def corpus_sources(limit: int | None) -> list[tuple[Path, list[str]]]:
    """Each Vietnamese or English corpus document with its pages' text as the loaders read it (OCR reads
    those two languages; a Bengali scan would need Debian tesseract-ocr-ben)."""
    files = sorted(
        p for p in CORPUS.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES and p.suffix.lower() not in IMAGE_SUFFIXES
    )
    sources = [(path, load_file(path, 50 * 2**20).pages) for path in files]
    return [(path, pages) for path, pages in sources if detect_language("\n".join(pages)) in ("vi", "en")][:limit]


def measure_condition(name: str, sources: list[tuple[Path, list[str]]], out_dir: Path | None, seed: int = 7) -> dict:
    dpi, degrade = CONDITIONS[name]
    rng = np.random.default_rng(seed)
    cers, wers, pages, seconds = [], [], 0, 0.0
    found = expected = 0
    per_doc = []
    for path, source_pages in sources:
        images, texts = typeset(source_pages, dpi)
        images = [degrade(image, rng) for image in images]
        pdf = image_pdf(images, dpi)
        started = time.perf_counter()
        loaded = load_bytes(pdf, ".pdf")
        seconds += time.perf_counter() - started
        pages += len(images)
        source_text, read_text = "\n".join(texts), "\n".join(loaded.pages)
        cer, wer = error_rates(source_text, read_text)
        cers.append(cer)
        wers.append(wer)
        want = heading_paths(source_text)
        got = set(heading_paths(read_text))
        expected += len(want)
        found += sum(1 for p in want if p in got)
        per_doc.append(
            {
                "doc": path.name,
                "pages": len(images),
                "cer": round(cer, 4),
                "wer": round(wer, 4),
                "headings": len(want),
                "headings_recovered": sum(1 for p in want if p in got),
            }
        )
        if out_dir is not None:
            (out_dir / name).mkdir(parents=True, exist_ok=True)
            (out_dir / name / f"{path.stem}.pdf").write_bytes(pdf)
    return {
        "condition": name,
        "dpi": dpi,
        "documents": len(sources),
        "pages": pages,
        "cer": round(statistics.fmean(cers), 4),
        "wer": round(statistics.fmean(wers), 4),
        "cer_max": round(max(cers), 4),
        "headings_recovered": round(found / max(1, expected), 4),
        "headings": expected,
        "ocr_pages_per_minute": round(60 * pages / max(seconds, 1e-9), 1),
        "per_document": per_doc,
    }


# -- retrieval on scans ---------------------------------------------------------------------
def _article(corpus_id: str) -> tuple[str, str]:
    """``doc#Chương I > Điều 5 > Khoản 3`` -> (doc, the path's first article or item, else the whole path)."""
    doc, _, path = corpus_id.partition("#")
    parts = [p.strip() for p in path.split(">") if p.strip()]
    top = next((p for p in parts if p.split()[0] in ("Điều", "Article", "Mục", "Section")), parts[0] if parts else "")
    return doc, top


def retrieval_on(
    folder: Path, settings: Settings, queries: dict[str, str], gold: dict[str, set[str]], k: int = 5
) -> dict:
    from assistant.service import Assistant

    assistant = Assistant(settings)
    try:
        report = assistant.pipeline.ingest_paths([folder])
        failed = [r.path for r in report.results if r.status == "failed"]
        doc_hits = passage_hits = 0
        for query_id, text in queries.items():
            hits = assistant.retriever.search(text, k=k).hits
            gold_docs = {_article(c)[0] for c in gold[query_id]}
            gold_articles = {_article(c) for c in gold[query_id]}
            doc_hits += any(h.chunk.doc_id in gold_docs for h in hits)
            passage_hits += any(
                (h.chunk.doc_id, _article(f"{h.chunk.doc_id}#{h.chunk.structure_path}")[1]) in gold_articles
                for h in hits
            )
        return {
            "documents": report.summary(),
            "failed": failed,
            "questions": len(queries),
            "doc_recall_at_5": round(doc_hits / max(1, len(queries)), 4),
            "passage_recall_at_5": round(passage_hits / max(1, len(queries)), 4),
        }
    finally:
        assistant.close()


def _doc_id(path: Path) -> str:
    sidecar = path.with_name(path.name + ".meta.json")
    return json.loads(sidecar.read_text(encoding="utf-8")).get("doc_id", path.stem) if sidecar.exists() else path.stem


def scanned_corpus(folder: Path, sources: list[tuple[Path, list[str]]]) -> None:
    """Clean 300 dpi scans of the corpus with each document's metadata (sidecar) so ids and scopes match."""
    folder.mkdir(parents=True, exist_ok=True)
    for path, pages in sources:
        images, _ = typeset(pages, 300)
        target = folder / f"{path.stem}.pdf"
        target.write_bytes(image_pdf(images, 300))
        sidecar = path.with_name(path.name + ".meta.json")
        meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        meta.setdefault("doc_id", path.stem)
        (folder / f"{target.name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def measure_retrieval(sources: list[tuple[Path, list[str]]], work: Path, split: str) -> dict:
    from evals.beir import load_beir

    dataset = load_beir(CORPUS_QA, split)
    queries = {qid: q for qid, q in dataset.queries.items() if dataset.qrels.get(qid)}
    gold = {qid: {c for c, relevance in rels.items() if relevance > 0} for qid, rels in dataset.qrels.items()}

    def settings(name: str) -> Settings:
        return Settings(
            data_dir=work / name,
            seed_corpus=None,
            auth_dev_key=False,
            embedding_cache_path=PROJECT_ROOT / "artifacts" / "embedding-cache.sqlite3",
        )

    # The same documents either way: the born-digital files (with their sidecars) and their scans.
    originals = work / "originals"
    originals.mkdir(parents=True, exist_ok=True)
    for path, _ in sources:
        for file in (path, path.with_name(path.name + ".meta.json")):
            if file.exists():
                (originals / file.name).write_bytes(file.read_bytes())
    kept = {_doc_id(path) for path, _ in sources}
    queries = {qid: q for qid, q in queries.items() if {_article(c)[0] for c in gold[qid]} <= kept}
    born_digital = retrieval_on(originals, settings("born-digital"), queries, gold)
    scanned_corpus(work / "scans", sources)
    started = time.perf_counter()
    scanned = retrieval_on(work / "scans", settings("scanned"), queries, gold)
    scanned["ingest_s"] = round(time.perf_counter() - started, 1)
    return {
        "split": split,
        "born_digital": born_digital,
        "scanned_300dpi": scanned,
        "doc_recall_gap": round(born_digital["doc_recall_at_5"] - scanned["doc_recall_at_5"], 4),
        "passage_recall_gap": round(born_digital["passage_recall_at_5"] - scanned["passage_recall_at_5"], 4),
    }


def measure_long_scan(sources: list[tuple[Path, list[str]]], work: Path, pages: int = 20) -> dict:
    """A ``pages``-page scan (the corpus typeset one after another) ingested through the upload path."""
    from assistant.service import Assistant

    images: list[Image.Image] = []
    for _, source_pages in sources:
        images += typeset(source_pages, 300)[0]
        if len(images) >= pages:
            break
    pdf = image_pdf(images[:pages], 300)
    assistant = Assistant(
        Settings(
            data_dir=work / "long-scan",
            seed_corpus=None,
            auth_dev_key=False,
            embedding_cache_path=PROJECT_ROOT / "artifacts" / "embedding-cache.sqlite3",
        )
    )
    heard: list[str] = []
    try:
        started = time.perf_counter()
        result = assistant.pipeline.ingest_bytes(pdf, "scan-20-trang.pdf", progress=lambda f, m: heard.append(m))
        seconds = time.perf_counter() - started
    finally:
        assistant.close()
    return {
        "pages": min(pages, len(images)),
        "status": result.status,
        "chunks": result.chunks,
        "seconds": round(seconds, 1),
        "pages_per_minute": round(60 * min(pages, len(images)) / seconds, 1),
        "progress_messages": len([m for m in heard if m.startswith("OCR page")]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conditions", default=",".join(CONDITIONS), help="comma-separated: " + ", ".join(CONDITIONS))
    parser.add_argument("--limit", type=int, default=None, help="only the first N corpus documents")
    parser.add_argument("--no-retrieval", action="store_true", help="skip the corpus-qa retrieval comparison")
    parser.add_argument("--no-long-scan", action="store_true", help="skip the 20-page end-to-end ingest")
    parser.add_argument("--split", default="test", help="corpus-qa split for retrieval (dev, test)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the scanned PDFs in this folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if not tesseract_available():
        print("Tesseract is not installed (Debian: tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng)", file=sys.stderr)
        return 2
    sources = corpus_sources(args.limit)
    results: dict[str, Any] = {"conditions": []}
    for name in [c.strip() for c in args.conditions.split(",") if c.strip()]:
        if name not in CONDITIONS:
            parser.error(f"unknown condition {name!r}")
        figures = measure_condition(name, sources, args.keep)
        results["conditions"].append(figures)
        print(
            f"{name:9} {figures['pages']:3} pages  CER {figures['cer']:.4f}  WER {figures['wer']:.4f}  "
            f"headings {figures['headings_recovered']:.3f} of {figures['headings']}  "
            f"{figures['ocr_pages_per_minute']:.1f} pages/min",
            flush=True,
        )
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_retrieval:
            results["retrieval"] = measure_retrieval(sources, Path(tmp), args.split)
            r = results["retrieval"]
            print(
                f"retrieval ({r['split']}): doc R@5 born-digital {r['born_digital']['doc_recall_at_5']:.3f} "
                f"scanned {r['scanned_300dpi']['doc_recall_at_5']:.3f}; passage R@5 "
                f"{r['born_digital']['passage_recall_at_5']:.3f} / {r['scanned_300dpi']['passage_recall_at_5']:.3f}",
                flush=True,
            )
        if not args.no_long_scan:
            results["long_scan"] = measure_long_scan(sources, Path(tmp))
            print(f"20-page scan: {results['long_scan']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
