"""``nba-pipeline --debug``: full tracebacks and debug logging; without it, one line and exit 2."""

from __future__ import annotations

import logging

import pytest

from nba_pipeline_dev import cli


@pytest.fixture
def failing_command(monkeypatch):
    def locks(args):
        logging.getLogger("nba_pipeline.health").debug("reading the lock collection")
        raise RuntimeError("the lock listing broke")

    monkeypatch.setattr(cli, "cmd_locks", locks)


def test_without_debug_a_failure_is_one_line(failing_command, capsys):
    assert cli.main(["locks", "list"]) == 2
    err = capsys.readouterr().err
    assert "RuntimeError: the lock listing broke" in err
    assert "Traceback" not in err and "reading the lock collection" not in err


@pytest.mark.parametrize("argv", [["--debug", "locks", "list"], ["locks", "list", "--debug"]])
def test_debug_shows_the_traceback_and_debug_records(failing_command, capsys, argv):
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and 'raise RuntimeError("the lock listing broke")' in err
    assert "DEBUG nba_pipeline.health: reading the lock collection" in err
    assert (root.level, root.handlers) == (level, handlers)  # logging is as it was


def test_debug_is_off_unless_given():
    parser = cli.build_parser()
    assert parser.parse_args(["health"]).debug is False
    assert parser.parse_args(["--debug", "health"]).debug is True
    assert parser.parse_args(["health", "--debug"]).debug is True
