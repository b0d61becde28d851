"""The review queue's SQL since m020 (issue 44: a click where it changes
most), each view as a migration (``schema_found.py``) made it; as in
``views.py``, a released constant is never edited, a change is a new one.
"""

from .views import QUEUE_HEAD, SURE_PAIR

# Since m020 (issue 44: a click where it changes most). The ranks:
# 0. pairs proposed from two sure sides on a user's question (``SURE_PAIR``),
#    then the sides on the user's questions that may answer: the claim names
#    something of what the question asks (``answers.about``), or the model
#    gives it a side from ``MAY_ANSWER``; the most relevant first
#    (``answers.relevance``), each question in turn (ordered by ``about``
#    alone, the seeds' clicks found fewer conflicts: their Kellogg claims name
#    Kellogg, rarely his "Rolle"); a side already read by value last (it is
#    found without a click, and a reader who hesitates takes a pair away);
# 1. what two outlets say alike (the pairwise judge's agreements from
#    ``SAME_THING`` similarity): one click settles an agreement a reader
#    notes though no question asks it, agency copy most often;
# 2. sides on contested automatic points; 3. pairs the machine derives from
#    sides; 4. the pairwise judge's other agreements between two outlets;
# 5. the other sides on the user's questions, then on other automatic
#    points; 6. the pairwise judge's other candidates (its cues).
MAY_ANSWER = 0.4
SAME_THING = 0.7
# A user's side that may answer (rank 0; ``about`` null: a db not rebuilt
# since m020 added it), and one read by value; the claims of each question
# are placed in turn among those alike in both.
_MAY_ANSWER = (f"(cc.kind = 'stance' and (cc.about is null or cc.about > 0 or (cc.score >= {MAY_ANSWER} and (cc.proposed in ('yes', 'no')"
               " or coalesce(cc.reason, '') like 'names nothing of what is asked%'))"
               " or coalesce(cc.reason, '') like 'numbers:%'))")
_SETTLED = "(cc.kind = 'stance' and coalesce(cc.reason, '') like 'numbers:%')"
QUEUE_VIEW_SETTLED = QUEUE_HEAD + f"""    case when c.kind = 'pair' and c.origin = 'user' and c.score >= {SURE_PAIR} then 0
         when c.kind = 'stance' and c.origin = 'user' and c.may_answer then 0
         when c.kind = 'pair' and c.question_id is null and c.proposed = 'agree' and c.similarity >= {SAME_THING} and c.cross then 1
         when c.kind = 'stance' and c.origin != 'user' and q.contested then 2
         when c.kind = 'pair' and c.question_id is not null then 3
         when c.kind = 'pair' and c.proposed = 'agree' and c.cross then 4
         when c.kind = 'stance' then 5
         else 6 end as rank,
    c.would_change, c.origin,
    c.settled, c.place, c.similarity
  from (select cc.*,
          {_MAY_ANSWER} as may_answer,
          row_number() over (partition by cc.kind, cc.question_id, cc.story_id, {_MAY_ANSWER}, {_SETTLED}
                             order by case cc.kind when 'pair' then -cc.score else -coalesce(cc.relevance, cc.similarity) end,
                                      case cc.kind when 'pair' then 0 else -cc.similarity end, cc.claim_a_id) as place,
          {_SETTLED} as settled,
          cc.kind = 'pair' and (
          select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = cc.claim_a_id)
          != (select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = cc.claim_b_id) as cross
        from candidates cc) c
  left join questions q on q.id = c.question_id
)
order by rank, settled, would_change > 0 desc, case when rank = 0 then place else 0 end, case when rank = 1 then -similarity else 0 end, case when rank = 5 then origin != 'user' else 0 end, sureness, score desc
"""


# Since m021 (issue 44). Two changes to the ranks of m020:
# - what two outlets say alike (rank 1 before) is asked in turn with the
#   user's questions, one such pair for every two rounds of them (its place
#   counts double): a click on a question's side settles what the user asked,
#   one on such a pair an agreement no one asked about. Measured with the
#   simulated reader after 20 clicks: riesa-protest's agreements 2 -> 4 of 5,
#   its stances 18 of 20 kept, munich-demo and the seeds unchanged (in turn
#   one for one: agreements 4, stances 17);
# - a side taken from claims alike to one a reader settled (``judge``
#   'alike', ``Reviews._alike``) that answers nothing is asked after the
#   others (rank 5): the reader said so of a claim alike.
# (Across two outlets, as rank 0 takes them: same-outlet pairs alike take no place among them.)
_CROSS = ("((select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = cc.claim_a_id)"
          " != (select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = cc.claim_b_id))")
_SAME_THING = (f"(cc.kind = 'pair' and cc.question_id is null and cc.proposed = 'agree' and cc.similarity >= {SAME_THING} and {_CROSS})")
QUEUE_VIEW_ALIKE = QUEUE_VIEW_SETTLED
for _old, _new in (
    (_MAY_ANSWER, "(" + _MAY_ANSWER + " and not (coalesce(cc.judge, '') = 'alike' and cc.proposed = 'unclear'))"),
    # An alike side's sureness is its own score, not the model's lean it overrode.
    ("case when c.kind = 'stance' and c.lean is not null", "case when c.kind = 'stance' and c.lean is not null and coalesce(c.judge, '') != 'alike'"),
    (f"and c.similarity >= {SAME_THING} and c.cross then 1", f"and c.similarity >= {SAME_THING} and c.cross then 0"),
    ("row_number() over (partition by cc.kind, cc.question_id, cc.story_id, ", f"row_number() over (partition by cc.kind, cc.question_id, cc.story_id, {_SAME_THING}, "),
    ("order by case cc.kind when 'pair' then -cc.score", f"order by case when {_SAME_THING} then -cc.similarity when cc.kind = 'pair' then -cc.score"),
    # (A side whose confirming would make or unmake a found pair still comes
    # first; pairs, whose would_change is always 1, go by their place.)
    ("order by rank, settled, would_change > 0 desc, case when rank = 0 then place else 0 end,",
     "order by rank, settled, case when rank = 0 and kind = 'pair' and question_id is not null then 0 else 1 end,\n"
     "  case when kind = 'stance' then would_change > 0 else 0 end desc,\n"
     "  case when rank = 0 then place * case when kind = 'pair' and question_id is null then 2 else 1 end else 0 end, would_change > 0 desc,"),
):
    assert QUEUE_VIEW_SETTLED.count(_old) >= 1, _old
    QUEUE_VIEW_ALIKE = QUEUE_VIEW_ALIKE.replace(_old, _new)


# Since m024 (issue 46): each question's turn counts the sides a reader has
# settled on it, and a side whose confirming would make or unmake a found
# pair (``would_change``) comes first within its question's turn, not before
# every turn. A question's place was its claims' rank among those still to
# review, so after each click the same question's next claim took place 1
# again (and after a reader's first yes or no, every side of that question
# would change something): a reader who reviews from the queue page, which
# reads the queue again after each click, answered one question only (the
# seeds: 20 clicks on whether the Europeans sit at the table, 17 of them
# "does not answer"). Likewise what two outlets say alike counts the pairs a
# reader settled. Measured: ``docs/trust.md``, the learning curve.
_TURNS = ("+ case when cc.kind = 'stance' then (select count(*) from answers r where r.question_id = cc.question_id and r.status = 'confirmed')"
          " when cc.kind = 'pair' and cc.question_id is null then (select count(*) from claim_pairs r where r.status = 'confirmed' and r.point is null)"
          " else 0 end")
QUEUE_VIEW_TURNS = QUEUE_VIEW_ALIKE
for _old, _new in (
    ("cc.claim_a_id) as place,", f"cc.claim_a_id)\n          {_TURNS} as place,"),
    ("  case when kind = 'stance' then would_change > 0 else 0 end desc,\n", ""),
    ("                             order by case when (cc.kind = 'pair' and cc.question_id is null",
     "                             order by case when cc.kind = 'stance' then cc.would_change > 0 else 0 end desc,\n"
     "                                      case when (cc.kind = 'pair' and cc.question_id is null"),
):
    assert QUEUE_VIEW_ALIKE.count(_old) == 1, _old
    QUEUE_VIEW_TURNS = QUEUE_VIEW_TURNS.replace(_old, _new)
