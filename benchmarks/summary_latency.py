"""Summary latency on long inputs (target: a 10,000-word meeting transcript in <= 3 s p95 on 2 cores).

    python -m benchmarks.summary_latency [--meetings ../shared/evaldata/qmsum-dev/whole.jsonl] [--runs 5]

Inputs: meeting transcripts of about 10,000 words (from ``--meetings``, QMSum-style JSONL with
``document``, when given; otherwise a Vietnamese cell-meeting transcript written from the sample corpus's
sentences and speakers), and a long directive made of the corpus documents. Each is timed end to end, the
way the API does it: parse and chunk the text, then summarize (extractive, default length), with a cold
sentence-embedding cache (a fresh temporary one), then again warm. A query-focused summary of the
transcript is timed too. Figures are printed as JSON: p50/p95 seconds per case, side by side.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.config import PROJECT_ROOT, Settings
from assistant.index.lexical import words
from assistant.service import Assistant
from assistant.tasks.summarize import SummaryOptions
from assistant.text import sentence_spans

CORPUS = PROJECT_ROOT / "corpus"
SPEAKERS = ["Chủ tọa", "Đ/c Nguyễn Văn An", "Đ/c Trần Thị Bình", "Đ/c Lê Văn Cường", "Thư ký"]
BACKCHANNEL = ["Vâng.", "Đúng rồi.", "Ừ.", "Đồng ý."]


def corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.md"))]


def written_transcript(target_words: int, seed: int = 0) -> str:
    """A cell meeting transcript of about ``target_words`` words: corpus sentences said by members in turns,
    with backchannel between them."""
    rng = random.Random(seed)
    sentences = [t[s:e].replace("\n", " ") for t in corpus_texts() for s, e in sentence_spans(t) if len(t[s:e]) > 40]
    lines, total = [], 0
    while total < target_words:
        said = " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4)))
        lines.append(f"{rng.choice(SPEAKERS)}: {said}")
        total += len(words(said))
        if rng.random() < 0.3:
            lines.append(f"{rng.choice(SPEAKERS)}: {rng.choice(BACKCHANNEL)}")
    return "\n".join(lines)


def meetings_from(path: Path, target_words: int, count: int) -> list[str]:
    """The ``count`` transcripts of ``path`` closest to ``target_words`` words."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda row: abs(len(words(row["document"])) - target_words))
    return [row["document"] for row in rows[:count]]


def time_case(assistant: Assistant, text: str, options: SummaryOptions) -> float:
    started = time.perf_counter()
    source = assistant.summary_source(text=text)
    assistant.summarizer.summarize(source, options)
    return time.perf_counter() - started


def percentiles(values: list[float]) -> dict:
    return {
        "p50_s": round(float(np.percentile(values, 50)), 3),
        "p95_s": round(float(np.percentile(values, 95)), 3),
        "runs": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", help="QMSum-style whole.jsonl to take real transcripts from")
    parser.add_argument("--words", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    transcripts = (
        meetings_from(Path(args.meetings), args.words, args.runs)
        if args.meetings
        else [written_transcript(args.words, seed) for seed in range(args.runs)]
    )
    directive = "\n\n".join(corpus_texts())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", embedding_cache_path=Path(tmp) / "cache.sqlite3")
        assistant = Assistant(settings)
        assistant.summarizer.embedder.embed_query("khởi động")  # load the model outside the timings
        auto = SummaryOptions(engine="extractive")
        question = SummaryOptions(engine="extractive", query="What was decided about the budget and the deadline?")
        figures = {
            "transcript_words": [len(words(t)) for t in transcripts],
            "directive_words": len(words(directive)),
            "transcript_cold": percentiles([time_case(assistant, t, auto) for t in transcripts]),
            "transcript_warm": percentiles([time_case(assistant, t, auto) for t in transcripts]),
            "transcript_query_cold": percentiles([time_case(assistant, t, question) for t in transcripts]),
            "directive_cold": percentiles([time_case(assistant, directive, auto)]),
            "directive_warm": percentiles([time_case(assistant, directive, auto) for _ in range(args.runs)]),
        }
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
