"""What a build changed, for a desk that watches a story: found conflicts and
agreements (those the views show, issue 44) added or removed, points added, removed, contested or settled,
and sides (a claim's yes or no on a point) taken, dropped or moved.

Each complete derivation compares what is stored now with what the last one
reported (``reported_state``, written in the same transaction) and appends the
difference to ``changes``, one row per change, with the build's number and
time. A build killed before its end reports nothing; the next one reports
from the last state reported, so nothing is told twice or lost. Replaying
``changes`` in order gives what is stored. A reader's review in the browser
shows up in the changes of the next build.

``Store`` methods (a mixin of ``store.Store``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

WHATS = ("conflict", "agreement", "point", "side")
# Columns a state row and a change row share, besides what, key and value.
ABOUT = ("story_id", "point", "claim_a", "claim_b", "text")

_PAIRS = """
select case p.relation when 'conflict' then 'conflict' else 'agreement' end as what,
  p.claim_a || ':' || p.claim_b as key, p.relation as value, aa.story_id, p.point, p.claim_a, p.claim_b,
  coalesce(aa.source, '?') || ': «' || a.text || '» / ' || coalesce(ab.source, '?') || ': «' || b.text || '»' as text
from claim_pairs p join claims a on a.id = p.claim_a join claims b on b.id = p.claim_b
join articles aa on aa.id = a.article_id join articles ab on ab.id = b.article_id
where p.relation in ('conflict', 'agree') and (p.status = 'confirmed' or p.found is not null)
"""
_POINTS = """
select 'point' as what, q.id as key, case when q.contested then 'contested' else 'open' end as value,
  q.story_id, q.id as point, null as claim_a, null as claim_b, q.proposition as text
from questions q
"""
_SIDES = """
select 'side' as what, s.question_id || '|' || s.claim_id as key, s.stance as value, ar.story_id, s.question_id as point,
  s.claim_id as claim_a, null as claim_b,
  coalesce(ar.source, '?') || ': «' || c.text || '» on «' || q.proposition || '»' as text
from answers s join questions q on q.id = s.question_id join claims c on c.id = s.claim_id
join articles ar on ar.id = c.article_id
where s.stance in ('yes', 'no')
"""


class Changes:
    def record_changes(self, now: dt.datetime | None = None, stories=None) -> Counter:
        """Append what changed since the last report to ``changes`` and make
        what is stored now the reported state; (what, change) -> how many.
        Call it in the transaction that completes a derivation. With
        ``stories``, only the rows of those stories (and of the user's
        questions, and of stories gone since) are compared: a build that
        derived only them changed nothing else."""
        if stories is None:
            current_sql, params, before_sql, before_params = _PAIRS + " union all " + _POINTS + " union all " + _SIDES, [], "select * from reported_state", []
        else:
            ids = json.dumps(sorted(set(stories) | {r[0] for r in self.db.execute(
                "select distinct story_id from reported_state where story_id is not null and story_id not in (select id from stories)")}))
            mine = "in (select value from json_each(?))"
            current_sql = (f"{_PAIRS} and aa.story_id {mine} union all {_POINTS} where q.story_id is null or q.story_id {mine}"
                           f" union all {_SIDES} and ar.story_id {mine}")
            params = [ids, ids, ids]
            before_sql = f"select * from reported_state where story_id {mine} or (what = 'point' and story_id is null)"
            before_params = [ids]
        current = {(r["what"], r["key"]): r for r in self.db.query(current_sql, params)}
        before = {(r["what"], r["key"]): r for r in self.db.query(before_sql, before_params)}
        found = []
        for k in sorted(before.keys() - current.keys()):
            found.append(("removed", before[k], before[k]["value"], None))
        for k in sorted(current.keys() - before.keys()):
            found.append(("added", current[k], None, current[k]["value"]))
        for k in sorted(current.keys() & before.keys()):
            was, now_ = before[k]["value"], current[k]["value"]
            if was != now_:
                change = {"contested": "contested", "open": "settled"}.get(now_, "moved") if k[0] == "point" else "moved"
                found.append((change, current[k], was, now_))
        counts = Counter((row["what"], change) for change, row, _, _ in found)
        if found:
            build = int(self.config().get("builds", "0")) + 1
            at = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
            self.db["changes"].insert_all(
                {"build": build, "at": at, "what": row["what"], "change": change, "key": row["key"], "before": was, "after": now_,
                 **{c: row[c] for c in ABOUT}}
                for change, row, was, now_ in found
            )
            self.save_config(builds=build)
        if stories is None:
            self.db.execute("delete from reported_state")
        else:
            self.db.execute(before_sql.replace("select *", "delete", 1), before_params)
        self.db["reported_state"].insert_all(current.values())
        return counts

    def changes(self, since: str | None = None, build: int | None = None) -> list[dict]:
        """The changes recorded after the time ``since`` (ISO, as ``at``
        is), or of the build numbered ``build``, or of the last build."""
        if since is not None:
            return list(self.db["changes"].rows_where("at > ?", [since], order_by="id"))
        if build is None:
            build = self.db.execute("select max(build) from changes").fetchone()[0]
        return list(self.db["changes"].rows_where("build = ?", [build], order_by="id"))


def summary(counts: Counter) -> str:
    """One line: what a build changed (``record_changes``' counts)."""
    parts = []
    for what in WHATS:
        for change in ("added", "removed", "moved", "contested", "settled"):
            n = counts.get((what, change), 0)
            if n:
                parts.append(f"{n} {what}{'s' if n != 1 else ''} {change}")
    return "changed: " + (", ".join(parts) if parts else "nothing")
