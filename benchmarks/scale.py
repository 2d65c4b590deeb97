"""An index of 100,000 chunks on 2 cores: search and ask latency, the time to make one changed document
searchable (BM25 included: the change goes to the BM25 delta), BM25 alone with the delta at its largest, a
full BM25 rebuild, and the memory of the process.

    python -m benchmarks.scale [--chunks 100000] [--distinct 10000] [--data-dir artifacts/bench-scale]

The index holds ``--distinct`` chunks of synthetic documents written from the corpus's own sentences (as
``benchmarks.ask_latency`` makes them, embedded by the real model), then copies of those documents under
other ids and org units until ``--chunks``: a copy's chunk texts are real and identical to its original's,
so their embeddings come from the embedding cache (by text hash) — the vectors are reused, the ids, catalog
rows, BM25 entries and HNSW nodes are all distinct. The index is kept in ``--data-dir`` for later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import time
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.domain import Document
from assistant.index.chunk_index import embedding_text
from assistant.ingest.metadata import content_hash
from assistant.service import Assistant
from benchmarks.ask_latency import CALLERS, DATASET, WARDS, build, percentiles


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def add_copies(assistant: Assistant, target_chunks: int) -> dict:
    """Copies of the synthetic documents under other ids and org units until ``target_chunks``."""
    started = time.perf_counter()
    catalog = assistant.index.catalog
    originals = sorted(d for d in catalog.metas() if d.startswith("synthetic-") and "-copy" not in d)
    rng = random.Random(11)
    copy = 0
    with assistant.index.writing():
        while catalog.counts()[1] < target_chunks:
            copy += 1
            for doc_id in originals:
                if catalog.counts()[1] >= target_chunks:
                    break
                new_id = f"{doc_id}-copy{copy}"
                if catalog.document_hash(new_id) is not None:
                    continue
                original = catalog.get_document(doc_id)
                assert original is not None
                unit = f"tw/tinh-thai-nguyen/{rng.choice(WARDS)}/chi-bo-{rng.randint(1, 40)}"
                meta = original.meta.model_copy(update={"doc_id": new_id, "org_unit": unit})
                assistant.pipeline.ingest_document(
                    Document(
                        meta=meta,
                        text=original.text,
                        source_path=f"synthetic-copy:{new_id}",
                        content_hash=content_hash(f"{new_id}\n{original.text}".encode(), "bench"),
                    )
                )
            print(f"  {catalog.counts()[1]} chunks, {time.perf_counter() - started:.0f} s", flush=True)
        assistant.index.refresh_lexical()
    return {"copy_seconds": round(time.perf_counter() - started, 1)}


def bm25_search_with_delta(assistant: Assistant, questions: list[str]) -> dict:
    """BM25 alone, p50/p95 over the questions: the main index, then with a delta at its largest (the share
    of the main index at which it is rebuilt: documents put in the delta with their own text)."""
    lexical = assistant.index.lexical
    figures = {}
    for label in ("main_only", "largest_delta"):
        if label == "largest_delta":
            catalog, metas, delta, room = assistant.index.catalog, assistant.index.catalog.metas(), {}, 0
            limit = int(lexical.delta_share * len(lexical.chunk_ids))
            for doc_id in sorted(metas):
                chunks = catalog.chunks_of(doc_id)
                if room + len(chunks) > limit:
                    break
                delta[doc_id] = [(c.chunk_id, embedding_text(c, metas[doc_id])) for c in chunks]
                room += len(chunks)
            lexical.apply(delta, lexical.generation)
            figures["delta_chunks"] = lexical.delta_chunks
        ms = []
        for question in questions:
            started = time.perf_counter()
            lexical.search(question, 50)
            ms.append((time.perf_counter() - started) * 1000)
        figures[label] = percentiles(ms)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--distinct", type=int, default=10_000)
    parser.add_argument("--data-dir", default=str(PROJECT_ROOT / "artifacts" / "bench-scale"))
    args = parser.parse_args()

    from fastapi.testclient import TestClient

    from api.app import create_app

    settings = Settings(data_dir=Path(args.data_dir), rate_limit_per_minute=0)
    opened = time.perf_counter()
    assistant = Assistant(settings)
    report: dict = {"open_seconds": round(time.perf_counter() - opened, 1)}
    report["build"] = build(assistant, args.distinct) | add_copies(assistant, args.chunks)
    documents, chunks = assistant.index.catalog.counts()
    report["index"] = {
        "documents": documents,
        "chunks": chunks,
        "vectors": assistant.index.vectors.count(),
        "rss_mb_after_build": rss_mb(),
    }
    questions = [
        json.loads(line)["text"]
        for line in (DATASET / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    with TestClient(create_app(settings, assistant=assistant)) as client:
        for scope_name, (role, org_unit, clearance) in CALLERS.items():
            key, _ = assistant.keys.create(f"scale {scope_name}", role, org_unit, clearance)
            headers = {"Authorization": f"Bearer {key}"}
            for q in questions[:5]:
                client.post("/v1/search", json={"query": q}, headers=headers)
            for route in ("search", "ask"):
                forget = getattr(assistant.index.embedder, "forget_queries", None)
                if forget:
                    forget()  # each route's figures include embedding its questions
                ms = []
                for q in questions:
                    body = {"query": q} if route == "search" else {"question": q, "engine": "extractive"}
                    started = time.perf_counter()
                    response = client.post(f"/v1/{route}", json=body, headers=headers)
                    ms.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text
                report[f"{route}_{scope_name}_ms"] = percentiles(ms)
        report["rss_mb_serving"] = rss_mb()

        doc_id = "synthetic-00000"
        original = assistant.index.catalog.get_document(doc_id)
        assert original is not None
        changed = (
            original.text + "\nĐiều 21. Nhiệm vụ bổ sung\n1. Chi bộ trồng 75 cây xanh ở tổ dân phố số 9 trước ngày 30."
        )
        admin_key, _ = assistant.keys.create("scale admin", "admin", "", "confidential")
        started = time.perf_counter()
        response = client.post(
            "/v1/documents",
            headers={"Authorization": f"Bearer {admin_key}"},
            data={"doc_id": doc_id},
            files={"file": (f"{doc_id}.txt", changed.encode())},
        )
        found = client.post(
            "/v1/search",
            json={"query": "trồng 75 cây xanh ở tổ dân phố số 9", "k": 3},
            headers={"Authorization": f"Bearer {admin_key}"},
        ).json()
        report["changed_document_searchable_s"] = round(time.perf_counter() - started, 2)
        report["changed_document_found"] = response.status_code in (200, 201) and any(
            h["citation"]["doc_id"] == doc_id for h in found["hits"]
        )
        report["bm25_after_change"] = {
            "chunks_searched": len(assistant.index.lexical.chunk_ids),
            "delta_chunks": assistant.index.lexical.delta_chunks,
        }
        report["bm25_search_ms"] = bm25_search_with_delta(assistant, questions)
        started = time.perf_counter()
        assistant.index.lexical.generation = -1
        assistant.index.refresh_lexical(save=True)
        report["bm25_full_rebuild_s"] = round(time.perf_counter() - started, 2)
    report["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["cores"] = os.cpu_count()
    print(json.dumps(report, ensure_ascii=False, indent=2))
    assistant.close()


if __name__ == "__main__":
    main()
