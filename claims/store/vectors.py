"""How a vector is kept in SQLite: little-endian float32 bytes, the format
sqlite-vec's functions read (``embeddings.vector``). The store owns it, so
that storage does not need the embedding stage (``index/embed.py`` uses it)."""

from __future__ import annotations

import numpy as np


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def from_blobs(blobs: list[bytes]) -> np.ndarray:
    """One row per BLOB (all of one model, so of one length), in a single copy
    rather than one array per row stacked."""
    if not blobs:
        return np.zeros((0, 0), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), -1)
