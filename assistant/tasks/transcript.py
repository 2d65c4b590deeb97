"""A free meeting transcript: who said what, and which agenda item each part belongs to.

Transcripts come as ``Speaker: words`` lines (from a speech-to-text tool or typed by the
secretary); a line without a speaker continues the previous turn, and ``[00:12:05]`` time stamps
are ignored. The meeting goes through its agenda in order, so turns are assigned to items by a
forward-only walk: the walk moves on to a later item when a turn names it (shares most of the
item title's words), and never goes back. A turn that names several items is the chair announcing
the agenda; it belongs to no item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from assistant.tasks.condense import content_words
from assistant.text import fold_accents

_TIMESTAMP = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s*[-–]?\s*")
# "Nguyễn Văn An:", "Đ/c Bình:", "Chủ trì (Nguyễn Văn An):" - a short label starting upper-case.
_SPEAKER = regex.compile(r"^\s*(\p{Lu}[\p{L}\p{M}/.]*(?:[ \t]+[\p{L}\p{M}/.()]+){0,6})[ \t]*:[ \t]*(.*)$")
_HONORIFIC = re.compile(r"^(?:đồng chí|đ/c|comrade|mr\.?|ms\.?|mrs\.?)\s+", re.IGNORECASE)
TITLE_MATCH = 0.6  # share of an agenda title's words a turn must contain to move the walk to it


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


def speaker_name(label: str) -> str:
    """``Đ/c Nguyễn Văn An`` -> ``Nguyễn Văn An``; ``Chủ trì (Nguyễn Văn An)`` -> ``Nguyễn Văn An``."""
    inner = re.search(r"\(([^)]+)\)", label)
    name = inner.group(1) if inner else label
    return _HONORIFIC.sub("", name.strip()).strip()


def same_person(a: str, b: str) -> bool:
    """Whether two speaker labels name the same person (honorifics, case and accents aside)."""
    return bool(a) and fold_accents(speaker_name(a)).casefold() == fold_accents(speaker_name(b)).casefold()


def parse_transcript(text: str) -> list[Turn]:
    """The transcript's turns, in order (consecutive lines of one speaker are joined)."""
    turns: list[Turn] = []
    for raw in text.splitlines():
        line = _TIMESTAMP.sub("", raw).strip()
        if not line:
            continue
        match = _SPEAKER.match(line)
        if match and match.group(2).strip():
            speaker, words = speaker_name(match.group(1)), match.group(2).strip()
            if turns and turns[-1].speaker == speaker:
                turns[-1] = Turn(speaker, f"{turns[-1].text} {words}")
            else:
                turns.append(Turn(speaker, words))
        elif turns:
            turns[-1] = Turn(turns[-1].speaker, f"{turns[-1].text} {line}")
        else:
            turns.append(Turn("", line))
    return turns


def _folded_words(text: str) -> set[str]:
    return {fold_accents(w) for w in content_words(text)}


def split_by_agenda(turns: list[Turn], titles: list[str]) -> list[list[Turn]]:
    """The turns of each agenda item (``len(titles)`` lists), walking forward through the agenda."""
    title_words = [_folded_words(t) for t in titles]
    parts: list[list[Turn]] = [[] for _ in titles]
    current = 0
    for turn in turns:
        said = _folded_words(turn.text)
        named = [j for j in range(current, len(titles))
                 if title_words[j] and len(said & title_words[j]) / len(title_words[j]) >= TITLE_MATCH]
        if len(named) > 1:
            continue  # the chair reading out the agenda: the minutes' opening says that already
        if named:
            current = named[0]
        if parts:
            parts[current].append(turn)
    return parts
