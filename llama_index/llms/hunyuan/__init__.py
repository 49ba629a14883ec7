"""``from llama_index.llms.hunyuan import Hunyuan``: the import path every LlamaIndex LLM
integration has, for the same objects as ``llama_index_hunyuan``.

This directory is this distribution's part of LlamaIndex's PEP 420 namespace: there is no
``llama_index/__init__.py`` or ``llama_index/llms/__init__.py`` here, so it merges with
llama-index-core's ``llama_index`` like ``llama_index/llms/openai`` does. Another module (say
``llama_index/embeddings/hunyuan``) is one more directory like this one, with its ``py.typed``.
"""

from llama_index_hunyuan import *  # noqa: F403
from llama_index_hunyuan import __all__ as __all__
