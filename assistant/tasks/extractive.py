"""The extractive engine: answer with the documents' own sentences, no language model.

From the retrieved chunks it picks the sentence that covers the question best, expands it when it
introduces a list (``... gồm:`` followed by items), adds up to two more sentences that score
nearly as well (skipping near-duplicates, e.g. a guideline repeating its regulation), and keeps
them with the best sentence's chunk first, then in retrieval order and text order. Each picked block becomes one
cited sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from assistant.domain import SearchHit
from assistant.tasks.evidence import Sentence


@dataclass(frozen=True)
class ExtractiveOptions:
    max_blocks: int = 3  # cited sentences (or sentence + its list) in one answer
    related_ratio: float = 0.8  # a further sentence must score at least this share of the best one
    max_chars: int = 900  # total answer length
    max_list_items: int = 8  # items taken after a sentence that ends with ':'
    duplicate_similarity: float = 90.0  # rapidfuzz ratio above which two sentences are the same


@dataclass
class Block:
    """Consecutive sentences of one chunk, quoted together."""

    hit_rank: int
    start: int
    end: int
    coverage: float

    def text(self, hits: list[SearchHit]) -> str:
        return hits[self.hit_rank].chunk.text[self.start : self.end]


def _with_list(best: Sentence, sentences: list[Sentence], options: ExtractiveOptions) -> Block:
    """The best sentence, plus the items that follow it when it introduces a list."""
    block = Block(best.hit_rank, best.start, best.end, best.coverage)
    if not best.text.rstrip().endswith(":"):
        return block
    following = [s for s in sentences if s.hit_rank == best.hit_rank and s.start >= best.end]
    for item in following[: options.max_list_items]:
        if item.end - block.start > options.max_chars:
            break
        block.end = item.end
    return block


def _with_title(best: Sentence, sentences: list[Sentence]) -> Block:
    """A title line, extended over the title's other lines around it (the whole title is the answer)."""
    block = Block(best.hit_rank, best.start, best.end, best.coverage)
    same = sorted((s for s in sentences if s.hit_rank == best.hit_rank and s.in_title), key=lambda s: s.start)
    for s in same:
        if s.end <= block.start and not _between(s.end, block.start, sentences, best.hit_rank):
            block.start = s.start
    for s in same:
        if s.start >= block.end and not _between(block.end, s.start, sentences, best.hit_rank):
            block.end = s.end
    return block


def _between(start: int, end: int, sentences: list[Sentence], hit_rank: int) -> bool:
    """Is there a quotable sentence that is not a title line between ``start`` and ``end``?"""
    return any(s.hit_rank == hit_rank and not s.in_title and start <= s.start < end for s in sentences)


def _overlaps(a: Block, b: Block) -> bool:
    return a.hit_rank == b.hit_rank and a.start < b.end and b.start < a.end


def select_blocks(
    sentences: list[Sentence],
    hits: list[SearchHit],
    options: ExtractiveOptions = ExtractiveOptions(),
    fact_required: bool = False,
) -> list[Block]:
    """Pick the supporting blocks for an answer (empty when there is nothing to quote).

    With ``fact_required`` (the question asks for a date, an amount, a number...) the answer leads with the
    best sentence that states such a fact (or whose list lead-in does)."""
    ranked = sorted(sentences, key=lambda s: -s.score)
    if fact_required:
        ranked = [s for s in ranked if s.holds_fact] + [s for s in ranked if not s.holds_fact]
    if not ranked or ranked[0].score <= 0:
        return []
    best = ranked[0]
    chosen = [_with_title(best, sentences) if best.in_title else _with_list(best, sentences, options)]
    if best.lead_in is not None:  # the fact asked for is in the list's lead-in: quote it too
        chosen.insert(0, Block(best.hit_rank, best.lead_in[0], best.lead_in[1], best.coverage))
    length = sum(b.end - b.start for b in chosen)
    for candidate in ranked[1:]:
        if len(chosen) >= options.max_blocks or candidate.score < options.related_ratio * best.score:
            break
        block = Block(candidate.hit_rank, candidate.start, candidate.end, candidate.coverage)
        if any(_overlaps(block, c) for c in chosen) or length + len(candidate.text) > options.max_chars:
            continue
        if any(fuzz.ratio(candidate.text, c.text(hits)) >= options.duplicate_similarity for c in chosen):
            continue
        chosen.append(block)
        length += len(candidate.text)
    # The best sentence's chunk first, then retrieval order; text order inside a chunk.
    chosen.sort(key=lambda b: (b.hit_rank != best.hit_rank, b.hit_rank, b.start))
    return _merge_adjacent(chosen, hits)


def _merge_adjacent(blocks: list[Block], hits: list[SearchHit]) -> list[Block]:
    """Blocks of one chunk with only white space between them become one quote (and one citation)."""
    merged: list[Block] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if (
            last
            and last.hit_rank == block.hit_rank
            and not hits[block.hit_rank].chunk.text[last.end : block.start].strip()
        ):
            last.end = block.end
            last.coverage = max(last.coverage, block.coverage)
        else:
            merged.append(block)
    return merged
