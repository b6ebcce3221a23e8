"""Every command of `yiciban` is documented in the README (a command nobody can find is not there)."""
import argparse
from pathlib import Path

from yiciban.cli import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "yiciban"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub


def test_every_top_level_command_is_in_the_readme():
    missing = [cmd for cmd, _ in _commands(build_parser()) if cmd not in README]
    assert not missing, f"not documented in README.md: {missing}"


def test_every_benchmark_is_in_the_readme():
    bench = dict(_commands(build_parser()))["yiciban bench"]
    missing = [cmd for cmd, _ in _commands(bench, "bench") if cmd not in README]
    assert not missing, f"not documented in README.md: {missing}"
