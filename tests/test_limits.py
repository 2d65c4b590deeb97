"""Limits on keys: a key that floods the service gets 429 with Retry-After (others are untouched), and a key
can be given a last day, after which it stops working like a revoked one."""

from __future__ import annotations

import json
import time

from assistant.rate_limit import RateLimiter
from tests.conftest import api_key, keyed_client, make_settings


def test_the_bucket_refills_at_the_rate_and_keys_do_not_share_it():
    now = {"t": 0.0}
    limiter = RateLimiter(per_minute=60, clock=lambda: now["t"])
    assert all(limiter.wait("a") == 0 for _ in range(60))  # a minute's worth at once
    assert limiter.wait("a") == 1.0 and limiter.wait("b") == 0  # one a second from now on; b has its own
    now["t"] = 0.5
    assert 0.4 < limiter.wait("a") < 0.6
    now["t"] = 1.0
    assert limiter.wait("a") == 0
    assert RateLimiter(per_minute=0).wait("a") == 0  # off


def test_a_flooding_key_gets_429_with_retry_after(tmp_path):
    from assistant.service import Assistant

    assistant = Assistant(make_settings(tmp_path / "data", rate_limit_per_minute=5))
    try:
        with keyed_client(assistant, role="member") as client:
            assert [client.get("/v1/me").status_code for _ in range(5)] == [200] * 5
            limited = client.get("/v1/me")
            assert limited.status_code == 429 and 1 <= int(limited.headers["Retry-After"]) <= 12
            assert "too many requests" in limited.json()["detail"]
            assert client.get("/v1/me", headers=api_key(assistant, "member")).status_code == 200  # another key
    finally:
        assistant.close()


def test_a_key_stops_working_after_its_last_day(fresh_assistant, capsys, tmp_path):
    from assistant.cli import main

    soon = time.time() + 0.5
    key, info = fresh_assistant.keys.create("tạm thời", "member", "", "internal", expires_at=soon)
    with keyed_client(fresh_assistant, role="member") as client:
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        time.sleep(0.6)
        assert client.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert not fresh_assistant.keys.get(info.key_id).usable()
    data = ["--data-dir", str(fresh_assistant.settings.data_dir)]
    assert (
        main([*data, "keys", "create", "--name", "Khách", "--role", "member", "--expires", "2099-12-31", "--json"]) == 0
    )
    assert json.loads(capsys.readouterr().out)["expires_at"] > time.time()
    assert main([*data, "keys", "create", "--name", "Khách", "--role", "member", "--expires", "2001-01-01"]) == 2
    assert "in the future" in capsys.readouterr().err
    assert main([*data, "keys", "list"]) == 0 and "active until 2099-12-31" in capsys.readouterr().out
