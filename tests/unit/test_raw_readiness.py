"""When the raw data of a date counts as ready."""

from __future__ import annotations

import datetime as dt

from nba_pipeline.raw_readiness import assess
from nba_pipeline.run_dates import EASTERN

D = dt.date(2026, 2, 3)
NOON = dt.time(12, 0)
BEFORE = dt.datetime(2026, 2, 4, 9, 0, tzinfo=EASTERN)
AFTER = dt.datetime(2026, 2, 4, 12, 30, tzinfo=EASTERN)


def game(game_id, status=3, gamebook=30, live=30):
    return {"game_id": game_id, "game_status": status, "gamebook_rows": gamebook, "live_rows": live}


def test_no_games_is_ready():
    result = assess(D, [], now=BEFORE, deadline_et=NOON)
    assert result.ready and result.reason == "no games scheduled"


def test_all_gamebooks_present_is_ready():
    result = assess(D, [game("a"), game("b")], now=BEFORE, deadline_et=NOON)
    assert result.ready and result.gamebook_games == ["a", "b"] and not result.fallback_games


def test_missing_gamebook_waits_before_the_deadline():
    result = assess(D, [game("a"), game("b", gamebook=0)], now=BEFORE, deadline_et=NOON)
    assert not result.ready and result.waiting_for == ["b"] and "fallback allowed after" in result.reason


def test_missing_gamebook_falls_back_to_live_boxscores_after_the_deadline():
    result = assess(D, [game("a"), game("b", gamebook=0)], now=AFTER, deadline_et=NOON)
    assert result.ready and result.fallback_games == ["b"]


def test_no_source_at_all_keeps_waiting_after_the_deadline():
    result = assess(D, [game("a", gamebook=0, live=0)], now=AFTER, deadline_et=NOON)
    assert not result.ready and result.waiting_for == ["a"]


def test_unfinished_game_waits_then_is_skipped_after_the_deadline():
    games = [game("a"), game("b", status=2, gamebook=0)]
    assert not assess(D, games, now=BEFORE, deadline_et=NOON).ready
    late = assess(D, games, now=AFTER, deadline_et=NOON)
    assert late.ready and late.not_final == ["b"]
