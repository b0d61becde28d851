"""A training run that survives its process: the whole state (trained weights,
optimiser, step, dropout's random state) saved in a folder outside the
repository every few minutes, and continued from when the same run starts
again. The full stance recipe takes about four hours on two cores: longer
than a session, so it completes across several (issue 46).

A state is continued only by the run that saved it: the ``fingerprint`` of
its options and training pairs must match, else it starts afresh (and says
so), since continuing another recipe's optimiser would train neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

EVERY = 300  # seconds between saved states: at most five minutes lost to a kill


def fingerprint(options, files, rows) -> str:
    """What makes two runs the same run: the options that shape training and
    the pairs trained on, in order."""
    shaping = {k: str(v) for k, v in asdict(options).items() if k not in ("out", "minutes", "checkpoint", "resume")}
    h = hashlib.sha256(json.dumps([shaping, sorted(Path(f).name for f in files)]).encode())
    for a, b, label, _ in rows:
        h.update(f"{a}\t{b}\t{label}\n".encode())
    return h.hexdigest()[:16]


class State:
    """The saved state of one run in ``folder`` (``state.pt``)."""

    def __init__(self, folder: Path, fingerprint: str):
        self.folder, self.fingerprint = Path(folder), fingerprint
        self.path = self.folder / "state.pt"

    def load(self, model, optimiser):
        """(step, pairs seen, seconds spent, recent losses) of the saved run,
        its weights and optimiser put back; (0, 0, 0.0, []) when none is saved
        or it is another run's."""
        import torch

        if not self.path.is_file():
            return 0, 0, 0.0, []
        state = torch.load(self.path, map_location="cpu", weights_only=False)
        if state.get("fingerprint") != self.fingerprint:
            print(f"{self.path}: saved by another recipe or other data; starting afresh", file=sys.stderr)
            return 0, 0, 0.0, []
        own = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in state["weights"].items():
                own[name].copy_(value)
        optimiser.load_state_dict(state["optimiser"])
        torch.set_rng_state(state["rng"])
        return state["step"], state["seen"], state["seconds"], state["running"]

    def save(self, model, optimiser, step: int, seen: int, seconds: float, running: list) -> None:
        """Written beside and renamed over the last, so that a kill while
        writing leaves the previous state whole."""
        import torch

        self.folder.mkdir(parents=True, exist_ok=True)
        weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
        state = {"fingerprint": self.fingerprint, "step": step, "seen": seen, "seconds": seconds, "running": running,
                 "weights": weights, "optimiser": optimiser.state_dict(), "rng": torch.get_rng_state()}
        partial = self.path.with_suffix(".partial")
        torch.save(state, partial)
        os.replace(partial, self.path)
