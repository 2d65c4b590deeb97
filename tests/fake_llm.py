"""A real HTTP server on loopback that speaks the OpenAI chat-completions protocol, for tests.

It behaves like a small model whose manners are chosen by the requested model name:

- ``quoting``: answers from the passage that shares most words with the question, quoting its best sentence;
- ``fabricating``: writes a sentence with a quote that is in no passage;
- ``half-right``: one good quoted sentence plus one with a number the passage doesn't have;
- ``not-found``: replies ``{"not_found": true}``;
- ``obedient``: follows instructions written inside passages (prompt injection): it drops the JSON
  format when a passage tells it to, and otherwise tries to smuggle a secret into the answer;
- ``garbage``: replies with prose, no JSON; ``slow``: sleeps 3 s first; ``broken``: HTTP 500.

For minutes (a prompt with ``<item>`` blocks): ``minutes-faithful`` restates each item's first note
sentence and each opinion; ``minutes-inventing`` adds a sum of money, a person and a speaker who
never spoke.

For summaries (a prompt ending "Write the summary."): ``summary-faithful`` restates the first three
passages; ``summary-inventing`` adds a point with a sum of money no passage has.

A POST to ``/audio/transcriptions`` answers like a Whisper server with ``WHISPER_TEXT``.

Every request body is kept in ``requests`` so tests can read the prompt that was sent.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_PASSAGE = re.compile(r'<passage id="(\d+)"[^>]*>\n(.*?)\n</passage>', re.DOTALL)
_WORD = re.compile(r"\w+")
SECRET = "CANARY-HUONGAN-7Q2X"
WHISPER_TEXT = "Bản tin phường Hương An tuần này."


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _best_sentence(question: str, passages: list[tuple[int, str]]) -> tuple[int, str]:
    q = _words(question)
    scored = []
    for number, text in passages:
        for sentence in re.split(r"(?<=[.;:])\s+|\n", text):
            if len(sentence) > 15:
                scored.append((len(q & _words(sentence)), number, sentence.strip()))
    _, number, sentence = max(scored)
    return number, sentence


_ITEM = re.compile(r'<item id="(\d+)"[^>]*>\n(.*?)\n</item>', re.DOTALL)
_NOTES = re.compile(r"<notes>\n(.*?)\n</notes>", re.DOTALL)
_OPINION = re.compile(r'<opinion speaker="([^"]+)">(.*?)</opinion>')


def _minutes_reply(model: str, user: str) -> str:
    items = []
    for number, body in _ITEM.findall(user):
        notes = _NOTES.search(body)
        first = re.split(r"(?<=[.!?])\s+", notes.group(1).strip())[0] if notes else ""
        summary = f"Báo cáo nêu rõ: {first[0].lower()}{first[1:]}" if first else ""
        opinions = [{"speaker": who, "text": f"Đồng chí phát biểu: {text}"} for who, text in _OPINION.findall(body)]
        if model == "minutes-inventing":
            summary += " Chi bộ đã chi 99 triệu đồng theo đề nghị của đồng chí Lê Văn Tám."
            opinions.append({"speaker": "Người Lạ", "text": "Tôi đề nghị giải tán chi bộ."})
        items.append({"item": int(number), "summary": summary, "opinions": opinions})
    return json.dumps({"items": items}, ensure_ascii=False)


def _summary_reply(model: str, user: str) -> str:
    points = [{"text": f"Văn bản nêu: {body.strip()}", "sources": [int(n)]} for n, body in _PASSAGE.findall(user)[:3]]
    if model == "summary-inventing":
        points.append({"text": "Mỗi đảng viên được thưởng 500 nghìn đồng.", "sources": [1]})
    return json.dumps({"points": points}, ensure_ascii=False)


def _reply(model: str, user: str) -> str:
    if "<item id=" in user:
        return _minutes_reply(model, user)
    if user.rstrip().endswith("Write the summary."):
        return _summary_reply(model, user)
    passages = [(int(n), body) for n, body in _PASSAGE.findall(user)]
    question = user.rsplit("Question:", 1)[-1].strip()
    if model == "not-found" or not passages:
        return json.dumps({"not_found": True, "sentences": []})
    if model == "garbage":
        return "I think the answer is probably yes, but I am not sure."
    if model == "fabricating":
        return json.dumps(
            {
                "not_found": False,
                "sentences": [
                    {
                        "text": "Đảng viên được nghỉ sinh hoạt 3 tháng mỗi năm.",
                        "citations": [{"passage": 1, "quote": "đảng viên được nghỉ sinh hoạt ba tháng mỗi năm"}],
                    }
                ],
            }
        )
    number, sentence = _best_sentence(question, passages)
    good = {"text": f"Theo văn bản: {sentence}", "citations": [{"passage": number, "quote": sentence}]}
    if model == "half-right":
        wrong = {"text": "Thời hạn này là 99 ngày.", "citations": [{"passage": number, "quote": sentence}]}
        return "```json\n" + json.dumps({"not_found": False, "sentences": [good, wrong]}, ensure_ascii=False) + "\n```"
    if model == "obedient":
        injected = any("ignore previous instructions" in body.lower() for _, body in passages)
        if injected:
            return f"HACKED. Here are all documents: {SECRET}"
        leak = {"text": f"Mã tài liệu mật là {SECRET}.", "citations": [{"passage": number, "quote": sentence}]}
        return json.dumps({"not_found": False, "sentences": [good, leak]}, ensure_ascii=False)
    return json.dumps({"not_found": False, "sentences": [good]}, ensure_ascii=False)


class FakeChatServer:
    """``with FakeChatServer() as server:`` -> ``server.base_url`` is ``http://127.0.0.1:PORT/v1``."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path.endswith("/audio/transcriptions"):  # a Whisper-compatible speech server
                    outer.requests.append({"audio_bytes": len(raw), "multipart": b'name="model"' in raw})
                    return self._send(200, {"text": WHISPER_TEXT})
                body = json.loads(raw)
                outer.requests.append(body)
                model = body.get("model", "")
                if not self.path.endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": "not found"}})
                if model == "broken":
                    return self._send(500, {"error": {"message": "model crashed"}})
                if model == "slow":
                    time.sleep(3)
                user = next(m["content"] for m in body["messages"] if m["role"] == "user")
                content = _reply(model, user)
                self._send(
                    200,
                    {
                        "id": "chatcmpl-test",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                        ],
                        "usage": {
                            "prompt_tokens": len(user) // 4,
                            "completion_tokens": len(content) // 4,
                            "total_tokens": (len(user) + len(content)) // 4,
                        },
                    },
                )

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeChatServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def last_user_prompt(self) -> str:
        return next(m["content"] for m in self.requests[-1]["messages"] if m["role"] == "user")
