"""``assistant eval documents DIR``: real files in, right text and structure out.

``DIR`` holds ``files/`` (or the files themselves), ``manifest.jsonl`` (per file: ``file``, ``doc_number``,
``doc_type``, ``issuer``, ``issued_date``, optional ``encoding``) and optionally ``questions.jsonl``
(``id``, ``question``, ``file``, ``location``, ``expected_answer``, ``category``). Every file goes through the
real pipeline into a fresh temporary index; the report gives, per file and overall: ingested or refused
(with the reason), number / type / issuer / date right, the share of chunks with a structure path, the
syllable-split rate, chunks that still look like mojibake, and for each question whether the answer holds
the expected fact at the expected place (or is correctly "not found").
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.domain import DocType, DocumentMeta
from assistant.index.chunk_index import ChunkIndex
from assistant.ingest.identity import DOC_NUMBER, normalize_doc_number
from assistant.ingest.pipeline import IngestPipeline
from assistant.ingest.text_repair import split_rate
from assistant.lang.legacy_encoding import looks_undecoded, syllable_share
from assistant.retrieve import HybridRetriever
from assistant.tasks.ask import AskOptions, AskService
from assistant.text import fold_accents
from evals.retrieval import eval_embedder

TYPE_NAMES: dict[str, DocType] = {
    "hướng dẫn": DocType.instruction,
    "nghị định": DocType.decree,
    "thông tư": DocType.circular,
    "công văn": DocType.letter,
    "phụ lục": DocType.appendix,
    "chỉ thị": DocType.directive,
    "quyết định": DocType.decision,
    "nghị quyết": DocType.resolution,
    "quy định": DocType.regulation,
    "luật": DocType.law,
    "bộ luật": DocType.law,
    "kế hoạch": DocType.plan,
    "thông báo": DocType.notice,
    "báo cáo": DocType.report,
    "kết luận": DocType.conclusion,
    "văn bản hợp nhất": DocType.consolidated,
    "pháp lệnh": DocType.ordinance,
    "biên bản": DocType.minutes,
}
_ISSUER_ABBREVIATIONS = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "bch": "ban chap hanh"}


def expected_type(name: str | None) -> DocType | None:
    """The manifest's type name in words (``Nghị định (đăng ký kinh doanh)``) as a DocType."""
    if not name:
        return None
    return TYPE_NAMES.get(re.sub(r"\s*\(.*\)\s*$", "", name).strip().lower())


def number_right(detected: str | None, expected: str | None) -> bool:
    """Exact (spaces and case aside); a manifest entry that describes rather than gives a number
    (``(Phụ lục I kèm 30/2020/NĐ-CP)``) accepts the number it names, or none."""
    if not expected:
        return detected is None
    key = lambda n: normalize_doc_number(n).upper()  # noqa: E731
    if DOC_NUMBER.fullmatch(expected.strip()):
        return detected is not None and key(detected) == key(expected)
    named = {key(m.group(0)) for m in DOC_NUMBER.finditer(expected)}
    return detected is None or key(detected) in named


def _issuer_key(name: str) -> str:
    name = re.sub(r"\([^)]*\)", " ", name)
    words = fold_accents(name.lower()).split()
    return " ".join(_ISSUER_ABBREVIATIONS.get(w, w) for w in words)


def issuer_right(detected: str | None, expected: str | None) -> bool:
    """Same body: one name contains the other once case, marks, brackets and abbreviations (UBND) are set aside."""
    if not expected:
        return detected is None
    if not detected:
        return False
    a, b = _issuer_key(detected), _issuer_key(expected)
    return bool(a) and (a in b or b in a)


def _mojibake_chunks(texts: list[str]) -> int:
    return sum(
        1
        for t in texts
        if looks_undecoded(t) or (len(t) > 80 and syllable_share(t)[0] < 0.5 and syllable_share(t)[1] >= 10)
    )


def _content_tokens(text: str) -> list[str]:
    return re.findall(r"\w+", re.sub(r"\([^)]*\)", " ", text).lower())


def holds_expected(answer: str, expected: str) -> bool:
    """The answer states the expected fact: every number of it, and most of its words."""
    tokens = _content_tokens(expected)
    if not tokens:
        return True
    got = set(re.findall(r"\w+", answer.lower()))
    numbers = [t for t in tokens if t.isdigit()]
    if any(n not in got and n.lstrip("0") not in got for n in numbers):
        return False
    return sum(1 for t in tokens if t in got) / len(tokens) >= 0.6


_PAGE = re.compile(r"\bp\.?\s*(\d+)")
_STRUCTURE = re.compile(
    r"(?i)\b(điều|khoản|điểm|phần|mục|point|article|clause)\s+([0-9]+(?:\.[0-9]+)*|[ivxlc]+|[a-zđ])\b"
)
_LABELS = {"point": "mục", "article": "điều", "clause": "khoản"}


def location_right(citation: dict, location: str) -> bool:
    """The citation is where the question's location says: the page (``p.7``), and each structure label named
    (``Điều 8 khoản 2 điểm a``, ``point 1.1``)."""
    page = _PAGE.search(location)
    if page and int(page.group(1)) not in (citation.get("page"), _int(citation.get("printed_page"))):
        return False
    path = (citation.get("structure_path") or "").lower()
    for word, value in _STRUCTURE.findall(location):
        word = _LABELS.get(word.lower(), word.lower())
        value = value.lower()
        if word == "mục" and "." in value:  # a decimal item: "1.1" anywhere in the path
            if not re.search(rf"\b{re.escape(value)}\b", path):
                return False
        elif f"{word} {value}" not in path:
            return False
    return True


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _meta_checks(meta: DocumentMeta | None, row: dict) -> dict:
    if meta is None:
        return {"number": False, "type": False, "issuer": False, "date": False}
    return {
        "number": number_right(meta.doc_number, row.get("doc_number")),
        "type": meta.doc_type == expected_type(row.get("doc_type")),
        "issuer": issuer_right(meta.issuer, row.get("issuer")),
        "date": meta.issued_date == row.get("issued_date"),
    }


def run_documents_eval(directory: Path, settings: Settings, details: bool = False) -> dict:
    """Ingest every file of the set and report the figures (JSON-ready)."""
    manifest = [
        json.loads(line)
        for line in (directory / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    files_dir = directory / "files" if (directory / "files").is_dir() else directory
    questions_path = directory / "questions.jsonl"
    questions = (
        [json.loads(line) for line in questions_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if questions_path.is_file()
        else []
    )
    with tempfile.TemporaryDirectory(prefix="assistant-eval-docs-") as tmp:
        index = ChunkIndex.open(
            settings.model_copy(update={"data_dir": Path(tmp) / "data", "seed_corpus": None}), eval_embedder(settings)
        )
        try:
            pipeline = IngestPipeline(index)
            rows, doc_of = [], {}
            for entry in manifest:
                path = files_dir / entry["file"]
                started = time.perf_counter()
                result = pipeline.ingest_paths([path]).results[0]
                seconds = time.perf_counter() - started
                meta = index.catalog.metas().get(result.doc_id) if result.status in ("added", "updated") else None
                chunks = index.catalog.chunks_of(meta.doc_id) if meta else []
                document = index.catalog.get_document(meta.doc_id) if meta else None
                if meta:
                    doc_of[entry["file"]] = meta.doc_id
                rows.append(
                    {
                        "file": entry["file"],
                        "status": "ingested" if meta else "refused",
                        "reason": result.reason,
                        "seconds": round(seconds, 2),
                        "checks": _meta_checks(meta, entry),
                        "detected": meta.model_dump(
                            include={"doc_number", "doc_type", "issuer", "issued_date", "title"}, mode="json"
                        )
                        if meta
                        else None,
                        "chunks": len(chunks),
                        "structure_share": round(sum(1 for c in chunks if c.structure_path) / len(chunks), 3)
                        if chunks
                        else 0.0,
                        "split_rate": round(split_rate(document.text), 4)
                        if document and meta.language == "vi"
                        else None,
                        "mojibake_chunks": _mojibake_chunks([c.text for c in chunks]),
                        "warnings": meta.warnings if meta else [],
                        "synthetic": "synthetic" in (entry.get("encoding", "") + entry.get("kind", "")).lower(),
                    }
                )
            asker = AskService(
                HybridRetriever.from_settings(index),
                None,
                AskOptions(k=settings.ask_k, min_confidence=settings.ask_min_confidence),
            )
            answers = [_question_outcome(asker, q, doc_of) for q in questions]
        finally:
            index.close()
    return _report(directory, rows, answers, details)


def _question_outcome(asker: AskService, question: dict, doc_of: dict[str, str]) -> dict:
    answer = asker.ask(question["question"])
    expects_answer = not str(question.get("category", "present")).startswith(("absent", "not"))
    citations = [c.model_dump(mode="json") for c in answer.citations]
    if not expects_answer:
        right = answer.status == "not_found"
        fact = place = right
    else:
        fact = answer.status == "answered" and holds_expected(answer.answer, question.get("expected_answer", ""))
        target = doc_of.get(question.get("file", ""))
        place = any(c["doc_id"] == target and location_right(c, question.get("location", "")) for c in citations)
        right = fact and place
    return {
        "id": question["id"],
        "right": right,
        "fact": fact,
        "place": place,
        "status": answer.status,
        "confidence": answer.confidence,
        "answer": answer.answer[:400],
        "cited": [(c["doc_id"], c["structure_path"], c["page"]) for c in citations],
    }


def _share(values: list[bool]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _report(directory: Path, rows: list[dict], answers: list[dict], details: bool) -> dict:
    real = [r for r in rows if not r["synthetic"]]
    rates = [r["split_rate"] for r in rows if r["split_rate"] is not None]
    overall = {
        "files": len(rows),
        "ingested": sum(r["status"] == "ingested" for r in rows),
        "refused": [{"file": r["file"], "reason": r["reason"]} for r in rows if r["status"] == "refused"],
        **{
            f"{field}_right": _share([r["checks"][field] for r in rows])
            for field in ("number", "type", "issuer", "date")
        },
        "all_four_right": _share([all(r["checks"].values()) for r in rows]),
        "all_four_right_real_files": _share([all(r["checks"].values()) for r in real]),
        "structure_share_mean": round(sum(r["structure_share"] for r in rows) / len(rows), 3) if rows else None,
        "split_rate_mean": round(sum(rates) / len(rates), 4) if rates else None,
        "split_rate_max": max(rates) if rates else None,
        "mojibake_chunks": sum(r["mojibake_chunks"] for r in rows),
        "questions": len(answers),
        "questions_right": sum(a["right"] for a in answers),
        "questions_fact_right": sum(a["fact"] for a in answers),
        "questions_place_right": sum(a["place"] for a in answers),
    }
    report = {
        "dataset": str(directory),
        "overall": overall,
        "files": rows
        if details
        else [
            {k: r[k] for k in ("file", "status", "checks", "structure_share", "split_rate", "mojibake_chunks")}
            for r in rows
        ],
    }
    report["questions"] = (
        answers if details else [{k: a[k] for k in ("id", "right", "fact", "place", "status")} for a in answers]
    )
    return report
