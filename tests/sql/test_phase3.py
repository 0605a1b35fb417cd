"""The five phase 3 processors, run on bqemulator against seeded raw data.

Expected values are recomputed in Python from the raw rows (latest version of each), so a
wrong join, formula, dedup or fallback in the SQL shows up as a difference.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from nba_pipeline import processors

from . import helpers

pytestmark = pytest.mark.integration

SEED_START = dt.date(2026, 2, 1)
SEED_END = dt.date(2026, 2, 6)
# Business dates run in order, as the DAG would; the last seeded day is the upcoming one.
RUN_DATES = [SEED_START + dt.timedelta(days=i) for i in range((SEED_END - SEED_START).days)]
DUPLICATED = dt.date(2026, 2, 3)
ZERO_TEAM_ROW = dt.date(2026, 2, 4)
MISSING_GAMEBOOK = dt.date(2026, 2, 5)
FAULTS = (
    f"duplicate_raw:{DUPLICATED}",
    f"zero_team_row:{ZERO_TEAM_ROW}",
    f"missing_gamebook:{MISSING_GAMEBOOK}",
)
POST_GAME = ("team_offense_game_summary", "team_defense_game_summary", "player_game_summary")
BOOKMAKER_PRIORITY = {"draftkings": 1, "fanduel": 2}


@pytest.fixture(scope="module")
def warehouse(bigquery_client):
    """A private copy of the warehouse, seeded with faults, phase 3 run for every date."""
    with helpers.isolated_warehouse(bigquery_client, "phase3_test") as config:
        helpers.seed_dates(bigquery_client, SEED_START, SEED_END, faults=FAULTS)
        for day in RUN_DATES:
            helpers.run_phase(bigquery_client, 3, day, fence=1, run_id=f"run_{day}")
        yield config


@pytest.fixture(scope="module")
def raw(bigquery_client, warehouse):
    """Every raw row of the seeded range, latest version per raw key (as the SQL must pick)."""
    def table(name):
        return helpers.query(bigquery_client, f"SELECT * FROM `{helpers.table_id(name, 'raw')}`")

    return {
        "schedule": latest(table("nbac_schedule"), ("game_id",)),
        "gamebook": latest(table("nbac_gamebook_player_stats"), ("game_id", "player_lookup")),
        "boxscores": latest(table("nbac_player_boxscores"), ("game_id", "player_lookup")),
        "teams": latest(table("nbac_team_boxscore"), ("game_id", "team_abbr")),
        "shots": {(r["game_id"], r["event_id"]): r for r in table("nbac_play_by_play")},
        "props": table("odds_api_player_points_props"),
        "game_lines": table("odds_api_game_lines"),
        "injuries": table("nbac_injury_report"),
        "gamebook_versions": table("nbac_gamebook_player_stats"),
    }


def latest(rows, key):
    chosen = {}
    for row in rows:
        k = tuple(row[c] for c in key)
        if k not in chosen or row["processed_at"] > chosen[k]["processed_at"]:
            chosen[k] = row
    return chosen


def final_games(raw, day):
    return [g for g in raw["schedule"].values() if g["game_date"] == day and g["game_status"] == 3]


def player_lines(raw, day):
    """Gamebook lines of the date's final games; a game without any uses its live boxscores."""
    lines = []
    for game in final_games(raw, day):
        book = [r for (gid, _), r in raw["gamebook"].items() if gid == game["game_id"]]
        if book:
            lines += [dict(r, primary_source="gamebook") for r in book]
        else:
            lines += [
                dict(r, primary_source="live_boxscore")
                for (gid, _), r in raw["boxscores"].items()
                if gid == game["game_id"]
            ]
    return lines


def possessions(team):
    return team["fg_attempted"] + 0.44 * team["ft_attempted"] + team["turnovers"] - team["offensive_rebounds"]


def is_all_zero(team):
    return all(not team[c] for c in ("minutes", "points", "fg_attempted", "ft_attempted", "turnovers"))


def best_line(raw, day, player):
    offers = [p for p in raw["props"] if p["game_date"] == day and p["player_lookup"] == player]
    if not offers:
        return None
    ranked = sorted(
        offers,
        key=lambda p: (BOOKMAKER_PRIORITY.get(p["bookmaker"], 3), p["bookmaker"], -p["snapshot_timestamp"].timestamp()),
    )
    return ranked[0]


def by(rows, *key):
    return {tuple(r[k] for k in key) if len(key) > 1 else r[key[0]]: r for r in rows}


def rows_of(client, name, business_date):
    return helpers.fetch_processor_rows(client, name, business_date)


# --- row counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("day", [DUPLICATED, ZERO_TEAM_ROW, MISSING_GAMEBOOK])
def test_post_game_tables_have_one_row_per_team_and_player_of_final_games(bigquery_client, raw, day):
    games = final_games(raw, day)
    assert games, f"the seed has no final games on {day}"
    teams = {(g["home_team_tricode"]) for g in games} | {g["away_team_tricode"] for g in games}

    offense = rows_of(bigquery_client, "team_offense_game_summary", day)
    defense = rows_of(bigquery_client, "team_defense_game_summary", day)
    players = rows_of(bigquery_client, "player_game_summary", day)

    assert len(offense) == 2 * len(games) and {r["team_abbr"] for r in offense} == teams
    assert len(defense) == 2 * len(games) and {r["defending_team_abbr"] for r in defense} == teams
    expected_players = {r["player_lookup"] for r in player_lines(raw, day)}
    assert len(players) == len(expected_players)
    assert {r["player_lookup"] for r in players} == expected_players
    # DNP and inactive players are rows too.
    assert {r["player_status"] for r in players} >= {"active", "inactive"}


def test_duplicated_raw_rows_collapse_to_one(bigquery_client, raw):
    versions = [r for r in raw["gamebook_versions"] if r["game_date"] == DUPLICATED]
    identical = len(versions) - len({tuple(sorted(r.items())) for r in versions})
    assert identical > 0, "the duplicate_raw fault should have doubled the gamebook rows"
    players = rows_of(bigquery_client, "player_game_summary", DUPLICATED)
    assert len(players) == len({r["player_lookup"] for r in players})


# --- formulas -----------------------------------------------------------------------------


def test_team_offense_and_defense_formulas_match_the_raw_box_scores(bigquery_client, raw):
    day = DUPLICATED
    offense = by(rows_of(bigquery_client, "team_offense_game_summary", day), "team_abbr")
    defense = by(rows_of(bigquery_client, "team_defense_game_summary", day), "defending_team_abbr")
    lines = player_lines(raw, day)
    for game in final_games(raw, day):
        for team, opponent, is_home in (
            (game["home_team_tricode"], game["away_team_tricode"], True),
            (game["away_team_tricode"], game["home_team_tricode"], False),
        ):
            box = raw["teams"][(game["game_id"], team)]
            opp = raw["teams"][(game["game_id"], opponent)]
            row = offense[team]
            poss = possessions(box)
            assert row["game_id"] == f"{day:%Y%m%d}_{game['away_team_tricode']}_{game['home_team_tricode']}"
            assert row["nba_game_id"] == game["game_id"] and row["is_home"] is is_home
            assert row["points"] == box["points"] and row["opponent_points"] == opp["points"]
            assert row["win_flag"] is (box["points"] > opp["points"])
            assert row["overtime_periods"] == (box["minutes"] - 240) // 25
            assert row["possessions"] == pytest.approx(poss, abs=0.006)
            assert row["offensive_rating"] == pytest.approx(100 * box["points"] / poss, abs=0.006)
            assert row["pace"] == pytest.approx(48 * poss / (box["minutes"] / 5), abs=0.006)
            assert (row["source"], row["data_quality_flag"]) == ("team_boxscore", "ok")

            d = defense[team]
            opp_poss = possessions(opp)
            assert d["opponent_team_abbr"] == opponent and d["points_allowed"] == opp["points"]
            assert d["opponent_possessions"] == pytest.approx(opp_poss, abs=0.006)
            assert d["defensive_rating"] == pytest.approx(100 * opp["points"] / opp_poss, abs=0.006)
            own = [p for p in lines if p["game_id"] == game["game_id"] and p["team_abbr"] == team]
            assert d["steals"] == sum(p["steals"] or 0 for p in own)
            assert d["blocks"] == sum(p["blocks"] or 0 for p in own)
            assert d["win_flag"] is row["win_flag"]


def test_player_formulas_match_the_raw_lines(bigquery_client, raw):
    day = DUPLICATED
    players = by(rows_of(bigquery_client, "player_game_summary", day), "player_lookup")
    checked = {"usage": 0, "line": 0}
    for line in player_lines(raw, day):
        row = players[line["player_lookup"]]
        team = raw["teams"][(line["game_id"], line["team_abbr"])]
        minutes = line["minutes_decimal"]
        assert row["minutes"] == minutes and row["points"] == line["points"]
        assert row["starter_flag"] is line["starter"]
        if line["player_status"] != "active":
            assert row["usage_rate"] is None and row["over_under_result"] is None
            continue
        fga, fta, tov = line["field_goals_attempted"], line["free_throws_attempted"], line["turnovers"]
        usage = 100 * (fga + 0.44 * fta + tov) * (team["minutes"] / 5) / (
            minutes * (team["fg_attempted"] + 0.44 * team["ft_attempted"] + team["turnovers"])
        )
        if 0 <= usage <= 100:
            assert row["usage_rate"] == pytest.approx(usage, abs=0.006)
            checked["usage"] += 1
        else:
            assert row["usage_rate"] is None
        if fga + 0.44 * fta > 0:
            assert row["ts_pct"] == pytest.approx(line["points"] / (2 * (fga + 0.44 * fta)), abs=0.0006)
        else:
            assert row["ts_pct"] is None
        if fga > 0:
            efg = (line["field_goals_made"] + 0.5 * line["three_pointers_made"]) / fga
            assert row["efg_pct"] == pytest.approx(efg, abs=0.0006)
        else:
            assert row["efg_pct"] is None
        shots = [s for s in raw["shots"].values() if s["game_id"] == line["game_id"]
                 and s["player_lookup"] == line["player_lookup"]]
        assert row["paint_attempts"] == sum(s["shot_zone"] == "paint" for s in shots)
        assert row["three_makes"] == sum(s["shot_zone"] == "three" and s["shot_made"] for s in shots)
        assert row["assisted_makes"] == sum(s["shot_made"] and s["assisted"] for s in shots)
        offer = best_line(raw, day, line["player_lookup"])
        if offer is None:
            assert row["points_line"] is None and row["over_under_result"] is None
            continue
        checked["line"] += 1
        expected = "OVER" if line["points"] > offer["points_line"] else (
            "UNDER" if line["points"] < offer["points_line"] else "PUSH")
        assert (row["points_line"], row["line_bookmaker"], row["over_under_result"]) == (
            offer["points_line"], offer["bookmaker"], expected)
    assert checked["usage"] > 50 and checked["line"] > 20, checked


# --- bad data -----------------------------------------------------------------------------


def test_all_zero_team_row_gives_null_rates_and_a_flag(bigquery_client, raw):
    zero_teams = [k for k, t in raw["teams"].items()
                  if t["game_date"] == ZERO_TEAM_ROW and is_all_zero(t)]
    assert len(zero_teams) == 1
    game_id, team = zero_teams[0]

    offense = by(rows_of(bigquery_client, "team_offense_game_summary", ZERO_TEAM_ROW), "team_abbr")
    assert offense[team]["data_quality_flag"] == "all_zero_team_row"
    assert offense[team]["possessions"] is None and offense[team]["offensive_rating"] is None
    assert offense[team]["pace"] is None and offense[team]["points"] is None
    opponent = offense[team]["opponent_team_abbr"]
    defense = by(rows_of(bigquery_client, "team_defense_game_summary", ZERO_TEAM_ROW), "defending_team_abbr")
    assert defense[opponent]["data_quality_flag"] == "all_zero_team_row"
    assert defense[opponent]["defensive_rating"] is None

    players = rows_of(bigquery_client, "player_game_summary", ZERO_TEAM_ROW)
    affected = [p for p in players if p["team_abbr"] == team]
    played = [p for p in affected if (p["minutes"] or 0) > 0]
    assert played, "the affected team should have players with minutes"
    assert all(p["usage_rate"] is None for p in affected)
    assert {p["data_quality_flag"] for p in affected} == {"team_stats_zero"}
    # Shooting efficiency needs no team totals and stays.
    assert any(p["ts_pct"] is not None for p in played)
    others = [p for p in players if p["team_abbr"] != team and (p["minutes"] or 0) > 0]
    assert sum(p["usage_rate"] is not None for p in others) > 0.9 * len(others)


def test_game_without_gamebook_falls_back_to_live_boxscores(bigquery_client, raw):
    games = final_games(raw, MISSING_GAMEBOOK)
    without = [g["game_id"] for g in games
               if not any(gid == g["game_id"] for gid, _ in raw["gamebook"])]
    assert len(without) == 1
    expected = {lookup for (gid, lookup) in raw["boxscores"] if gid == without[0]}

    players = rows_of(bigquery_client, "player_game_summary", MISSING_GAMEBOOK)
    fallback = [p for p in players if p["nba_game_id"] == without[0]]
    assert {p["player_lookup"] for p in fallback} == expected
    assert {(p["primary_source"], p["data_quality_flag"]) for p in fallback} == {
        ("live_boxscore", "live_boxscore_fallback")
    }
    assert any(p["usage_rate"] is not None for p in fallback)
    assert {p["primary_source"] for p in players if p["nba_game_id"] != without[0]} == {"gamebook"}


def test_player_summary_before_team_offense_gives_no_usage_rather_than_a_wrong_one(bigquery_client, warehouse):
    day = SEED_END  # its post-game tables have not been written yet
    helpers.run(bigquery_client, "player_game_summary", day, fence=1, run_id="early")
    early = rows_of(bigquery_client, "player_game_summary", day)
    assert early and all(p["usage_rate"] is None for p in early)
    assert {p["data_quality_flag"] for p in early} == {"team_stats_missing"}

    helpers.run(bigquery_client, "team_offense_game_summary", day, fence=1, run_id="ordered")
    helpers.run(bigquery_client, "player_game_summary", day, fence=1, run_id="ordered")
    ordered = rows_of(bigquery_client, "player_game_summary", day)
    assert any(p["usage_rate"] is not None for p in ordered)
    assert max(p["usage_rate"] or 0 for p in ordered) <= 100


# --- pre-game context ---------------------------------------------------------------------


def test_upcoming_team_context_matches_the_schedule_lines_and_injuries(bigquery_client, raw):
    business_date = ZERO_TEAM_ROW
    day = business_date + dt.timedelta(days=1)
    rows = by(rows_of(bigquery_client, "upcoming_team_game_context", business_date), "team_abbr")
    games = [g for g in raw["schedule"].values() if g["game_date"] == day]
    assert len(rows) == 2 * len(games)

    injuries = latest_injuries(raw, day)
    for game in games:
        line = max((l for l in raw["game_lines"] if l["game_id"] == game["game_id"]),
                   key=lambda l: l["snapshot_timestamp"])
        for team, is_home in ((game["home_team_tricode"], True), (game["away_team_tricode"], False)):
            row = rows[team]
            before = sorted(
                (g for g in raw["schedule"].values()
                 if team in (g["home_team_tricode"], g["away_team_tricode"]) and g["game_date"] < day),
                key=lambda g: g["game_date"],
            )
            assert row["is_home"] is is_home
            if before:
                assert row["days_rest"] == (day - before[-1]["game_date"]).days
                assert row["is_back_to_back"] is (row["days_rest"] == 1)
            else:
                assert row["days_rest"] is None and row["is_back_to_back"] is False
            assert row["games_in_last_7_days"] == sum(g["game_date"] >= day - dt.timedelta(days=7) for g in before)
            wins = sum(
                (g["home_team_score"] > g["away_team_score"]) == (g["home_team_tricode"] == team)
                for g in before if g["game_status"] == 3
            )
            assert (row["season_wins"], row["season_losses"]) == (
                wins, sum(g["game_status"] == 3 for g in before) - wins)
            spread = line["spread"] if is_home else -line["spread"]
            assert row["team_spread"] == spread and row["game_total"] == line["total"]
            assert row["implied_team_total"] == pytest.approx(line["total"] / 2 - spread / 2)
            statuses = [s for (t, _), s in injuries.items() if t == team]
            assert row["players_out"] == statuses.count("out")
            assert row["players_questionable"] == statuses.count("questionable") + statuses.count("doubtful")
    assert any(r["players_out"] for r in rows.values())


def latest_injuries(raw, day):
    reports = {}
    for r in sorted(raw["injuries"], key=lambda r: r["report_date"]):
        if r["game_date"] == day and r["report_date"] <= day:
            reports[(r["team_abbr"], r["player_lookup"])] = r["injury_status"]
    return reports


def test_upcoming_player_context_uses_latest_team_line_injury_and_recent_form(bigquery_client, raw):
    business_date = ZERO_TEAM_ROW
    day = business_date + dt.timedelta(days=1)
    rows = by(rows_of(bigquery_client, "upcoming_player_game_context", business_date), "player_lookup")

    history = helpers.query(
        bigquery_client,
        f"SELECT * FROM `{helpers.table_id('player_game_summary')}` WHERE game_date <= @d",
        d=business_date,
    )
    last_team = {}
    played = defaultdict(list)
    for r in sorted(history, key=lambda r: r["game_date"]):
        last_team[r["player_lookup"]] = r["team_abbr"]
        if (r["minutes"] or 0) > 0:
            played[r["player_lookup"]].append(r)
    playing = {g["home_team_tricode"] for g in raw["schedule"].values() if g["game_date"] == day} | {
        g["away_team_tricode"] for g in raw["schedule"].values() if g["game_date"] == day}
    expected = {p for p, team in last_team.items() if team in playing}
    assert set(rows) == expected

    injuries = {p: s for (_, p), s in latest_injuries(raw, day).items()}
    for lookup, row in rows.items():
        assert row["team_abbr"] == last_team[lookup]
        assert row["injury_status"] == injuries.get(lookup, "available")
        games = played[lookup][::-1]
        assert row["games_played_season"] == len(games)
        if games:
            last5 = [g["points"] for g in games[:5]]
            assert row["points_avg_last_5"] == pytest.approx(sum(last5) / len(last5), abs=0.006)
            assert row["days_rest"] == (day - games[0]["game_date"]).days
        else:
            assert row["points_avg_last_5"] is None
        offer = best_line(raw, day, lookup)
        assert row["points_line"] == (offer["points_line"] if offer else None)
    assert any(r["injury_status"] != "available" for r in rows.values())


# --- idempotence and fencing --------------------------------------------------------------


def test_rerun_with_the_same_fence_gives_identical_content(bigquery_client, warehouse):
    business_date = ZERO_TEAM_ROW
    before = {p.name: helpers.content_hash(rows_of(bigquery_client, p.name, business_date))
              for p in processors.phase(3)}
    neighbour = {p.name: rows_of(bigquery_client, p.name, business_date - dt.timedelta(days=1))
                 for p in processors.phase(3)}

    helpers.run_phase(bigquery_client, 3, business_date, fence=1, run_id="rerun")

    for p in processors.phase(3):
        rows = rows_of(bigquery_client, p.name, business_date)
        assert helpers.content_hash(rows) == before[p.name], p.name
        assert {r["_run_id"] for r in rows} == {"rerun"}, p.name
        # Other dates are untouched, lineage included.
        assert helpers.content_hash(
            rows_of(bigquery_client, p.name, business_date - dt.timedelta(days=1)), exclude=()
        ) == helpers.content_hash(neighbour[p.name], exclude=()), p.name


@pytest.mark.parametrize("processor_name", POST_GAME)
def test_newer_fence_replaces_and_older_fence_changes_nothing(bigquery_client, warehouse, processor_name):
    day = dt.date(2026, 2, 2)
    processors.get(processor_name)  # an unknown name fails here, not in the SQL
    schedule = helpers.table_id("nbac_schedule", "raw")
    game = helpers.query(
        bigquery_client,
        f"SELECT game_id, home_team_tricode FROM `{schedule}` WHERE game_date = @d AND game_status = 3 "
        "ORDER BY game_id LIMIT 1",
        d=day,
    )[0]
    neighbour = helpers.content_hash(rows_of(bigquery_client, processor_name, day + dt.timedelta(days=1)), exclude=())

    def set_status(status: int):
        # A newer schedule version of one game: the game is no longer (or again) final.
        helpers.query(
            bigquery_client,
            f"INSERT INTO `{schedule}` SELECT game_id, game_date, season_year, @status, home_team_tricode, "
            "away_team_tricode, home_team_score, away_team_score, is_regular_season, is_playoffs, "
            f"TIMESTAMP_ADD(processed_at, INTERVAL 1 DAY) FROM `{schedule}` WHERE game_id = @game_id "
            "QUALIFY ROW_NUMBER() OVER (ORDER BY processed_at DESC) = 1",
            status=status,
            game_id=game["game_id"],
        )

    try:
        helpers.run(bigquery_client, processor_name, day, fence=5, run_id="newer")
        current = rows_of(bigquery_client, processor_name, day)
        assert {(r["_fence"], r["_run_id"]) for r in current} == {(5, "newer")}

        set_status(2)
        helpers.run(bigquery_client, processor_name, day, fence=3, run_id="stale")
        assert helpers.content_hash(rows_of(bigquery_client, processor_name, day), exclude=()) == \
            helpers.content_hash(current, exclude=())

        helpers.run(bigquery_client, processor_name, day, fence=7, run_id="newest")
        replaced = rows_of(bigquery_client, processor_name, day)
        assert {(r["_fence"], r["_run_id"]) for r in replaced} == {(7, "newest")}
        assert game["game_id"] in {r["nba_game_id"] for r in current}
        assert game["game_id"] not in {r["nba_game_id"] for r in replaced}
        assert len(replaced) < len(current)
        assert helpers.content_hash(
            rows_of(bigquery_client, processor_name, day + dt.timedelta(days=1)), exclude=()) == neighbour
    finally:
        set_status(3)
        helpers.run(bigquery_client, processor_name, day, fence=8, run_id="restored")
    assert len(rows_of(bigquery_client, processor_name, day)) == len(current)


def test_every_key_is_unique(bigquery_client, warehouse):
    for p in processors.phase(3):
        total = helpers.query(bigquery_client, f"SELECT COUNT(*) AS n FROM `{helpers.table_id(p.table)}`")[0]["n"]
        assert total > 0, p.name
        assert helpers.duplicate_keys(bigquery_client, p.name) == [], p.name


def test_no_sql_comment_mentions_a_parameter():
    # bqemulator counts an @name inside a comment as a parameter and rejects the query.
    from nba_pipeline.sql import schema_files, sql_root

    paths = [p.sql_path for p in processors.phase(3)] + schema_files("analytics")
    for path in paths:
        for number, line in enumerate((sql_root() / path).read_text().splitlines(), start=1):
            comment = line.partition("--")[2]
            assert "@" not in comment, f"{path}:{number}: {line.strip()}"
