"""Chat models behind an OpenAI-compatible server (vLLM, llama.cpp server, Ollama...) through LangChain.

With no server configured there is no chat model and the service answers extractively. Every
failure to get a reply (connection refused, timeout, HTTP error) becomes ``BackendUnavailable``
with a message that names the server; nothing retries silently or waits without a limit.
"""

from __future__ import annotations

import json
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from assistant.config import Settings
from assistant.errors import BackendUnavailable, InvalidInput

EngineChoice = Literal["auto", "extractive", "llm"]
"""auto: the LLM when one is configured (falling back, flagged, if it fails); llm: only the LLM."""

Reply = TypeVar("Reply", bound=BaseModel)


def require_llm(engine: EngineChoice, available: bool) -> None:
    """``InvalidInput`` (the request asks for what this server does not offer) when engine 'llm' is asked for
    and no language model is configured. A configured server that fails is ``BackendUnavailable`` (503)."""
    if engine == "llm" and not available:
        raise InvalidInput(
            "engine 'llm' is not available: no language model server is configured on this service "
            "(ASSISTANT_LLM_BASE_URL and ASSISTANT_LLM_MODEL); use engine 'auto' or 'extractive'"
        )


def parse_json_reply(raw: str, shape: type[Reply]) -> Reply:
    """The JSON object in a model reply, validated as ``shape`` (code fences and chatter around it
    are tolerated); ``ValueError`` when there is none or it has the wrong form."""
    start, end = raw.find("{"), raw.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the reply holds no JSON object")
    try:
        return shape.model_validate(json.loads(raw[start : end + 1]))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ValueError(f"the reply is not in the requested JSON form ({type(exc).__name__})") from exc


class ChatModel(Protocol):
    name: str

    def complete(self, system: str, user: str) -> str:
        """The model's reply to one system + user message pair."""
        ...


class OpenAICompatibleChat:
    """A chat model served over the OpenAI chat-completions protocol."""

    def __init__(
        self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 60.0, max_tokens: int = 700
    ) -> None:
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        self.name = model
        self.base_url = base_url
        self.timeout_s = timeout_s
        self._chat = ChatOpenAI(  # type: ignore[call-arg]  # max_tokens: an alias of max_completion_tokens
            base_url=base_url,
            model=model,
            api_key=SecretStr(api_key),
            timeout=timeout_s,
            max_retries=0,
            temperature=0,
            max_tokens=max_tokens,  # an alias of max_completion_tokens
        )

    def complete(self, system: str, user: str) -> str:
        import openai
        from langchain_core.messages import HumanMessage, SystemMessage

        try:
            reply = self._chat.invoke([SystemMessage(content=system), HumanMessage(content=user)])
        except openai.APITimeoutError as exc:
            raise BackendUnavailable(
                f"the language model server at {self.base_url} did not answer within {self.timeout_s:g} s"
            ) from exc
        except openai.APIConnectionError as exc:
            raise BackendUnavailable(f"the language model server at {self.base_url} is unreachable") from exc
        except openai.APIStatusError as exc:
            raise BackendUnavailable(
                f"the language model server at {self.base_url} answered HTTP "
                f"{exc.status_code}: {str(exc.message)[:200]}"
            ) from exc
        content = reply.content
        return (
            content
            if isinstance(content, str)
            else "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
        )


def make_chat_model(settings: Settings) -> ChatModel | None:
    """The configured chat model, or ``None`` when no LLM server is set (extractive only)."""
    if not settings.llm_base_url:
        return None
    if not settings.llm_model:
        raise ValueError("ASSISTANT_LLM_MODEL must be set together with ASSISTANT_LLM_BASE_URL")
    return OpenAICompatibleChat(
        settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s, settings.llm_max_tokens
    )
