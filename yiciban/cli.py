"""The `yiciban` command line: one program, a role or a tool per subcommand.

Each subcommand imports its package only when it runs, so `yiciban hall` never loads Qt.
"""
from __future__ import annotations

import argparse
import gc
import logging
import sys
from pathlib import Path
from typing import TypeAlias

log = logging.getLogger("yiciban")


def _hall_config(path: str | None, *, packaged: bool = False):
    from ground.paths import config_file
    from hall.config import load_config, load_demo_config

    found = config_file(path, packaged=packaged)
    return load_config(found) if found else load_demo_config()


def cmd_hall(args: argparse.Namespace) -> int:
    gc.disable()  # until serve() has the app built (hall.app.tune_gc): a restart after a crash is sooner
    from ground.paths import data_dir
    from hall.app import serve

    if args.config is None and not Path("/etc/yiciban/hall.toml").exists() and not args.demo_config:
        print("yiciban hall: no hall configuration. Give --config FILE (or install /etc/yiciban/hall.toml);"
              " `yiciban demo` runs the sample hall.", file=sys.stderr)
        return 2
    config = _hall_config(args.config, packaged=args.config is None)
    serve(config, data_dir(args.data_dir), args.host, args.port)
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    import tempfile

    from hall.config import load_demo_config
    from hall.server import create_app, openapi_json

    with tempfile.TemporaryDirectory() as tmp:
        sys.stdout.write(openapi_json(create_app(load_demo_config(), Path(tmp))))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from hall.demo import run_demo

    return run_demo(args)


def cmd_config_check(args: argparse.Namespace) -> int:
    from hall.config import check_command

    return check_command(args.file)


def cmd_hash_password(args: argparse.Namespace) -> int:
    from hall.passwords import hash_command

    return hash_command(args.password)


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.queue import main as bench_queue

    return bench_queue(args)


def cmd_sim(args: argparse.Namespace) -> int:
    from drivers.registry import sim_main

    return sim_main(args.kind, args.sim_args)


def device_kind(text: str) -> str:
    """`yiciban sim KIND`'s kind: a registry kind, or an older name of one (with a note)."""
    from drivers.registry import UnknownKind, resolve

    try:
        return resolve(text)
    except UnknownKind as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_doctor(args: argparse.Namespace) -> int:
    from yiciban.doctor import run_doctor

    return run_doctor(args)


def cmd_idcard_decode(args: argparse.Namespace) -> int:
    from drivers.idcard.cli import decode_main

    return decode_main(args.decode_args)


def cmd_bench_qr(args: argparse.Namespace) -> int:
    from bench.qr import main as bench_qr

    return bench_qr(args)


def cmd_bench_pages(args: argparse.Namespace) -> int:
    from bench.pages import main as bench_pages

    return bench_pages(args)


def cmd_bench_idcard(args: argparse.Namespace) -> int:
    from bench.idcard import main as bench_idcard

    return bench_idcard(args)


def cmd_bench_kiosk(args: argparse.Namespace) -> int:
    from bench.kiosk import main as bench_kiosk

    return bench_kiosk(args)


def cmd_screenshots(args: argparse.Namespace) -> int:
    from hall.notices.files import write_samples
    from kiosk.screenshots import main as screenshots_main

    status = screenshots_main(["--out", args.out] if args.out else [])
    write_samples(Path(args.out) / "notices" if args.out else None)
    return status


def cmd_bench_sync(args: argparse.Namespace) -> int:
    from bench.sync import main as bench_sync

    return bench_sync(args)


def cmd_bench_platform(args: argparse.Namespace) -> int:
    from bench.platform import main as bench_platform

    return bench_platform(args)


def cmd_bench_dispenser(args: argparse.Namespace) -> int:
    from bench.dispenser import main as bench_dispenser

    return bench_dispenser(args)


def cmd_bench_cases(args: argparse.Namespace) -> int:
    from bench.cases import main as bench_cases

    return bench_cases(args)


def cmd_bench_stats(args: argparse.Namespace) -> int:
    from bench.stats import main as bench_stats

    return bench_stats(args)


def cmd_platform(args: argparse.Namespace) -> int:
    from sync.platform.serve import run

    return run(args)


def cmd_sync_status(args: argparse.Namespace) -> int:
    from sync.cli import status_command

    return status_command(args)


def cmd_sync_retry(args: argparse.Namespace) -> int:
    from sync.cli import retry_command

    return retry_command(args)


def cmd_kiosk(args: argparse.Namespace) -> int:
    from kiosk.main import run

    return run(args)


def cmd_i18n(args: argparse.Namespace) -> int:
    from kiosk.i18n_tool import main as i18n_main

    return i18n_main([args.action])


def cmd_voice_build(args: argparse.Namespace) -> int:
    from kiosk.voice_build import main as voice_main

    return voice_main(["--out", args.out] if args.out else [])


def cmd_workdays(args: argparse.Namespace) -> int:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from ground.paths import data_dir
    from sync.workdays import CalendarRangeError
    from sync.workdays_cli import WorkdaysInputError, run

    zone = _hall_config(args.config).hall.timezone if args.config else "Asia/Shanghai"
    directory = data_dir(args.data_dir) if args.data_dir else None
    try:
        print(run(args.workdays_command, vars(args), dt.datetime.now(ZoneInfo(zone)).date(), directory))
    except (WorkdaysInputError, CalendarRangeError) as exc:
        print(f"yiciban workdays {args.workdays_command}: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_notices(args: argparse.Namespace) -> int:
    from hall.notices.files import write_samples

    for path in write_samples(Path(args.out) if args.out else None, png=not args.no_png):
        print(path)
    return 0


def cmd_bench_notices(args: argparse.Namespace) -> int:
    from bench.notices import main as bench_notices

    return bench_notices(args)


Sub: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def _add_servers(sub: Sub) -> None:
    h = sub.add_parser("hall", help="run the hall server (queue authority, event stream)")
    h.add_argument("--config", help="hall TOML file (default /etc/yiciban/hall.toml)")
    h.add_argument("--demo-config", action="store_true", help="use the embedded sample hall")
    h.add_argument("--data-dir", help="where the SQLite files live")
    h.add_argument("--host")
    h.add_argument("--port", type=int)
    h.set_defaults(func=cmd_hall)

    d = sub.add_parser("demo", help="the sample hall with an autopilot playing citizens and staff")
    d.add_argument("--config", help="a hall TOML file instead of the sample hall")
    d.add_argument("--data-dir", help="where the demo's SQLite files live (default: <data dir>/demo)")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8470)
    d.add_argument("--pace", type=float, default=1.0, help="autopilot speed: 2 is twice as busy (default 1)")
    d.add_argument("--no-autopilot", action="store_true", help="serve the hall without simulated traffic")
    d.add_argument("--no-screens", action="store_true",
                   help="no dispenser, kiosk, display and pad screens (the hall and its web pages only)")
    d.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    d.add_argument("--seed", type=int, default=None, help="random seed of the autopilot")
    d.add_argument("--hall-time", metavar="TIME",
                   help="keep the hall's opening hours, starting at this hall time: '12:05' (lunch), "
                        "'17:10' (past the cut-off), '21:00' (the 24-hour self-service mode), "
                        "'2026-10-01 10:00' (a holiday); without it the demo hall is always open")
    d.set_defaults(func=cmd_demo)

    o = sub.add_parser("openapi", help="print the hall API's OpenAPI schema")
    o.set_defaults(func=cmd_openapi)

    pf = sub.add_parser("platform", help="run the reference central platform (sync protocol, admin API)")
    pf.add_argument("--config", help="platform TOML file: node tokens, admin token, database")
    pf.add_argument("--data-dir", help="where its SQLite file lives (default: <data dir>/platform)")
    pf.add_argument("--host", default="127.0.0.1")
    pf.add_argument("--port", type=int, default=8480)
    pf.add_argument("--openapi", action="store_true", help="print the platform API's OpenAPI schema and exit")
    pf.set_defaults(func=cmd_platform)


def _add_admin(sub: Sub) -> None:
    c = sub.add_parser("config", help="hall configuration tools")
    csub = c.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    cc = csub.add_parser("check", help="validate a hall TOML file")
    cc.add_argument("file")
    cc.set_defaults(func=cmd_config_check)

    s = sub.add_parser("staff", help="staff account tools")
    ssub = s.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    sh = ssub.add_parser("hash-password", help="print the password_hash for a [[staff]] entry")
    sh.add_argument("--password", help="(default: asked without echo)")
    sh.set_defaults(func=cmd_hash_password)

    sy = sub.add_parser("sync", help="sync with the platform: status and set-aside records")
    sysub = sy.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    ss = sysub.add_parser("status", help="what waits, what was delivered, what was set aside and why")
    ss.add_argument("--data-dir", help="the hall's data directory")
    ss.add_argument("--json", action="store_true", help="print JSON")
    ss.set_defaults(func=cmd_sync_status)
    sr = sysub.add_parser("retry", help="put records set aside (dead) back in line, after a fix")
    sr.add_argument("--data-dir", help="the hall's data directory")
    sr.add_argument("keys", nargs="*", help="record keys (default: every record set aside)")
    sr.set_defaults(func=cmd_sync_retry)


def _add_workdays(sub: Sub) -> None:
    w = sub.add_parser("workdays", help="the working-day calendar: due dates, a year's closed days")
    wsub = w.add_subparsers(dest="workdays_command", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", help="hall TOML file (its time zone says what 'today' is)")
    common.add_argument("--data-dir", help="the hall's data directory: the platform's calendar in reference.db")
    common.add_argument("--json", action="store_true", help="print JSON")
    wa = wsub.add_parser("add", parents=[common], help="the due date N working days after DATE (ISO), "
                         "and whether it is provisional")
    wa.add_argument("date", metavar="DATE", help="YYYY-MM-DD, or 'today' (the day itself never counts)")
    wa.add_argument("n", metavar="N", type=int, help="working days (0: the same day, 即办)")
    wa.set_defaults(func=cmd_workdays)
    ws = wsub.add_parser("show", parents=[common], help="a year's holidays, closed weekdays and 调休 "
                         "working days, and where each answer came from")
    ws.add_argument("year", metavar="YEAR", type=int)
    ws.set_defaults(func=cmd_workdays)


def _add_bench(sub: Sub) -> None:
    b = sub.add_parser("bench", help="benchmarks that print JSON")
    bsub = b.add_subparsers(dest="bench_command", metavar="WHAT", required=True)
    bq = bsub.add_parser("queue", help="engine, HTTP and WebSocket fan-out of the hall queue")
    bq.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    bq.add_argument("--output", help="also write the JSON to this file")
    bq.set_defaults(func=cmd_bench)
    bqr = bsub.add_parser("qr", help="QR reading rate and time per image on a labelled image set")
    bqr.add_argument("dir", help="a directory laid out like the BoofCV QR benchmark")
    bqr.add_argument("--output", help="also write the JSON to this file")
    bqr.set_defaults(func=cmd_bench_qr)
    bp = bsub.add_parser("pages", help="document camera page finding: SmartDoc Jaccard, ms per frame, textbook baseline")
    bp.add_argument("dir", help="images and their truth.json ({NAME: [[x, y] x 4 tl tr br bl]})")
    bp.add_argument("--quads", help="write the quadrilaterals found, in truth.json's format")
    bp.add_argument("--repeat", type=int, default=3, help="timed runs per image (default 3)")
    bp.add_argument("--output", help="also write the JSON to this file")
    bp.set_defaults(func=cmd_bench_pages)
    bid = bsub.add_parser("idcard", help="ID card read latency over a pty, beside the wire time")
    bid.add_argument("--reads", type=int, default=20)
    bid.add_argument("--output", help="also write the JSON to this file")
    bid.set_defaults(func=cmd_bench_idcard)
    bs = bsub.add_parser("sync", help="outbox drained to a reference platform; hall latency meanwhile")
    bs.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    bs.add_argument("--count", type=int, default=None, help="records in the backlog (default 10000)")
    bs.add_argument("--output", help="also write the JSON to this file")
    bs.set_defaults(func=cmd_bench_sync)
    bpl = bsub.add_parser("platform", help="N halls pushing at once into the platform on PostgreSQL, "
                          "beside a bare COPY/INSERT")
    from bench.platform import add_arguments as bench_platform_arguments

    bench_platform_arguments(bpl)
    bpl.set_defaults(func=cmd_bench_platform)
    bc = bsub.add_parser("cases", help="accepting a case beside a bare commit; every light on a day change")
    bc.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    bc.add_argument("--output", help="also write the JSON to this file")
    bc.set_defaults(func=cmd_bench_cases)
    bst = bsub.add_parser("stats", help="a busy hall's month of supervisors' figures beside a plain SQL pass")
    bst.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    bst.add_argument("--output", help="also write the JSON to this file")
    bst.set_defaults(func=cmd_bench_stats)
    bk = bsub.add_parser("kiosk", help="screen cold start beside a bare PySide6 window; memory over sessions")
    from bench.kiosk import add_arguments as bench_kiosk_arguments

    bench_kiosk_arguments(bk)
    bk.set_defaults(func=cmd_bench_kiosk)
    bd = bsub.add_parser("dispenser", help="a tap to the ticket at the printer, the hall reachable and away")
    from bench.dispenser import add_arguments as bench_dispenser_arguments

    bench_dispenser_arguments(bd)
    bd.set_defaults(func=cmd_bench_dispenser)
    bn = bsub.add_parser("notices", help="case notice PDFs: render time and size beside a one-line PDF")
    bn.add_argument("--rounds", type=int, default=20, help="renders of each notice (default 20)")
    bn.add_argument("--output", help="also write the JSON to this file")
    bn.set_defaults(func=cmd_bench_notices)


def _add_screens(sub: Sub) -> None:
    sc = sub.add_parser("screenshots", help="render every screen of every role to PNG (offscreen), "
                        "and each notice to docs/notices")
    sc.add_argument("--out", help="directory (default: docs/screenshots)")
    sc.set_defaults(func=cmd_screenshots)

    nt = sub.add_parser("notices", help="render each case notice, and a sample 一次性告知单 in "
                        "Chinese and English, to PDF and PNG")
    nt.add_argument("--out", help="directory (default: docs/notices)")
    nt.add_argument("--no-png", action="store_true", help="PDF only (PNG needs pdftoppm)")
    nt.set_defaults(func=cmd_notices)

    k = sub.add_parser("kiosk", help="a screen role: dispenser, kiosk (self-service), display, pad")
    from kiosk.main import add_arguments as kiosk_arguments

    kiosk_arguments(k)
    k.set_defaults(func=cmd_kiosk)

    tr = sub.add_parser("i18n", help="translations of the screens: update the .ts/.qm, or check them")
    tr.add_argument("action", choices=("update", "check"))
    tr.set_defaults(func=cmd_i18n)

    vo = sub.add_parser("voice", help="the call voice clips (espeak-ng, offline)")
    vosub = vo.add_subparsers(dest="voice_command", required=True, metavar="ACTION")
    vb = vosub.add_parser("build", help="generate assets/voice/*.wav")
    vb.add_argument("--out", help="directory (default: assets/voice in this checkout)")
    vb.set_defaults(func=cmd_voice_build)


def _add_devices(sub: Sub) -> None:
    from drivers import registry

    sm = sub.add_parser("sim", help="a device simulator on a pty or TCP port (see `yiciban sim KIND --help`)")
    sm.add_argument("kind", type=device_kind, choices=registry.NAMES)  # an older name: its kind
    sm.add_argument("sim_args", nargs=argparse.REMAINDER, help="the simulator's own options")
    sm.set_defaults(func=cmd_sim, passthrough="sim_args")

    dr = sub.add_parser("doctor", help="open every configured device and say what answered")
    dr.add_argument("--config", help="hall TOML file (default /etc/yiciban/hall.toml, else the sample hall)")
    dr.add_argument("--host", help="only the devices of this machine ([[devices]] id, or 'hall')")
    dr.add_argument("--timeout", type=float, default=3.0, help="seconds per device")
    dr.add_argument("--json", action="store_true", help="print JSON instead of a table")
    dr.add_argument("--hall", metavar="URL", help="also compare this machine's clock and time zone with "
                    "the hall server's at URL, e.g. http://hall.local:8080")
    dr.add_argument("--token", help="with --hall: a supervisor's or operator's token, to add the hall's "
                    "whole health (default $YICIBAN_HALL_TOKEN)")
    dr.set_defaults(func=cmd_doctor)

    ic = sub.add_parser("idcard", help="ID card tools")
    icsub = ic.add_subparsers(dest="idcard_command", metavar="ACTION", required=True)
    icd = icsub.add_parser("decode", help="parse a reader's answer or a 256-byte text block (masked)")
    icd.add_argument("decode_args", nargs=argparse.REMAINDER, help="HEX|FILE [--reveal]")
    icd.set_defaults(func=cmd_idcard_decode, passthrough="decode_args")


def _add_operations(sub: Sub) -> None:
    from yiciban import backup, udev

    backup.add_commands(sub)
    udev.add_commands(sub)


COMMAND_GROUPS = (_add_servers, _add_admin, _add_workdays, _add_bench, _add_screens, _add_devices,
                  _add_operations)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yiciban", description="Edge software for government service halls (一次办).")
    p.add_argument("--version", action="version", version=_version())
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMAND_GROUPS:
        register(sub)
    return p


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Options in any position: a command that hands its arguments to another parser (an ID card
    decode, a simulator) also gets the options given before its first argument."""
    args, extra = parser.parse_known_args(argv)
    passthrough = getattr(args, "passthrough", None)
    if extra and passthrough:
        setattr(args, passthrough, [*extra, *getattr(args, passthrough)])
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _version() -> str:
    from yiciban import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parse(parser, argv)
    from ground.logs import setup_logging

    setup_logging(args.log_level)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a clear line, not a traceback, for the hall's IT person
        from hall.config import ConfigError

        if isinstance(exc, ConfigError):
            print(str(exc), file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
