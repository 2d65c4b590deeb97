"""Write ``evals/datasets/corpus-qa/corpus.jsonl`` (BEIR layout): one passage per article or part of ``corpus/``.

Passage ids are ``DOC_ID#STRUCTURE_PATH``; ``queries.jsonl`` and ``qrels/test.tsv`` refer to them.
Run after changing the sample corpus: ``python -m evals.build_corpus_dataset``.
"""

from __future__ import annotations

import json

from assistant.config import PROJECT_ROOT
from assistant.ingest.chunker import StructureChunker
from assistant.ingest.loaders import load_file
from assistant.ingest.metadata import build_document
from assistant.ingest.pipeline import discover

OUT = PROJECT_ROOT / "evals" / "datasets" / "corpus-qa"


def passages() -> list[dict]:
    chunker = StructureChunker(max_chars=100_000, min_chars=0)
    rows = []
    for path, _ in discover([PROJECT_ROOT / "corpus"]):
        document = build_document(load_file(path, 2**26), path, "dataset")
        meta = document.meta
        for chunk in chunker.chunk(document):
            rows.append(
                {
                    "_id": f"{meta.doc_id}#{chunk.structure_path}",
                    "title": " ".join(p for p in (meta.doc_number, meta.title) if p),
                    "text": chunk.text,
                    "metadata": {
                        "org_unit": meta.org_unit,
                        "access_level": meta.access_level.value,
                        "language": meta.language,
                        "doc_number": meta.doc_number,
                        "doc_type": meta.doc_type.value,
                        "issued_date": meta.issued_date,
                    },
                }
            )
    return rows


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    rows = passages()
    with open(OUT / "corpus.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} passages -> {OUT / 'corpus.jsonl'}")
