"""The views' SQL: what each view readers query shows, as each migration
(``schema.py``) made it. A view is never edited in place once released: a
migration that changes one makes a new constant here (most from the one
before, by ``replace``) and creates the view from it; the earlier constants
stay, for the migrations that made the views before.
"""

# Both claims of a pair side by side, readable without a join; one view per relation.
PAIR_VIEW = """
select
  p.rowid as pair,
  a.text as claim_a, a.speaker as speaker_a, aa.title as article_a,
  b.text as claim_b, b.speaker as speaker_b, ab.title as article_b,
  p.reason, p.kind, p.shared, p.score, p.similarity, p.overlap,
  p.claim_a as claim_a_id, p.claim_b as claim_b_id,
  a.article_id as article_a_id, b.article_id as article_b_id,
  a.content as content_a, b.content as content_b, aa.story_id, p.judge
from claim_pairs p
join claims a on a.id = p.claim_a
join claims b on b.id = p.claim_b
join articles aa on aa.id = a.article_id
join articles ab on ab.id = b.article_id
where p.relation = '{relation}'
order by p.score desc
"""

# Each question's answers, who gave them and where, yes before no before unclear.
STANCE_VIEW = """
select
  q.question, s.stance, c.speaker, c.speaker_kind, ar.source, ar.title as article,
  c.text as claim, s.reason, s.score, s.similarity,
  s.question_id, s.claim_id, c.article_id
from answers s
join questions q on q.id = s.question_id
join claims c on c.id = s.claim_id
join articles ar on ar.id = c.article_id
order by q.id, case s.stance when 'yes' then 0 when 'no' then 1 else 2 end, s.score desc
"""

# The pair views since reviews (m008): whether a reader confirmed the relation
# (status) and what the judge had said; confirmed first.
PAIR_VIEW_REVIEWED = """
select
  p.rowid as pair,
  a.text as claim_a, a.speaker as speaker_a, aa.title as article_a,
  b.text as claim_b, b.speaker as speaker_b, ab.title as article_b,
  p.reason, p.kind, p.shared, p.score, p.similarity, p.overlap,
  p.claim_a as claim_a_id, p.claim_b as claim_b_id,
  a.article_id as article_a_id, b.article_id as article_b_id,
  a.content as content_a, b.content as content_b, aa.story_id, p.judge,
  coalesce(p.status, 'proposed') as status, coalesce(p.judged_relation, p.relation) as judged_relation
from claim_pairs p
join claims a on a.id = p.claim_a
join claims b on b.id = p.claim_b
join articles aa on aa.id = a.article_id
join articles ab on ab.id = b.article_id
where p.relation = '{relation}'
order by case p.status when 'confirmed' then 0 else 1 end, p.score desc
"""

STANCE_VIEW_REVIEWED = """
select
  q.question, s.stance, c.speaker, c.speaker_kind, ar.source, ar.title as article,
  c.text as claim, s.reason, s.score, s.similarity,
  s.question_id, s.claim_id, c.article_id,
  coalesce(s.status, 'proposed') as status, coalesce(s.judged_stance, s.stance) as judged_stance, s.judge
from answers s
join questions q on q.id = s.question_id
join claims c on c.id = s.claim_id
join articles ar on ar.id = c.article_id
order by q.id, case s.status when 'confirmed' then 0 else 1 end,
  case s.stance when 'yes' then 0 when 'no' then 1 else 2 end, s.score desc
"""

# The reviews that match no stored pair or answer: kept (a later build may
# bring their claims back), and listed, never dropped.
UNAPPLIED_VIEW = """
select r.* from reviews r
where (r.kind = 'pair' and not exists (
         select 1 from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
         where (a.text = r.text_a and b.text = r.text_b) or (a.text = r.text_b and b.text = r.text_a)))
   or (r.kind = 'stance' and not exists (
         select 1 from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
         where c.text = r.text_a and r.question in (q.proposition, q.question)))
order by r.id
"""

# What a reader's time is best spent on first: the judge's proposals that
# a story's page shows (conflicts, which its points are proposed from, then
# agreements, then the stances that take a side on a point), the least
# sure of them first: a score near the middle is a verdict that could go
# either way. Confirmed ones are done.
QUEUE_VIEW = """
select * from (
  select 'pair' as kind, p.relation as proposed, p.score, abs(p.score - 0.5) as sureness,
    a.text as claim_a, b.text as claim_b, null as question, aa.story_id, p.reason, p.judge,
    p.claim_a as claim_a_id, p.claim_b as claim_b_id, null as question_id,
    case p.relation when 'conflict' then 0 else 1 end as rank
  from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
  join articles aa on aa.id = a.article_id
  where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed'
  union all
  select 'stance', s.stance, s.score, abs(s.score - 0.5), c.text, null, q.question, ar.story_id, s.reason, s.judge,
    s.claim_id, null, s.question_id, 2
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where s.stance in ('yes', 'no') and coalesce(s.status, 'proposed') = 'proposed'
)
order by rank, sureness, score desc
"""


# The pair views since points (m013): the point a side-derived verdict comes
# from (``questions.id``; null for a cue of the pairwise judge or a reader's pair).
PAIR_VIEW_POINTS = PAIR_VIEW_REVIEWED.replace(
    "coalesce(p.judged_relation, p.relation) as judged_relation\n",
    "coalesce(p.judged_relation, p.relation) as judged_relation, p.point\n",
)

# Each point (a question a user asks, or one proposed for a story) with each
# source's side: "yes", "no", "both" (its claims take both sides) or
# "unclear"; contested when two sources (or two speakers) stand on opposite
# confident sides (``questions.contested``, set where the sides are derived).
POINTS_VIEW = """
with side as (
  select s.question_id, coalesce(ar.source, '') as source,
    sum(s.stance = 'yes') as yes, sum(s.stance = 'no') as no
  from answers s join claims c on c.id = s.claim_id join articles ar on ar.id = c.article_id
  group by s.question_id, coalesce(ar.source, '')
)
select
  q.id as point, q.story_id, q.question, q.proposition, coalesce(q.origin, 'user') as origin,
  coalesce(q.contested, 0) as contested,
  (select count(*) from claim_pairs p where p.point = q.id and p.relation = 'conflict') as conflicts,
  (select count(*) from claim_pairs p where p.point = q.id and p.relation = 'agree') as agreements,
  (select json_group_object(source, case when yes > 0 and no > 0 then 'both' when yes > 0 then 'yes'
                                          when no > 0 then 'no' else 'unclear' end)
   from side where side.question_id = q.id) as sides
from questions q
order by q.story_id is null, q.story_id, contested desc, q.id
"""


# The queue since points (m013): a reader's click on a side finds what the
# judge missed, so the stance model's sides come first, those nearest the line
# between the sides first (|P(yes) - P(no)| nearest the model's margin: a yes
# or no that could be unclear, an unclear the model leans on); then the
# conflicts and agreements, least sure first; then other judges' stances.
QUEUE_VIEW_POINTS = """
select * from (
  select 'stance' as kind, s.stance as proposed, s.score,
    abs(abs(s.lean) - coalesce((select cast(value as real) from config where key = 'stance_margin'), 0)) as sureness,
    c.text as claim_a, null as claim_b, q.question, ar.story_id, s.reason, s.judge,
    s.claim_id as claim_a_id, null as claim_b_id, s.question_id, 0 as rank
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where s.lean is not null and coalesce(s.status, 'proposed') = 'proposed'
  union all
  select 'pair', p.relation, p.score, abs(p.score - 0.5),
    a.text, b.text, null, aa.story_id, p.reason, p.judge,
    p.claim_a, p.claim_b, p.point, case p.relation when 'conflict' then 1 else 2 end
  from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
  join articles aa on aa.id = a.article_id
  where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed'
  union all
  select 'stance', s.stance, s.score, abs(s.score - 0.5), c.text, null, q.question, ar.story_id, s.reason, s.judge,
    s.claim_id, null, s.question_id, 3
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where s.lean is null and s.stance in ('yes', 'no') and coalesce(s.status, 'proposed') = 'proposed'
)
order by rank, sureness, score desc
"""


# Shown means trusted (m018). A pair is *found* when a reader confirmed it
# (``status`` 'confirmed'), when it joins two claims whose sides on a point a
# reader confirmed or a review carried (``found`` 'reader sides'), or when the
# machine decided it where its measured precision is at least 0.8
# (``found`` 'machine'; since 2f77602 also 'same statement': two outlets
# make one statement, ``Store.find_same_statements``); ``found`` null is a candidate. The conflicts and
# agreements views show found pairs only; ``candidates`` shows the rest.
FOUND = "case when p.status = 'confirmed' then 'reader' else p.found end"
PAIR_VIEW_FOUND = PAIR_VIEW_POINTS.replace(
    "p.point\n", f"p.point, {FOUND} as found\n"
).replace(
    "where p.relation = '{relation}'\n", "where p.relation = '{relation}' and (p.status = 'confirmed' or p.found is not null)\n"
)

# The pairs a story page shows as candidates, beside the found ones: the
# machine's conflicts and agreements no reader has settled (as the pair views'
# rows, for one story: ``story_id = ?``).
PAIR_CANDIDATES = PAIR_VIEW_FOUND.replace(
    "where p.relation = '{relation}' and (p.status = 'confirmed' or p.found is not null)\n",
    "where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed' and p.found is null and aa.story_id = ?\n",
).replace("p.rowid as pair,", "p.rowid as pair, p.relation,")

# Answers since m018: a side a review carried to the same statement in another
# report has status 'carried' and its reason names the review (``carried``).
STANCE_VIEW_FOUND = STANCE_VIEW_REVIEWED.replace("s.reason,", "coalesce(s.carried, s.reason) as reason,")

# Candidates: what the machine suspects and no reader has settled: the sides
# the stance model gives on each point (on a user's question its "unclear"
# too: a claim close to the question may answer it), and the pairs it proposes (from
# sides not yet confirmed, or from the pairwise cues: a negation or a number
# in one claim only). ``would_change``: how many found conflicts and
# agreements confirming it would make, counted against the confirmed sides
# of other voices on the same point (0 for a pair: confirming it makes one).
CANDIDATES_VIEW = """
select * from (
  select 'stance' as kind, s.stance as proposed, s.score, c.text as claim_a, null as claim_b, q.question,
    q.proposition, coalesce(q.origin, 'user') as origin, ar.story_id, s.reason, s.judge,
    (select count(*) from answers o join claims oc on oc.id = o.claim_id join articles oa on oa.id = oc.article_id
      where o.question_id = s.question_id and o.status in ('confirmed', 'carried') and o.stance in ('yes', 'no')
        and o.claim_id != s.claim_id and oa.story_id is ar.story_id
        and (coalesce(oa.source, '') != coalesce(ar.source, '')
             or (nullif(trim(oc.speaker), '') is not null and nullif(trim(c.speaker), '') is not null
                 and lower(trim(oc.speaker)) != lower(trim(c.speaker))))) as would_change,
    s.claim_id as claim_a_id, null as claim_b_id, s.question_id, s.lean, s.similarity
  from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
  join articles ar on ar.id = c.article_id
  where (s.stance in ('yes', 'no') or coalesce(q.origin, 'user') = 'user') and coalesce(s.status, 'proposed') = 'proposed'
  union all
  select 'pair', p.relation, p.score, a.text, b.text, q.question, q.proposition, coalesce(q.origin, case when p.point is null then null else 'user' end),
    aa.story_id, p.reason, p.judge, 1, p.claim_a, p.claim_b, p.point, null, p.similarity
  from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
  join articles aa on aa.id = a.article_id left join questions q on q.id = p.point
  where p.relation in ('conflict', 'agree') and coalesce(p.status, 'proposed') = 'proposed' and p.found is null
)
order by story_id, kind desc, would_change desc, score desc
"""

# What a click changes most, first (issue 44): the sides on the user's
# questions (rank 0), within them those whose confirmed side would make or
# unmake a found conflict or agreement between two voices, then the claims
# closest to each question in turn (``place``: the closest of every question,
# then the second closest ...: a reader's first clicks settle the claims that
# answer, on every question), the model's least sure first; then the sides on
# contested automatic points (1), the pairs proposed from sides (2), the
# pairwise judge's agreements between two outlets (3: what a reader notes
# though no question asks it, agency copy most often), the sides on other
# automatic points (4), and last the other cue candidates (5). An
# automatic point whose proposition does not stand alone is never proposed
# (``index/points.py``), so never queued.
# The queue's columns and how sure the machine is of each candidate
# (``sureness``), which every queue since m018 selects alike.
QUEUE_HEAD = """
select kind, proposed, score, sureness, claim_a, claim_b, question, story_id, reason, judge,
  claim_a_id, claim_b_id, question_id, rank, would_change
from (
  select c.kind, c.proposed, c.score,
    case when c.kind = 'stance' and c.lean is not null
         then abs(abs(c.lean) - coalesce((select cast(value as real) from config where key = 'stance_margin'), 0))
         else abs(c.score - 0.5) end as sureness,
    c.claim_a, c.claim_b, c.question, c.story_id, c.reason, c.judge, c.claim_a_id, c.claim_b_id, c.question_id,
"""
QUEUE_VIEW_FOUND = QUEUE_HEAD + """    case when c.kind = 'stance' and c.origin = 'user' then 0
         when c.kind = 'stance' and q.contested then 1
         when c.kind = 'pair' and c.question_id is not null then 2
         when c.kind = 'pair' and c.proposed = 'agree'
              and (select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = c.claim_a_id)
               != (select coalesce(ar.source, '') from claims cl join articles ar on ar.id = cl.article_id where cl.id = c.claim_b_id) then 3
         when c.kind = 'stance' then 4
         else 5 end as rank,
    c.would_change,
    row_number() over (partition by c.kind, c.question_id, c.story_id order by c.similarity desc, c.claim_a_id) as place
  from candidates c left join questions q on q.id = c.question_id
)
order by rank, would_change > 0 desc, case rank when 0 then place else 0 end, sureness, score desc
"""


# The points view since m018: its conflicts and agreements are the found ones.
POINTS_VIEW_FOUND = POINTS_VIEW.replace(
    "where p.point = q.id and p.relation = 'conflict')", "where p.point = q.id and p.relation = 'conflict' and (p.status = 'confirmed' or p.found is not null))"
).replace(
    "where p.point = q.id and p.relation = 'agree')", "where p.point = q.id and p.relation = 'agree' and (p.status = 'confirmed' or p.found is not null))"
)


# Since m019: a pair proposed from two sure sides on a user's question (both
# sides read with at least ``SURE_PAIR``: a number compared as a value,
# ``ask.NUMBERS_SCORE``) comes first of all, the surest first: one click
# settles a conflict or an agreement the reader asked about, where a click on
# a side settles one claim (issue 44).
SURE_PAIR = 0.8
QUEUE_VIEW_SURE = QUEUE_VIEW_FOUND.replace(
    "case when c.kind = 'stance' and c.origin = 'user' then 0",
    f"case when c.kind = 'stance' and c.origin = 'user' then 0\n         when c.kind = 'pair' and c.origin = 'user' and c.score >= {SURE_PAIR} then 0",
).replace(
    "row_number() over (partition by c.kind, c.question_id, c.story_id order by c.similarity desc, c.claim_a_id) as place",
    "row_number() over (partition by c.kind, c.question_id, c.story_id order by case c.kind when 'pair' then -c.score else -c.similarity end, c.claim_a_id) as place",
)


# Since m020: the candidates' sides carry ``answers.about`` (how much of the
# question's predicate the claim names).
CANDIDATES_VIEW_ABOUT = CANDIDATES_VIEW.replace(
    "s.claim_id as claim_a_id, null as claim_b_id, s.question_id, s.lean, s.similarity\n",
    "s.claim_id as claim_a_id, null as claim_b_id, s.question_id, s.lean, s.similarity, s.about, s.relevance\n",
).replace(
    "1, p.claim_a, p.claim_b, p.point, null, p.similarity\n",
    "1, p.claim_a, p.claim_b, p.point, null, p.similarity, null, null\n",
)
