"""Summaries and audio: ``assistant summarize|bulletin|transcribe``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.cli.common import (
    add_filter_args,
    add_output_args,
    deliver,
    filter_from_args,
    print_json,
    settings_from,
)
from assistant.errors import InvalidInput
from assistant.progress import Progress
from assistant.tasks.summarize import SummaryOptions, parse_length

ENGINES = ["auto", "extractive", "llm"]


@contextmanager
def progress_bar(description: str) -> Iterator[Progress]:
    """A progress bar on stderr, fed with fractions 0..1 and a short message."""
    from tqdm import tqdm

    with tqdm(
        total=100,
        desc=description,
        unit="%",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
    ) as bar:

        def update(fraction: float, message: str = "") -> None:
            bar.n = round(100 * fraction)
            bar.set_postfix_str(message[:40], refresh=False)
            bar.refresh()

        yield update


def length_arg(text: str) -> str | int:
    try:
        return parse_length(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _options(args: argparse.Namespace) -> SummaryOptions:
    return SummaryOptions(
        length=args.length, style=args.style, language=args.language, engine=args.engine, query=args.query
    )


def _source(assistant, args: argparse.Namespace):
    """The summary's source from DOC_ID, --file or --text ('-' reads standard input)."""
    text = sys.stdin.read() if args.text == "-" else args.text
    file = (Path(args.file).read_bytes(), Path(args.file).name) if args.file else None
    return assistant.summary_source(doc_id=args.doc_id, text=text, file=file, scope=filter_from_args(args))


def cmd_summarize(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    assistant = Assistant(settings_from(args))
    source = _source(assistant, args)
    with progress_bar("summarizing") as progress:
        summary = assistant.summarizer.summarize(source, _options(args), progress)
    deliver(assistant, summary, args)
    print(
        f"(engine: {summary.engine}; {len(summary.points)} points, {summary.summary_words} of "
        f"{summary.source_words} words, compression {summary.compression:.2f}; length: {summary.length})",
        file=sys.stderr,
    )
    return 0


def cmd_bulletin(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    output = Path(args.output)
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("mp3", "ogg", "wav"):
        raise ValueError("the output file must end in .mp3, .ogg or .wav")
    assistant = Assistant(settings_from(args))
    source = _source(assistant, args)
    with progress_bar("bulletin") as progress:
        summary = assistant.summarizer.summarize(source, _options(args), lambda f, m: progress(0.3 * f, m))
        bulletin, audio = assistant.bulletins.make(
            summary,
            args.rate or assistant.settings.tts_rate_wpm,
            fmt,  # type: ignore[arg-type]
            lambda f, m: progress(0.3 + 0.7 * f, m),
        )
    output.write_bytes(audio)
    print(
        f"wrote {output}: {bulletin.duration_s:.0f} s of speech, voice {bulletin.voice}, "
        f"{bulletin.rate_wpm} words/min, {len(summary.points)} points",
        file=sys.stderr,
    )
    if args.script:
        print("\n\n".join(bulletin.script))
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from assistant.service import Assistant

    assistant = Assistant(settings_from(args))
    prepared = assistant.prepare_audio(Path(args.file).read_bytes())
    options = None if args.no_summary else SummaryOptions(length=args.length, style=args.style, engine=args.engine)
    with progress_bar("transcribing") as progress:
        transcription, summary = assistant.transcribe_and_summarize(
            prepared, Path(args.file).name, args.language, options, progress
        )
    if args.json:
        print_json(
            {
                "transcription": transcription.model_dump(mode="json"),
                "summary": summary.model_dump(mode="json") if summary else None,
            }
        )
        return 0
    print(f"# Transcript ({transcription.engine}, {transcription.duration_s:.0f} s)\n")
    for segment in transcription.segments:
        print(f"[{segment.label}] {segment.text}")
    if summary:
        print("\n" + summary.markdown)
    return 0


def _add_source_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("doc_id", nargs="?", help="an indexed document (see `assistant docs`)")
    p.add_argument("--file", help="or a file to summarize without indexing it (PDF, DOCX, TXT/Markdown, HTML)")
    p.add_argument("--text", help="or the text itself ('-' reads standard input)")
    p.add_argument(
        "--length",
        type=length_arg,
        default="auto",
        help="auto (follows the document's size), short (about 5 points), standard, or a word count",
    )
    p.add_argument("--query", help="summarize only what answers this question")
    p.add_argument("--style", choices=["plain", "formal"], default="plain")
    p.add_argument("--language", help="language of the summary (needs an LLM; default: the document's)")
    p.add_argument("--engine", choices=ENGINES, default="auto")
    add_filter_args(p)


def add_commands(sub: argparse._SubParsersAction, evals: argparse._SubParsersAction) -> None:
    p = sub.add_parser("summarize", help="summarize a document, file or text; every point cites its passage")
    _add_source_args(p)
    add_output_args(p)
    p.set_defaults(func=cmd_summarize)

    p = sub.add_parser("bulletin", help="an audio bulletin (speech) of a summary")
    _add_source_args(p)
    p.add_argument("-o", "--output", required=True, help="audio file to write: .mp3, .ogg or .wav")
    p.add_argument("--rate", type=int, help="words per minute (80-260; default from settings, slow)")
    p.add_argument("--script", action="store_true", help="also print what is spoken")
    p.set_defaults(func=cmd_bulletin)

    p = sub.add_parser("transcribe", help="speech to text of an audio bulletin (WAV, FLAC, Ogg, MP3), then a summary")
    p.add_argument("file")
    p.add_argument("--language", default="vi", help="vi or en offline; others need ASSISTANT_WHISPER_BASE_URL")
    p.add_argument("--no-summary", action="store_true")
    p.add_argument("--length", type=length_arg, default="auto")
    p.add_argument("--style", choices=["plain", "formal"], default="plain")
    p.add_argument("--engine", choices=ENGINES, default="auto")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_transcribe)
