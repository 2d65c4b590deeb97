"""The published contract is the enforced one: a client generated from /openapi.json by a real generator
(openapi-python-client) uploads a document, asks a question about it and drafts minutes against the app
served on loopback."""

from __future__ import annotations

import importlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from assistant.config import PROJECT_ROOT
from assistant.meeting import load_record
from tests.conftest import WARD, api_key, served

pytestmark = pytest.mark.slow
GENERATOR = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
if GENERATOR is None:
    pytest.skip("openapi-python-client is not installed (a test extra)", allow_module_level=True)
RECORD = PROJECT_ROOT / "evals" / "datasets" / "minutes" / "records" / "01-cb3-thuong-ky-12-2025.yaml"
NOTICE = """THÔNG BÁO
về lịch tiếp công dân của chi bộ khu dân cư số 9

1. Bí thư chi bộ tiếp công dân vào sáng thứ Bảy tuần thứ hai hằng tháng tại nhà văn hoá khu số 9.
2. Công dân đăng ký trước với tổ trưởng tổ dân phố ít nhất hai ngày.
"""


@pytest.fixture(scope="module")
def generated_client(fresh_module_assistant, tmp_path_factory):
    """(base URL, the generated package) for the app serving ``fresh_module_assistant``."""
    with served(fresh_module_assistant) as base_url:
        spec = tmp_path_factory.mktemp("spec") / "openapi.json"
        spec.write_bytes(httpx.get(f"{base_url}/openapi.json", timeout=30).content)
        out = tmp_path_factory.mktemp("client")
        config = out / "config.yaml"  # audio is bytes to a client: the generator's own setting says so
        config.write_text(
            "content_type_overrides:\n"
            + "".join(f"  {kind}: application/octet-stream\n" for kind in ("audio/mpeg", "audio/ogg", "audio/wav"))
        )
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        done = subprocess.run(
            [
                GENERATOR,
                "generate",
                "--path",
                str(spec),
                "--meta",
                "none",
                "--config",
                str(config),
                "--output-path",
                str(out / "contract_client"),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr  # every schema was understood
        sys.path.insert(0, str(out))
        try:
            yield base_url, importlib.import_module("contract_client")
        finally:
            sys.path.remove(str(out))


@pytest.fixture(scope="module")
def fresh_module_assistant(tmp_path_factory):
    from assistant.service import Assistant
    from tests.conftest import make_settings

    assistant = Assistant(make_settings(tmp_path_factory.mktemp("contract-index")))
    yield assistant
    assistant.close()


def test_generated_client_uploads_asks_and_drafts(generated_client, fresh_module_assistant):
    base_url, _ = generated_client
    from contract_client import AuthenticatedClient
    from contract_client.api.default import ask, get_document, upload_document
    from contract_client.api.drafting import draft_minutes
    from contract_client.models import AccessLevel, AskRequest, BodyUploadDocument, DraftMinutesRequest, MeetingRecord
    from contract_client.types import File

    token = api_key(fresh_module_assistant, "committee", WARD, "internal")["Authorization"].removeprefix("Bearer ")
    client = AuthenticatedClient(base_url=base_url, token=token, raise_on_unexpected_status=True)

    uploaded = upload_document.sync(
        client=client,
        body=BodyUploadDocument(
            file=File(payload=io.BytesIO(NOTICE.encode()), file_name="tb-tiep-cong-dan.txt", mime_type="text/plain"),
            doc_id="tb-tiep-cong-dan",
            access_level=AccessLevel.PUBLIC,
        ),
    )
    assert not hasattr(uploaded, "detail"), uploaded
    assert uploaded.status == "added" and uploaded.doc_id == "tb-tiep-cong-dan" and uploaded.chunks >= 1

    document = get_document.sync(client=client, doc_id="tb-tiep-cong-dan")
    assert document["meta"]["org_unit"] == WARD  # the committee's own unit, as the route promises

    answer = ask.sync(client=client, body=AskRequest(question="Bí thư chi bộ tiếp công dân vào ngày nào?"))
    assert answer.status.value == "answered"
    assert answer.citations[0].doc_id == "tb-tiep-cong-dan" and "thứ Bảy" in answer.answer

    record_json = load_record(RECORD).model_dump(mode="json")  # what a secretary's app would send
    record = MeetingRecord.from_dict(record_json)
    draft = draft_minutes.sync(client=client, body=DraftMinutesRequest(record=record))
    assert "BIÊN BẢN" in draft.markdown and "Nguyễn Văn An" in draft.markdown

    # A record the API refuses comes back as the documented field-level 422 body.
    broken = {**record_json, "members_present": 99}
    response = draft_minutes.sync_detailed(
        client=client,  # a documented status: no exception
        body=DraftMinutesRequest(record=MeetingRecord.from_dict(broken)),
    )
    assert response.status_code == 422
    assert [problem.loc for problem in response.parsed.detail][0] == ["body", "record", "members_present"]
