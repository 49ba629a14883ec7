"""``make demo`` runs ``examples/demo.py``: a fresh clone with no credentials gets the whole tour
against the bundled emulator; with credentials the same script uses them; any failure exits 1."""

from __future__ import annotations

import re
import subprocess
import sys

from hunyuan_emulator import run_emulator
from tests.support.docs import ROOT, offline_env

DEMO = ROOT / "examples" / "demo.py"


def run_demo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # sys.executable is the venv's interpreter, as for `make demo`.
    return subprocess.run(
        [sys.executable, str(DEMO), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def test_make_demo_runs_the_demo_script() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "demo: $(STAMP)\n\t$(PY) examples/demo.py\n" in makefile


def test_demo_without_credentials_tours_everything_on_the_emulator() -> None:
    result = run_demo(offline_env())
    assert result.returncode == 0, result.stdout + result.stderr
    # Nothing on stderr: no warnings, no tracebacks, no server noise.
    assert result.stderr == ""
    out = result.stdout
    for marker in (
        "Hunyuan demo · the bundled emulator (no credentials set), api=run_thread",
        "starting the emulator… done",
        # 1: streamed Chinese text
        "── 1/4 LangChain · ChatHunyuan streams Chinese text",
        "you   > 用三句话介绍一下深圳。",
        "model < 您好！您说的是：「用三句话介绍一下深圳。」",
        # 2: a LangChain agent calls a tool and answers
        "── 2/4 LangChain · create_agent calls a tool",
        "model → calls get_weather({'city': 'Shenzhen'})",
        "tool  ← Shenzhen: sunny, 26°C, light breeze",
        'model < Based on the tool results: "Shenzhen: sunny, 26°C, light breeze".',
        # 3: a LlamaIndex FunctionAgent does the same
        "── 3/4 LlamaIndex · FunctionAgent calls a tool",
        "model → calls get_weather({'city': 'Beijing'})",
        "tool  ← Beijing: sunny, 26°C, light breeze",
        # 4: a vector index retrieves the document that answers, and the model answers from it
        "── 4/4 LlamaIndex · vector index over local documents",
        "reading data/ and embedding it with hunyuan-embedding… done",
        "you   > 腾讯的总部在哪里？",
        "retrieved: tencent.md (cosine similarity 0.",
        "model < 根据提供的资料：腾讯公司成立于 1998 年，总部位于深圳南山区的腾讯滨海大厦。",
        # usage and thread reuse
        "── summary",
        "all steps",
        "thread reuse: 2 of 6 model calls continued their RunThread thread",
        "finished in",
    ):
        assert marker in out, f"missing {marker!r} in:\n{out}"
    # Usage on every call: the stream's, then each agent's two calls, then the query engine's.
    usage = re.findall(r"usage (\d+) in \+ (\d+) out = (\d+) tokens · thread reused: (.+)", out)
    assert len(usage) == 6
    assert all(int(i) + int(o) == int(t) > 0 for i, o, t, _ in usage)
    assert [reuse for *_, reuse in usage] == [
        "no (new thread), sent 1 of 1 message",
        "no (new thread), sent 2 of 2 messages",
        # Each agent's second model call continued the thread, sending only the tool result.
        "yes, sent 1 of 4 messages",
        "no (new thread), sent 2 of 2 messages",
        "yes, sent 1 of 4 messages",
        "no (new thread), sent 2 of 2 messages",
    ]


def test_demo_with_credentials_uses_them_instead_of_the_emulator() -> None:
    # A stand-in for Tencent's service: the script must not start its own emulator, and every
    # request it makes must reach the endpoint and credentials of the environment.
    with run_emulator() as emu:
        env = offline_env(
            HUNYUAN_SECRET_ID=emu.secret_id,
            HUNYUAN_SECRET_KEY=emu.secret_key,
            HUNYUAN_BASE_URL=emu.base_url,
        )
        result = run_demo(env)
        requests = emu.state.requests
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"api=run_thread, endpoint {emu.base_url}" in result.stdout
    assert "starting the emulator" not in result.stdout
    runs = [r for r in requests if r.action == "RunThread"]
    assert len(runs) == 6
    # The three documents in one GetEmbedding request, then the question in another.
    embedded = [r.body["InputList"] for r in requests if r.action == "GetEmbedding"]
    assert [len(texts) for texts in embedded] == [3, 1]
    assert {r.secret_id for r in requests} == {emu.secret_id}
    # Without a request log the script infers what was sent; it must agree with the wire.
    assert result.stdout.count("thread reused: yes, sent 1 of 4 messages") == 2
    assert sorted(len(r.body["AdditionalMessages"]) for r in runs) == [1, 1, 1, 2, 2, 2]


def test_demo_exits_1_when_the_service_refuses() -> None:
    with run_emulator() as emu:
        env = offline_env(
            HUNYUAN_SECRET_ID=emu.secret_id,
            HUNYUAN_SECRET_KEY="not-the-right-key",
            HUNYUAN_BASE_URL=emu.base_url,
        )
        result = run_demo(env)
    assert result.returncode == 1
    assert "demo failed: HunyuanAuthenticationError: [AuthFailure.SignatureFailure]" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_demo_explains_a_console_api_key() -> None:
    env = offline_env(HUNYUAN_SECRET_ID="sk-from-the-hunyuan-console", HUNYUAN_SECRET_KEY="x")
    result = run_demo(env)
    assert result.returncode == 1
    assert "demo failed: ConfigurationError: This looks like a Hunyuan console 'API KEY'" in (
        result.stderr
    )
    assert "https://console.cloud.tencent.com/cam/capi" in result.stderr


def test_demo_runs_on_a_console_api_key_alone() -> None:
    """Only ``HUNYUAN_API_KEY`` (and the endpoint) in the environment: the OpenAI-compatible
    endpoint, the same tour, no threads."""
    with run_emulator() as emu:
        env = offline_env(HUNYUAN_API_KEY=emu.api_key, HUNYUAN_BASE_URL=emu.openai_base_url)
        result = run_demo(env)
        requests = emu.state.requests
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"api=openai, endpoint {emu.openai_base_url}" in result.stdout
    chats = [r for r in requests if r.action == "v1/chat/completions"]
    assert len(chats) == 6
    # The documents and the question embedded on the same endpoint.
    embedded = [r.body["input"] for r in requests if r.action == "v1/embeddings"]
    assert [len(texts) for texts in embedded] == [3, 1]
    assert len(requests) == 8
    assert "retrieved: tencent.md" in result.stdout
    assert result.stdout.count("no thread: sent the whole history") == 6
    assert "tool  ← Beijing: sunny, 26°C, light breeze" in result.stdout


def test_demo_on_the_emulator_s_api_key_endpoint() -> None:
    result = run_demo(offline_env(), "--api", "openai")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the bundled emulator (no credentials set), api=openai" in result.stdout
    assert "model → calls get_weather({'city': 'Shenzhen'})" in result.stdout
