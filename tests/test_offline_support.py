"""What the page's offline queue and read-aloud rely on: a retried request with the same Idempotency-Key acts
once and gets the first answer back; a text is spoken as MP3 and kept by its content."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from tests.conftest import api_key, keyed_client
from tests.test_meetings_store import CELL, plan


def published_meeting(client, assistant) -> dict:
    """A meeting of the cell in four days, its notice published (members may reply)."""
    day = (assistant.local_now().date() + dt.timedelta(days=4)).isoformat()
    meeting = client.post("/v1/meetings", json=plan(date=day).model_dump(mode="json")).json()
    client.post(f"/v1/meetings/{meeting['id']}/publish")
    return meeting


def test_a_queued_reply_sent_twice_is_done_once(fresh_assistant):
    a = fresh_assistant
    with keyed_client(a, role="secretary", org_unit=CELL) as client:
        meeting = published_meeting(client, a)
        member = api_key(a, "member", CELL)
        path = f"/v1/meetings/{meeting['id']}/reply"
        once = {**member, "Idempotency-Key": "reply-0001-aaaa"}
        first = client.put(path, headers=once, json={"attending": False, "reason": "ốm"})
        again = client.put(path, headers=once, json={"attending": False, "reason": "ốm"})
        assert first.status_code == again.status_code == 200 and first.json() == again.json()
        assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
        assert client.get(f"/v1/meetings/{meeting['id']}").json()["replies"][0]["version"] == 1  # not changed twice
        other = client.put(path, headers={**member, "Idempotency-Key": "reply-0002-bbbb"}, json={"attending": True})
        assert other.json()["version"] == 2  # a new key is a new action
        reused = client.post("/v1/ask", headers=once, json={"question": "Ai chủ trì?"})
        assert reused.status_code == 422 and "was used for PUT" in reused.json()["detail"]
        assert (
            client.put(path, headers={**member, "Idempotency-Key": "short"}, json={"attending": True}).status_code
            == 422
        )
        someone_else = client.put(
            path, headers={**api_key(a, "member", CELL), "Idempotency-Key": "reply-0001-aaaa"}, json={"attending": True}
        )
        assert (
            someone_else.status_code == 200 and "Idempotent-Replayed" not in someone_else.headers
        )  # keys are per caller


def test_the_same_key_sent_at_once_acts_once(fresh_assistant):
    a = fresh_assistant
    with keyed_client(a, role="secretary", org_unit=CELL) as client:
        meeting = published_meeting(client, a)
        headers = {**api_key(a, "member", CELL), "Idempotency-Key": "same-moment-01"}
        statuses: list[int] = []

        def send() -> None:
            statuses.append(
                client.put(f"/v1/meetings/{meeting['id']}/reply", headers=headers, json={"attending": True}).status_code
            )

        threads = [threading.Thread(target=send) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert set(statuses) <= {200, 409} and 200 in statuses
        replies = client.get(f"/v1/meetings/{meeting['id']}").json()["replies"]
        assert [r["version"] for r in replies] == [1]


@pytest.mark.skipif(not __import__("shutil").which("espeak-ng"), reason="espeak-ng is not installed")
def test_read_aloud_speaks_once_per_text(fresh_assistant):
    import io

    import soundfile

    with keyed_client(fresh_assistant, role="member", org_unit=CELL) as client:
        text = "**Chi bộ** quyết định trồng 50 cây xanh [1]."
        first = client.post("/v1/speech", json={"text": text})
        assert first.status_code == 200 and first.headers["content-type"] == "audio/mpeg"
        audio, rate = soundfile.read(io.BytesIO(first.content))
        assert rate > 0 and len(audio) / rate > 1.0  # a few seconds of speech
        again = client.post("/v1/speech", json={"text": text})
        assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
        assert len(list((fresh_assistant.settings.data_dir / "speech").glob("*.mp3"))) == 1
        faster = client.post("/v1/speech", json={"text": text, "rate_wpm": 180})
        assert faster.headers["etag"] != first.headers["etag"] and len(faster.content) < len(first.content)
        assert client.post("/v1/speech", json={"text": "  "}).status_code == 422
        assert client.post("/v1/speech", json={"text": "x", "language": "tlh"}).status_code in (422, 503)
