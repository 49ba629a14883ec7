"""What an embedding call decides, apart from I/O: which texts it accepts, how they are cut into
requests, how the answers are put back in order, and what a failed request raises.

The sync and async clients send the requests (``_transport.embeddings``); this module is what
they share.

Decisions (README "Retrieval"):

- An empty list makes no request. An empty string is refused before anything is sent, naming
  its index: neither endpoint documents what it does with one, OpenAI's refuses it, and a
  vector for no text would only mislead a similarity search.
- A text longer than the model reads (1,024 tokens for hunyuan-embedding) is sent as is: the
  service embeds its first 1,024 tokens and cuts the rest, as Tencent documents. The client has
  no tokenizer to cut it more exactly.
- Requests carry at most 50 texts (``EMBEDDING_MAX_BATCH``), start in the order of the texts and
  run ``max_concurrency`` at a time. After a request fails (once its retries are spent), no
  request for later texts starts; requests already running finish. The error is the failed
  request's own class, its message names how many texts were embedded, and
  ``partial.embeddings`` holds their vectors: those of the texts before the first failed
  request, in order, so a caller can resume from there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .._catalog import EMBEDDING_MAX_BATCH, EMBEDDING_MODEL, embedding_model_info, model_info
from .._errors import HunyuanError, PartialOutput
from .._types import Api, EmbeddingResult, Usage
from .._wire.embeddings import EmbeddingBatch

__all__ = [
    "DEFAULT_MAX_CONCURRENCY",
    "EmbeddingJob",
    "EmbeddingOptions",
    "check_embedding_options",
    "check_texts",
]

#: Requests in flight at once. Tencent documents 5 concurrent requests per account by default;
#: 4 keeps one free for the chat calls an application makes while it indexes (a query engine
#: answering, an agent), instead of meeting the account's limit and waiting out retries.
DEFAULT_MAX_CONCURRENCY = 4

#: Called with the number of texts each finished request embedded (progress bars).
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class EmbeddingOptions:
    """How an embedding call is made: the model, texts per request, requests at once."""

    model: str = EMBEDDING_MODEL
    batch_size: int = EMBEDDING_MAX_BATCH
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY


def check_embedding_options(
    options: EmbeddingOptions, api: Api, *, batch_setting: str = "batch_size"
) -> None:
    """Refuse options no request could carry, naming the setting (``batch_setting``: the name
    the batch size goes by) and the fix."""
    if not 1 <= options.batch_size <= EMBEDDING_MAX_BATCH:
        raise ValueError(
            f"{batch_setting} must be 1 to {EMBEDDING_MAX_BATCH}: an embedding request carries "
            f"at most {EMBEDDING_MAX_BATCH} texts (GetEmbedding's InputList); got "
            f"{options.batch_size!r}"
        )
    if options.max_concurrency < 1:
        raise ValueError(f"max_concurrency must be at least 1; got {options.max_concurrency!r}")
    model = options.model
    if model_info(model, api).known and not embedding_model_info(model).known:
        raise ValueError(
            f"{model!r} is a chat model; embeddings use {EMBEDDING_MODEL!r} (the default)"
        )
    if api != "openai" and model != EMBEDDING_MODEL:
        raise ValueError(
            f"GetEmbedding (api={api!r}) has no Model field: it always embeds with "
            f"{EMBEDDING_MODEL!r}. Leave model unset, or use api='openai' (an API KEY) to name "
            f"another embedding model; got {model!r}."
        )


def check_texts(texts: object) -> list[str]:
    """The texts as a list, or a TypeError/ValueError naming the first one no request takes."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(
            "texts must be a list of strings, not one string (embed one text as [text])"
        )
    if not isinstance(texts, Sequence):
        raise TypeError(f"texts must be a list of strings; got {type(texts).__name__}")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] is a {type(text).__name__}, not a string")
        if not text:
            raise ValueError(
                f"texts[{i}] is an empty string, which Hunyuan's embedding endpoints do not "
                "embed; drop it (or replace it with the text it stands for) before embedding"
            )
    return list(texts)


@dataclass
class _Failure:
    index: int
    error: HunyuanError


@dataclass
class EmbeddingJob:
    """One embedding call: its requests, the answers so far, and the first failure."""

    texts: list[str]
    options: EmbeddingOptions
    progress: Progress | None = None
    batches: list[list[str]] = field(init=False)
    _answers: list[EmbeddingBatch | None] = field(init=False)
    _failure: _Failure | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        size = self.options.batch_size
        self.batches = [self.texts[i : i + size] for i in range(0, len(self.texts), size)]
        self._answers = [None] * len(self.batches)

    def should_send(self, index: int) -> bool:
        """Whether request ``index`` should still start: not once an earlier one failed."""
        failure = self._failure
        return failure is None or index < failure.index

    def done(self, index: int, batch: EmbeddingBatch) -> None:
        self._answers[index] = batch
        if self.progress is not None:
            self.progress(len(batch.vectors))

    def failed(self, index: int, error: HunyuanError) -> None:
        if self._failure is None or index < self._failure.index:
            self._failure = _Failure(index, error)

    def _leading(self) -> list[EmbeddingBatch]:
        """The answers of the requests before the first one without an answer."""
        out = []
        for answer in self._answers:
            if answer is None:
                break
            out.append(answer)
        return out

    def result(self) -> EmbeddingResult:
        """Every vector in the order of the texts, or the failed request's error."""
        if self._failure is not None:
            error = self._error(self._failure)
            raise error from self._failure.error
        answers = self._leading()
        assert len(answers) == len(self.batches), "every request answered"
        return EmbeddingResult(
            embeddings=[vector for answer in answers for vector in answer.vectors],
            usage=Usage(
                prompt_tokens=sum(answer.prompt_tokens for answer in answers),
                total_tokens=sum(answer.total_tokens for answer in answers),
            ),
            model=self.options.model,
            request_ids=tuple(answer.request_id or "" for answer in answers),
        )

    def _error(self, failure: _Failure) -> HunyuanError:
        """The failed request's error, same class and code, saying what the call embedded."""
        exc = failure.error
        embedded = [v for answer in self._leading() for v in answer.vectors]
        first = failure.index * self.options.batch_size
        last = first + len(self.batches[failure.index]) - 1
        message = (
            f"{exc.message} (embedding request {failure.index + 1} of {len(self.batches)}, "
            f"texts {first} to {last}, failed; {len(embedded)} of {len(self.texts)} texts were "
            "embedded before it: error.partial.embeddings)"
        )
        return type(exc)(
            message,
            code=exc.code,
            request_id=exc.request_id,
            http_status=exc.http_status,
            partial=PartialOutput(request_id=exc.request_id, embeddings=embedded),
            retry_after=exc.retry_after,
        )
