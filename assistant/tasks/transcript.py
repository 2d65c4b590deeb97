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

from assistant.index.lexical import words
from assistant.tasks.selection import content_words
from assistant.text import fold_accents

_TIMESTAMP = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?\s*[-–]?\s*")
# "Nguyễn Văn An:", "Đ/c Bình:", "Chủ trì (Nguyễn Văn An):", "Mr. Jo Hay (Ottawa South, Lib.):" - a short label
# starting upper-case.
_SPEAKER = regex.compile(r"^\s*(\p{Lu}[\p{L}\p{M}/.'’\-]*(?:[ \t]+[\p{L}\p{M}\p{N}/.'’()\-,]+){0,9})[ \t]*:[ \t]*(.*)$")
_HONORIFIC = re.compile(r"^(?:đồng chí|đ/c|comrade|mr\.?|ms\.?|mrs\.?|dr\.?|hon\.?|right hon\.?)\s+", re.IGNORECASE)
_AFFILIATION = re.compile(r"\s*\([^()]*,[^()]*\)")  # "(Ottawa South, Lib.)": a seat and party, not a name
TITLE_MATCH = 0.6  # share of an agenda title's words a turn must contain to move the walk to it


@dataclass(frozen=True)
class Turn:
    speaker: str
    text: str


def speaker_name(label: str) -> str:
    """``Đ/c Nguyễn Văn An`` -> ``Nguyễn Văn An``; ``Chủ trì (Nguyễn Văn An)`` -> ``Nguyễn Văn An``;
    ``The Chair (Hon. Jo Hay (Ottawa South, Lib.))`` -> ``Jo Hay``."""
    while (bare := _AFFILIATION.sub("", label)) != label:
        label = bare
    inner = re.search(r"\(([^()]+)\)", label)
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
    """Topic words and numbers, accents folded ("tháng 10" and "tháng 11" differ)."""
    return {fold_accents(w) for w in words(text) if w.isdigit()} | {fold_accents(w) for w in content_words(text)}


def split_by_agenda(turns: list[Turn], titles: list[str]) -> list[list[Turn]]:
    """The turns of each agenda item (``len(titles)`` lists), walking forward through the agenda.

    A turn that names one coming item better than the others moves the walk there ("Sang phương hướng
    nhiệm vụ tháng 11…" names item 2 although its words half-match "Kiểm điểm nhiệm vụ tháng 10" too); a
    turn naming several equally (the chair reading out the agenda) is left out: the opening says that.
    """
    title_words = [_folded_words(t) for t in titles]
    parts: list[list[Turn]] = [[] for _ in titles]
    current = 0
    for turn in turns:
        said = _folded_words(turn.text)
        shares = {
            j: len(said & title_words[j]) / len(title_words[j]) for j in range(current, len(titles)) if title_words[j]
        }
        named = sorted((j for j, share in shares.items() if share >= TITLE_MATCH), key=lambda j: -shares[j])
        if len(named) > 1 and shares[named[0]] == shares[named[1]]:
            continue
        if named:
            current = named[0]
        if parts:
            parts[current].append(turn)
    return parts


# Backchannel and procedure: turns that carry nothing a summary should keep.
_FILLER = re.compile(
    r"^(?:(?:u+m+|u+h+|mm+-?h+m+|hmm+|yeah|yes|yep|no|nope|okay|ok|right|alright|sure|so|well|oh|ah|great|good|"
    r"fine|cool|thanks?|thank you|sorry|exactly|true|indeed|i see|got it|and|but|vâng|dạ|ừ|ờ|à|đúng|đúng rồi|"
    r"được|đồng ý|cảm ơn|xin cảm ơn|rồi)[\s,.!?…-]*)+$",
    re.IGNORECASE,
)
_PROCEDURE = re.compile(
    r"\b(?:can you hear|is (?:this|it) on|next slide|move on to|let'?s (?:start|begin|move on)|"
    r"read (?:the )?digits|mời đồng chí|xin mời|tôi xin phép)\b",
    re.IGNORECASE,
)
FILLER_MAX_WORDS = 4


def is_transcript(text: str) -> bool:
    """Mostly ``Speaker: words`` lines (a meeting transcript), at least five of them."""
    lines = [line for line in text.splitlines() if line.strip()]
    speaking = sum(1 for line in lines if _SPEAKER.match(_TIMESTAMP.sub("", line)))
    return len(lines) >= 5 and speaking >= 0.6 * len(lines)


def is_filler_turn(text: str) -> bool:
    """A backchannel ("Yeah.", "Mm-hmm", "Vâng ạ"), a very short turn, or procedure ("can you hear me")."""
    words_ = text.split()
    return (
        len(words_) <= FILLER_MAX_WORDS
        or bool(_FILLER.match(text.strip()))
        or (len(words_) <= 12 and bool(_PROCEDURE.search(text)))
    )


def speaker_at(text: str, offset: int) -> tuple[str, int, int] | None:
    """For a transcript text: ``(speaker, turn number (0-based line), where the words start)`` of the line that
    holds ``offset``; None when that line has no speaker label."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    match = _SPEAKER.match(line)
    if not match:
        return None
    return speaker_name(match.group(1)), text.count("\n", 0, line_start), line_start + match.start(2)


# Disfluencies a reader of a summary does not need: hesitations, fillers and stutters.
_HESITATION = regex.compile(
    r"(?<![\p{L}\p{M}'-])(?:u+h+m*|u+m+|e+r+m*|a+h+|h+m+|m+-?h+m+|m+|ờ+|ừm+)"
    r"(?![\p{L}\p{M}'-])[,.…]*",
    regex.IGNORECASE,
)
_FILLER_PHRASE = regex.compile(r"(?<![\p{L}\p{M}'])(?:you know|sort of|kind of)(?![\p{L}\p{M}'])[,]?", regex.IGNORECASE)
_WORD_SPAN = regex.compile(r"[\p{L}\p{M}\p{N}'’-]+|\S")


def clean_speech(text: str, language: str = "en") -> str:
    """Spoken words made readable: hesitations (uh, um, ờ), fillers (you know, sort of), repeated words and
    cut-off starts of the next word ("dig d dig down" -> "dig down") removed. Meaning-bearing words stay:
    in Vietnamese, where doubled syllables carry meaning ("người người", "ngày ngày"), only hesitations go."""
    from assistant.tasks.evidence import STOPWORDS

    text = _FILLER_PHRASE.sub(" ", _HESITATION.sub(" ", text))
    tokens = _WORD_SPAN.findall(text)
    stutters = language != "vi"
    kept: list[str] = []
    for i, token in enumerate(tokens):
        lower = token.lower()
        following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if stutters and token.isalpha() and kept and lower == kept[-1].lower():
            continue  # "the the", "I I"
        if (
            stutters
            and token.isalpha()
            and following.isalpha()
            and len(lower) <= 3
            and lower not in STOPWORDS
            and len(following) > len(lower)
            and following.startswith(lower)
        ):
            continue  # a cut-off start: "d dig", "c courses", "sam same"
        if kept and token in ",." and kept[-1] in ",.":
            continue
        kept.append(token)
    out = " ".join(kept)
    out = regex.sub(r"\s+([,.!?;:…])", r"\1", out)
    out = regex.sub(r"^[,.\s]+", "", out).strip()
    return out[:1].upper() + out[1:] if out else out


_ROLE_PREFIX = re.compile(r"^(?:the\s+)?(?:grad|phd|postdoc|professor|prof\.?|undergrad|student)\s+", re.IGNORECASE)


def speakers_named(question: str, speakers: set[str]) -> set[str]:
    """The speakers of a meeting that a question asks about ("What did Professor C think…", "What did
    Marketing say…", "…did Freeland…", "ý kiến của đồng chí Bình"): a speaker's whole name, its role
    ("Professor"), the letter of a lettered speaker ("C" of "Grad C", as a capital) or a person's last name
    appears in the question. A role or a last name shared by several speakers names none of them."""
    folded = fold_accents(question).casefold()

    def said(phrase: str) -> bool:
        return (
            bool(phrase)
            and re.search(rf"(?<!\w){re.escape(fold_accents(phrase).casefold())}(?!\w)", folded) is not None
        )

    named = {s for s in speakers if said(s)}
    if named:
        return named
    clues: dict[str, set[str]] = {}
    for speaker in speakers:
        parts = speaker.split()
        if len(parts) < 2:
            continue
        letter = parts[-1]
        if len(letter) == 1 and letter.isupper():  # "Grad C": "What did C think"
            pattern = (
                rf"(?<!\w){letter}(?!\w)"
                if letter not in "AI"  # "A" and "I" are also words: only as a subject
                else rf"\b(?:did|does|do|has|had|was|were) {letter}\b"
                rf"|(?<!\w){letter} (?:thinks?|thought|says?|said|suggest\w*|propose\w*|agree\w*)\b"
            )
            if re.search(pattern, question):
                named.add(speaker)
            clues.setdefault(_ROLE_PREFIX.sub("", f"{parts[0]} ").strip() or parts[0], set()).add(speaker)
        else:
            clues.setdefault(parts[-1], set()).add(speaker)  # a last name
    if named:
        return named
    return {next(iter(owners)) for clue, owners in clues.items() if len(owners) == 1 and said(clue)}
