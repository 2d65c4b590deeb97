"""Extractive ``/v1/ask`` latency with 10,000 chunks indexed (target: p95 <= 150 ms on 2 cores).

    python -m benchmarks.ask_latency [--chunks 10000] [--data-dir artifacts/bench-ask] [--rounds 2]

The index holds the sample corpus plus synthetic documents written from the corpus's own sentences
(numbers, places and org units varied; 20 articles of two clauses each, about one chunk per article), ingested
through the real pipeline and embedding model. Building 10,000 chunks takes ~10 minutes on 2 cores;
the index is kept in ``--data-dir`` and reused by later runs. Then every question of
``evals/datasets/corpus-qa`` (dev and test) is asked over real HTTP (FastAPI ``TestClient``) as an
admin (no filter) and as a cell member (org unit + clearance filter), and the figures are printed
as JSON: HTTP and in-process latency percentiles side by side, and how many answers were found.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from pathlib import Path

import numpy as np

from assistant.config import PROJECT_ROOT, Settings
from assistant.domain import AccessLevel, Document, DocumentMeta
from assistant.ingest.metadata import content_hash
from assistant.service import Assistant
from assistant.text import sentence_spans

DATASET = PROJECT_ROOT / "evals" / "datasets" / "corpus-qa"
ARTICLES_PER_DOC = 20
WARDS = ["phuong-huong-an", "phuong-tan-lap", "phuong-quang-trung", "phuong-gia-sang", "xa-phuc-ha", "xa-quyet-thang"]
_LABEL = re.compile(r"^[0-9IVX]+[.)]\s*")
CALLERS = {
    "admin": ("admin", "", "confidential"),
    "member": ("member", "tw/tinh-thai-nguyen/phuong-huong-an/chi-bo-3", "internal"),
}


def corpus_sentences() -> list[str]:
    rows = [json.loads(line) for line in (DATASET / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line]
    out = []
    for row in rows:
        text = row["text"]
        out.extend(text[s:e] for s, e in sentence_spans(text) if len(text[s:e]) > 40)
    return out


def synthetic_document(i: int, sentences: list[str], rng: random.Random) -> Document:
    """A plan/notice of 20 articles made of corpus sentences with their numbers changed."""
    ward = rng.choice(WARDS)
    unit = f"tw/tinh-thai-nguyen/{ward}" + (f"/chi-bo-{rng.randint(1, 12)}" if rng.random() < 0.5 else "")
    level = rng.choices(list(AccessLevel), weights=[6, 3, 1])[0]
    number = f"{100 + i}-KH/ĐU"
    lines = [f"KẾ HOẠCH số {number} về triển khai nhiệm vụ năm {rng.randint(2024, 2027)}"]
    for article in range(1, ARTICLES_PER_DOC + 1):
        lines.append(f"Điều {article}. Nhiệm vụ {article}")
        for clause in range(1, 3):
            sentence = re.sub(r"\d+", lambda m: str(rng.randint(1, 99)), rng.choice(sentences))
            lines.append(f"{clause}. {_LABEL.sub('', sentence)}")
    text = "\n".join(lines)
    meta = DocumentMeta(
        doc_id=f"synthetic-{i:05d}",
        title=lines[0],
        doc_number=number,
        doc_type="plan",
        issued_date=f"{rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        language="vi",
        org_unit=unit,
        access_level=level,
    )
    return Document(
        meta=meta, text=text, source_path=f"synthetic:{i}", content_hash=content_hash(text.encode(), "bench")
    )


def build(assistant: Assistant, target_chunks: int) -> dict:
    """Add the corpus and enough synthetic documents to reach ``target_chunks`` (kept between runs)."""
    started = time.perf_counter()
    assistant.seed_if_empty()
    sentences = corpus_sentences()
    rng = random.Random(7)
    i = 0
    with assistant.index.writing():
        while assistant.index.catalog.counts()[1] < target_chunks:
            document = synthetic_document(i, sentences, rng)
            if assistant.index.catalog.document_hash(document.meta.doc_id) is None:
                assistant.pipeline.ingest_document(document)
                if i % 50 == 0:
                    print(
                        f"  {assistant.index.catalog.counts()[1]} chunks, {time.perf_counter() - started:.0f} s",
                        flush=True,
                    )
            i += 1
        assistant.index.refresh_lexical()
    documents, chunks = assistant.index.catalog.counts()
    return {"documents": documents, "chunks": chunks, "build_seconds": round(time.perf_counter() - started, 1)}


def percentiles(ms: list[float]) -> dict:
    return {
        "n": len(ms),
        "p50": round(float(np.percentile(ms, 50)), 1),
        "p95": round(float(np.percentile(ms, 95)), 1),
        "p99": round(float(np.percentile(ms, 99)), 1),
        "max": round(max(ms), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--data-dir", default=str(PROJECT_ROOT / "artifacts" / "bench-ask"))
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = Settings(data_dir=Path(args.data_dir))
    assistant = Assistant(settings)
    index_figures = build(assistant, args.chunks)
    questions = [
        json.loads(line)["text"]
        for line in (DATASET / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    report: dict = {"index": index_figures, "questions": len(questions), "rounds": args.rounds, "target_p95_ms": 150}
    with TestClient(create_app(settings, assistant=assistant)) as client:
        warm_key, _ = assistant.keys.create("benchmark warm-up", "member")
        for q in questions[:5]:  # warm-up: model load, caches
            client.post(
                "/v1/ask", json={"question": q, "engine": "extractive"}, headers={"Authorization": f"Bearer {warm_key}"}
            )
        for scope_name, (role, org_unit, clearance) in CALLERS.items():
            http_ms, core_ms, answered = [], [], 0
            key, info = assistant.keys.create(f"benchmark {scope_name}", role, org_unit, clearance)
            headers, search_filter = {"Authorization": f"Bearer {key}"}, info.principal().scope()
            for _ in range(args.rounds):
                for q in questions:
                    started = time.perf_counter()
                    response = client.post("/v1/ask", json={"question": q, "engine": "extractive"}, headers=headers)
                    http_ms.append((time.perf_counter() - started) * 1000)
                    response.raise_for_status()
                    answered += response.json()["status"] == "answered"
                    started = time.perf_counter()
                    assistant.asker.ask(q, search_filter, engine="extractive")
                    core_ms.append((time.perf_counter() - started) * 1000)
            report[scope_name] = {
                "http": percentiles(http_ms),
                "in_process": percentiles(core_ms),
                "answered_share": round(answered / len(http_ms), 3),
            }
    report["meets_target"] = all(report[s]["http"]["p95"] <= 150 for s in ("admin", "member"))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
