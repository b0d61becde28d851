"""Does a pair read alike whatever it is read with? (issue 46: the same pair
gets the same probabilities whatever it is batched with)

    python benchmarks/stance_batches.py [--rows 16] [--batches 60] [--seed 0]

Reads 150 random pairs of German words (3 to 110 words, so every bucket
length up to ``MAX_LENGTH``) alone, then in ``--batches`` random batches of 2
to 120 of them, with ``stance.MIN_ROWS`` set to ``--rows``; prints how many
batches gave any pair other probabilities than it got alone, and the largest
difference. On CPUs with AMX, bfloat16 reads of small batches took other
kernels (``docs/performance.md``, "A batch of at least 16 rows").
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from claims.index import embed  # noqa: E402
from claims.judging import stance  # noqa: E402

WORDS = ("die der Europäer Tisch sitzen Kellogg Kiew Verhandlung nicht werden Montag Genf Polizei Demonstration "
         "zählte Menschen abgebrochen Stunde").split()
PROPOSITION = "Die Europäer werden mit am Verhandlungstisch sitzen."


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=stance.MIN_ROWS)
    parser.add_argument("--batches", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    embed.offline()
    stance.MIN_ROWS = args.rows
    model, tokenizer = stance.load()
    rng = random.Random(args.seed)
    pool = [(PROPOSITION, " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 110))) + ".") for _ in range(150)]
    alone = np.vstack([stance.predict(model, tokenizer, [pair]) for pair in pool])
    differing, largest = 0, 0.0
    for _ in range(args.batches):
        rows = rng.sample(range(len(pool)), rng.randint(2, 120))
        read = stance.predict(model, tokenizer, [pool[k] for k in rows])
        differing += not np.array_equal(read, alone[rows])
        largest = max(largest, float(np.abs(read - alone[rows]).max()))
    print(json.dumps({"min_rows": args.rows, "bfloat16": stance.fast(), "batches": args.batches,
                      "batches_differing": differing, "largest_difference": round(largest, 5)}))


if __name__ == "__main__":
    main()
