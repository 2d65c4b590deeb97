"""Document -> chunks that follow the legal structure and keep their path, pages and character offsets.

The body is parsed into a tree of headings (chapter > section > part > article > clause > point).
Chapters and sections always split into their children; an article, part, clause or point that
fits in ``max_chars`` becomes one chunk; a larger one is split along its children (consecutive
small clauses and points are grouped; articles, parts and anything above them never are), and a
leaf that is still too large is split at sentence boundaries. Headings too short to stand alone are glued to the
chunk that follows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.domain import Chunk, Document
from assistant.ingest.structure import LEVEL_PART, Heading, iter_headings
from assistant.text import sentence_spans


@dataclass
class Node:
    """A heading and the span of text it governs."""

    heading: Heading | None
    start: int
    end: int
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)

    def path(self) -> list[Heading]:
        node: Node | None = self
        out: list[Heading] = []
        while node is not None and node.heading is not None:
            out.append(node.heading)
            node = node.parent
        return out[::-1]


@dataclass
class Span:
    """A chunk before it gets ids: text offsets and the headings that locate it."""

    start: int
    end: int
    path: list[Heading]
    last_label: str | None = None  # set when the span groups several sibling nodes


def parse_tree(text: str, language: str) -> Node:
    """Build the heading tree from the headings :func:`iter_headings` finds (checked in context)."""
    root = Node(heading=None, start=0, end=len(text))
    stack = [root]
    for offset, heading in iter_headings(text, language):
        while len(stack) > 1 and stack[-1].heading.level >= heading.level:  # type: ignore[union-attr]
            stack.pop().end = offset
        node = Node(heading=heading, start=offset, end=len(text), parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root


class StructureChunker:
    """Split documents along their legal structure."""

    def __init__(self, max_chars: int = 1200, min_chars: int = 200) -> None:
        self.max_chars = max_chars
        self.min_chars = min_chars

    # -- public -------------------------------------------------------------------------------
    def chunk(self, document: Document) -> list[Chunk]:
        text = document.text
        root = parse_tree(text, document.meta.language)
        spans = self._glue_short(self._spans(root, text), text)
        version = document.content_hash[:10] or "v0"
        chunks: list[Chunk] = []
        for span in spans:
            start, end = _trim(text, span.start, span.end)
            if start >= end:
                continue
            labels = [h.label for h in span.path]
            if span.last_label and labels:
                labels[-1] = f"{labels[-1]}–{span.last_label.split(' ', 1)[-1]}"
            chunks.append(
                Chunk(
                    chunk_id=f"{document.meta.doc_id}::{version}::{len(chunks):04d}",
                    doc_id=document.meta.doc_id,
                    ordinal=len(chunks),
                    text=text[start:end],
                    structure_path=" > ".join(labels),
                    heading=" > ".join(f"{h.label}. {h.title}" if h.title else h.label for h in span.path),
                    page_start=document.page_at(start),
                    page_end=document.page_at(max(start, end - 1)),
                    char_start=start,
                    char_end=end,
                )
            )
        return chunks

    # -- splitting ----------------------------------------------------------------------------
    def _size(self, text: str, start: int, end: int) -> int:
        return len(text[start:end].strip())

    def _spans(self, node: Node, text: str) -> list[Span]:
        path = node.path()
        # Chapters and sections (and the document root) always split into their children, so every
        # chunk cites at least an article or a part; smaller nodes stay whole when they fit.
        fits = self._size(text, node.start, node.end) <= self.max_chars
        if fits and not _must_split(node):
            return [Span(node.start, node.end, path)]
        if not node.children:
            return self._split_leaf(node.start, node.end, path, text)
        spans: list[Span] = []
        first_child_start = node.children[0].start
        if self._size(text, node.start, first_child_start) > 0:
            spans.extend(self._split_leaf(node.start, first_child_start, path, text))
        group: list[Node] = []
        for child in node.children:
            if _stands_alone(child) or self._size(text, child.start, child.end) > self.max_chars:
                spans.extend(self._group_span(group))
                group = []
                spans.extend(self._spans(child, text))
            elif group and self._size(text, group[0].start, child.end) > self.max_chars:
                spans.extend(self._group_span(group))
                group = [child]
            else:
                group.append(child)
        spans.extend(self._group_span(group))
        return spans

    @staticmethod
    def _group_span(group: list[Node]) -> list[Span]:
        if not group:
            return []
        last = group[-1].heading.label if len(group) > 1 and group[-1].heading else None
        return [Span(group[0].start, group[-1].end, group[0].path(), last_label=last)]

    def _split_leaf(self, start: int, end: int, path: list[Heading], text: str) -> list[Span]:
        """Split a long run of text at sentence boundaries into pieces of at most ``max_chars``."""
        if self._size(text, start, end) <= self.max_chars:
            return [Span(start, end, path)]
        cuts = [start] + [start + s for s, _ in sentence_spans(text[start:end])[1:]] + [end]
        spans: list[Span] = []
        piece_start = start
        previous = start
        for cut in cuts[1:]:
            if cut - piece_start > self.max_chars and previous > piece_start:
                spans.append(Span(piece_start, previous, path))
                piece_start = previous
            while cut - piece_start > self.max_chars:  # a single sentence longer than the limit
                hard = text.rfind(" ", piece_start, piece_start + self.max_chars)
                hard = hard if hard > piece_start else piece_start + self.max_chars
                spans.append(Span(piece_start, hard, path))
                piece_start = hard
            previous = cut
        if piece_start < end:
            spans.append(Span(piece_start, end, path))
        return spans

    def _glue_short(self, spans: list[Span], text: str) -> list[Span]:
        """Attach spans shorter than ``min_chars`` to a neighbour, when the label stays true.

        A short span goes forward into the next one only when it is that span's own heading or an ancestor's
        (a bare ``Chương II`` line before ``Điều 5``), and back into the previous one only when both have the
        same path (the tail of an article split at sentences). A chunk's label is therefore always where its
        text starts, and no chunk runs from one article into the next."""
        out: list[Span] = []
        pending: Span | None = None
        for span in spans:
            if pending is not None:
                if (
                    pending.end == span.start
                    and _is_prefix(pending.path, span.path)
                    and self._size(text, pending.start, span.end) <= self.max_chars
                ):
                    span = Span(pending.start, span.end, span.path, span.last_label)
                elif not self._glued_back(out, pending, text):
                    out.append(pending)
                pending = None
            if self._size(text, span.start, span.end) < self.min_chars:
                pending = span
            else:
                out.append(span)
        if pending is not None and not self._glued_back(out, pending, text):
            out.append(pending)
        return out

    def _glued_back(self, out: list[Span], pending: Span, text: str) -> bool:
        last = out[-1] if out else None
        if (
            last is None
            or last.end != pending.start
            or _labels(last.path) != _labels(pending.path)
            or last.last_label is not None
            or self._size(text, last.start, pending.end) > self.max_chars
        ):
            return False
        out[-1] = Span(last.start, pending.end, last.path)
        return True


def _labels(path: list[Heading]) -> list[str]:
    return [h.label for h in path]


def _is_prefix(head: list[Heading], path: list[Heading]) -> bool:
    """``head`` is ``path`` or one of its ancestors' paths (text with no heading is nobody's ancestor)."""
    return bool(head) and _labels(path)[: len(head)] == _labels(head)


def _must_split(node: Node) -> bool:
    """Containers with children are always split into them: chapters, sections, books, and the document root
    when it holds articles, parts or items (a short text made only of clauses stays one chunk)."""
    if not node.children:
        return False
    if node.heading is None:
        return any(not child.heading.groupable for child in node.children if child.heading is not None)
    return node.heading.level < LEVEL_PART


def _stands_alone(node: Node) -> bool:
    """Articles, parts, numbered items (and everything above them) are never merged with siblings; clauses,
    points and sub-items (``1.1``) may be, when they are small."""
    return node.heading is not None and not node.heading.groupable


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
