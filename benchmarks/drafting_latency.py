"""Drafting time per document of the monthly cycle: Markdown, DOCX in the official form, and PDF (LibreOffice).

    python -m benchmarks.drafting_latency [--repeat 5]

Every shipped meeting record is drafted as minutes and as the cell's resolution, plus a notice and a quarterly
report; each is timed to Markdown, to DOCX and to PDF (the PDF time includes the DOCX and one LibreOffice run).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings
from assistant.meeting import MeetingNotice, load_record
from assistant.service import Assistant
from assistant.tasks.report import ReportPeriod, ReportRequest

RECORDS = PROJECT_ROOT / "evals" / "datasets" / "minutes" / "records"


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="PDF conversions per document (they take ~1 s)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        assistant = Assistant(Settings(data_dir=Path(tmp), seed_corpus=None, auth_dev_key=False))
        records = [load_record(p) for p in sorted(RECORDS.glob("*.yaml"))]
        first = records[0]
        notice = MeetingNotice(
            organization=first.organization,
            date=first.date,
            time_start=first.time_start,
            place=first.place,
            agenda=[a.title for a in first.agenda],
            readings=first.references,
            issued_on=first.date,
            signer=first.chair,
            number=1,
        )
        makers: dict[str, list[Callable[[], str]]] = {
            "minutes": [lambda r=r: assistant.minutes.draft(r, engine="extractive").markdown for r in records],
            "resolution": [lambda r=r: assistant.resolutions.draft(r).markdown for r in records],
            "notice": [lambda: assistant.notices.draft(notice).markdown],
            "report": [
                lambda: (
                    assistant.reporter.draft(
                        ReportRequest(
                            organization=first.organization,
                            period=ReportPeriod(kind="quarter", year=2025, number=4),
                            records=[r for r in records if r.organization.org_unit == first.organization.org_unit],
                        )
                    ).markdown
                )
            ],
        }
        print(f"{'document':11} {'n':>3} {'markdown p50/p95 ms':>20} {'+DOCX p95 ms':>13} {'+PDF p95 ms':>12}")
        for kind, drafts in makers.items():
            markdown_ms, docx_ms, pdf_ms = [], [], []
            for make in drafts:
                started = time.perf_counter()
                markdown = make()
                markdown_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                assistant.document_file(markdown, "docx")
                docx_ms.append(markdown_ms[-1] + (time.perf_counter() - started) * 1000)
            for make in drafts[: max(1, args.repeat)]:
                started = time.perf_counter()
                assistant.document_file(make(), "pdf")
                pdf_ms.append((time.perf_counter() - started) * 1000)
            print(
                f"{kind:11} {len(drafts):3} {_p(markdown_ms, 0.5):>9} / {_p(markdown_ms, 0.95):<8} "
                f"{_p(docx_ms, 0.95):>13} {_p(pdf_ms, 0.95):>12}   (PDF mean {statistics.fmean(pdf_ms):.0f} ms)"
            )
        assistant.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
