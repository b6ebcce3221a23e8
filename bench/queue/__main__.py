"""`python -m bench.queue`: the whole benchmark, or (`fanout`) the subscriber process of its
fan-out part, started by the benchmark itself."""
from __future__ import annotations

import argparse
import sys

from bench.queue import main
from bench.queue.fanout import fanout_child

if sys.argv[1:2] == ["fanout"]:
    sys.exit(fanout_child(sys.argv[2:]))
parser = argparse.ArgumentParser(prog="python -m bench.queue")
parser.add_argument("--quick", action="store_true")
parser.add_argument("--output")
sys.exit(main(parser.parse_args()))
