"""Is the raw data of a game date ready? The gamebook must cover every final game.

After the fallback deadline (noon ET on D + 1 by default) a final game without gamebook rows
may use the live boxscores instead, and the run says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from nba_pipeline.run_dates import EASTERN

FINAL = 3


@dataclass
class Readiness:
    business_date: str
    ready: bool
    games: int
    final_games: int
    gamebook_games: list[str] = field(default_factory=list)
    fallback_games: list[str] = field(default_factory=list)
    waiting_for: list[str] = field(default_factory=list)
    not_final: list[str] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def fallback_deadline(business: dt.date, deadline_et: dt.time) -> dt.datetime:
    return dt.datetime.combine(business + dt.timedelta(days=1), deadline_et, tzinfo=EASTERN)


def assess(business: dt.date, games: list[dict], *, now: dt.datetime, deadline_et: dt.time) -> Readiness:
    """Decide readiness from the rows of ``checks/gamebook_coverage.sql``."""
    final = [g for g in games if g["game_status"] == FINAL]
    result = Readiness(
        business_date=business.isoformat(), ready=False, games=len(games), final_games=len(final),
        not_final=[g["game_id"] for g in games if g["game_status"] != FINAL],
    )
    past_deadline = now >= fallback_deadline(business, deadline_et)
    for game in final:
        if game["gamebook_rows"] > 0:
            result.gamebook_games.append(game["game_id"])
        elif past_deadline and game["live_rows"] > 0:
            result.fallback_games.append(game["game_id"])
        else:
            result.waiting_for.append(game["game_id"])
    if not games:
        result.ready, result.reason = True, "no games scheduled"
    elif result.waiting_for:
        when = "" if past_deadline else f"; live boxscore fallback allowed after {fallback_deadline(business, deadline_et):%Y-%m-%d %H:%M} ET"
        result.reason = f"gamebook missing for {len(result.waiting_for)} final game(s): {', '.join(result.waiting_for)}{when}"
    elif result.not_final and not past_deadline:
        result.reason = f"{len(result.not_final)} game(s) not final yet: {', '.join(result.not_final)}"
    else:
        result.ready = True
        result.reason = (
            f"gamebook covers {len(result.gamebook_games)} final game(s)"
            + (f"; live boxscore fallback for {', '.join(result.fallback_games)}" if result.fallback_games else "")
            + (f"; not final, skipped: {', '.join(result.not_final)}" if result.not_final else "")
        )
    return result
