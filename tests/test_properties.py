"""Properties that hold for any input, checked with hypothesis."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.judging.judge import judge
from claims.text.split import split

WORDS = st.sampled_from(
    "Kellogg sagte nicht kein Europäer Tisch Rolle zeremoniell wichtig Truppen 3 % Mai „ “ , . ; : ? ! "
    "er sie Washington Post berichtete laut Beamten ein US-Beamter 2024 vielleicht abgelehnt zugestimmt \n \n\n".split(" ")
)
TEXTS = st.one_of(
    st.lists(WORDS, max_size=60).map(" ".join),
    st.text(max_size=300),
)
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(TEXTS)
def test_claims_slice_back_out_of_the_text_and_are_never_empty(text):
    claims, skipped = split(text)
    for unit in [*claims, *skipped]:
        assert text[unit.start : unit.end] == unit.text
    assert all(c.text.strip() for c in claims)
    assert [c.position for c in claims] == list(range(len(claims)))
    spans = sorted((u.start, u.end) for u in [*claims, *skipped])
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(spans, spans[1:]))  # no overlaps


@SLOW
@given(TEXTS, TEXTS, st.floats(min_value=-1, max_value=1))
def test_judging_is_symmetric(a, b, similarity):
    forward, backward = judge(a, b, similarity), judge(b, a, similarity)
    assert forward.relation == backward.relation
    assert abs(forward.score - backward.score) < 1e-6
