"""The hall PC's and a screen's Debian packages installed into a clean Debian 12 root that the
test makes (mmdebstrap, then chroot): files where they belong, units that `systemd-analyze
verify` accepts, the tools running inside; an upgrade keeps data and configuration, remove keeps
the data, purge deletes it. The screens package goes first (it depends on the hall's): Qt finds
every library it links in the root, and the installed program draws a screen offscreen.
Building the packages and the root costs minutes: `make package-check` runs it.
$YICIBAN_DEB and $YICIBAN_SCREENS_DEB name packages already built (`make deb`) to test instead."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hall.client import HallClient, HallUnavailable
from tests.support.hallserver import free_port

REPO = Path(__file__).resolve().parents[2]
UNITS = ("yiciban-hall.service", "yiciban-relay.service", "yiciban-platform.service")

pytestmark = [
    pytest.mark.package,
    pytest.mark.timeout(5400),  # two builds and a Debian root with Qt's and cage's dependencies
    pytest.mark.skipif(shutil.which("mmdebstrap") is None or shutil.which("dpkg-deb") is None,
                       reason="needs mmdebstrap and dpkg-deb (packaging/apt-packages.txt)"),
]


def run(*cmd: str, timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check:
        assert done.returncode == 0, f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The hall's and the screens' packages: a fresh build, or those $YICIBAN_DEB and
    $YICIBAN_SCREENS_DEB name."""
    if os.environ.get("YICIBAN_DEB") and os.environ.get("YICIBAN_SCREENS_DEB"):
        return Path(os.environ["YICIBAN_DEB"]), Path(os.environ["YICIBAN_SCREENS_DEB"])
    out = tmp_path_factory.mktemp("deb")
    done = subprocess.run(["packaging/build-deb.sh", "yiciban", "yiciban-screens"], cwd=REPO,
                          capture_output=True, text=True, timeout=3600,
                          env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "OUT": str(out), "HOME": str(Path.home())})
    assert done.returncode == 0, done.stderr[-3000:]
    hall, screens = (Path(line) for line in done.stdout.strip().splitlines()[-2:])
    return hall, screens


@pytest.fixture(scope="module")
def package(packages: tuple[Path, Path]) -> Path:
    return packages[0]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, packages: tuple[Path, Path]) -> Iterator[Path]:
    """A minimal Debian 12 with systemd, and both packages installed by apt with their
    dependencies (inside mmdebstrap, which gives the root the network and package lists to do so)."""
    target = tmp_path_factory.mktemp("bookworm") / "root"
    install = ("chroot \"$1\" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "
               "--no-install-recommends " + " ".join(f"/tmp/{p.name}" for p in packages))
    hooks = [f"--customize-hook=copy-in {p} /tmp" for p in packages]
    run("mmdebstrap", "--variant=apt", "--include=systemd,udev", *hooks, f"--customize-hook={install}",
        "bookworm", str(target), timeout=3600)
    for p in packages:  # mmdebstrap empties /tmp: again, for the upgrades
        shutil.copy(p, target / "tmp" / p.name)
    run("mount", "-t", "proc", "proc", str(target / "proc"))
    try:
        yield target
    finally:
        run("umount", "-l", str(target / "proc"), check=False)


def inside(root: Path, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return run("chroot", str(root), *cmd, check=check)


def ticket_from_installed_hall(root: Path) -> str:
    """Start the installed `yiciban hall` in the root as its user, take a ticket, stop it."""
    port = free_port()
    hall = subprocess.Popen(["chroot", "--userspec=yiciban:yiciban", str(root), "yiciban", "hall",
                             "--config", "/etc/yiciban/hall.toml", "--data-dir", "/var/lib/yiciban",
                             "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with HallClient(f"http://127.0.0.1:{port}", "demo-dispenser-1-token") as client:
            for _ in range(600):
                if hall.poll() is not None:
                    pytest.fail(f"the installed hall exited: {hall.stderr.read().decode()[-2000:]}")
                try:
                    client.health()
                    break
                except HallUnavailable:
                    time.sleep(0.1)
            return client.issue(queue="general").ticket.number
    finally:
        hall.terminate()
        hall.wait(30)


SCREEN_GROUPS = {"video", "input", "render", "audio"}
QT = "/opt/yiciban/screens/PySide6/Qt"
QT_LINKED = ("lib/libQt6Widgets.so.6", "lib/libQt6Svg.so.6", "lib/libQt6Multimedia.so.6",
             "lib/libQt6WaylandClient.so.6", "plugins/platforms/libqwayland.so", "plugins/platforms/libqoffscreen.so",
             "plugins/wayland-shell-integration/libxdg-shell.so",
             "plugins/wayland-graphics-integration-client/libqt-plugin-wayland-egl.so",
             "plugins/multimedia/libffmpegmediaplugin.so", "plugins/imageformats/libqsvg.so")


def unresolved_libraries(root: Path, library: str) -> list[str]:
    """The shared libraries `library` (a path in the root) needs that the root does not have."""
    done = inside(root, "ldd", library)
    return [line.strip() for line in done.stdout.splitlines() if "not found" in line]


def test_a_screen_installs_draws_offscreen_upgrades_removes_and_purges(root: Path,
                                                                      packages: tuple[Path, Path]) -> None:
    screens = packages[1]
    # files where they should be, the screen's session, the user in the seat's groups
    assert (root / "opt/yiciban/screens/PySide6/QtWidgets.abi3.so").is_file()
    pth = root / "opt/yiciban/venv/lib/python3.11/site-packages/yiciban-screens.pth"
    assert pth.read_text().strip() == "/opt/yiciban/screens"
    assert (root / "lib/systemd/system/yiciban-screen@.service").is_file()
    assert (root / "usr/share/doc/yiciban-screens/screen.env.example").is_file()
    assert (root / "usr/bin/cage").is_file(), "cage is a dependency"
    assert "/etc/pam.d/yiciban-screen" in inside(root, "dpkg-query", "-W", "-f=${Conffiles}",
                                                 "yiciban-screens").stdout
    groups = set(inside(root, "id", "-nG", "yiciban").stdout.split())
    assert groups >= SCREEN_GROUPS, groups

    # the unit of each role as systemd reads it
    for role in ("kiosk", "dispenser", "display", "pad"):
        done = inside(root, "env", "SYSTEMD_LOG_LEVEL=notice", "systemd-analyze", "verify", "--man=no",
                      f"yiciban-screen@{role}.service", check=False)
        problems = [line for line in (done.stdout + done.stderr).splitlines() if "yiciban" in line]
        assert done.returncode == 0 and not problems, f"{role}: {done.stdout}{done.stderr}"

    # every library that the Qt modules the screens use and Qt's Wayland platform (what cage
    # gives it) link is in the root: the package declares them
    missing = {library: unresolved_libraries(root, f"{QT}/{library}") for library in QT_LINKED}
    assert not any(missing.values()), {k: v for k, v in missing.items() if v}

    # the installed program draws every screen of the hall display offscreen, as its user
    shots = root / "var/lib/yiciban/shots"
    draw = "import sys; from kiosk.screenshots import main; sys.exit(main(['--role', 'display', '--out', sys.argv[1]]))"
    inside(root, "runuser", "-u", "yiciban", "--", "env", "QT_QPA_PLATFORM=offscreen", "HOME=/var/lib/yiciban",
           "/opt/yiciban/venv/bin/python", "-c", draw, "/var/lib/yiciban/shots")
    drawn = sorted(shots.rglob("*.png"))
    assert len(drawn) > 5 and all(png.stat().st_size > 10_000 for png in drawn), drawn

    # an upgrade over itself keeps an edited session file; remove keeps the hall working
    pam = root / "etc/pam.d/yiciban-screen"
    pam.write_text(pam.read_text() + "# edited by the IT person\n")
    inside(root, "dpkg", "--force-confold", "-i", f"/tmp/{screens.name}")
    assert pam.read_text().endswith("# edited by the IT person\n")
    inside(root, "dpkg", "--remove", "yiciban-screens")
    assert not (root / "opt/yiciban/screens/PySide6").exists() and not pth.exists()
    assert "0.1" in inside(root, "yiciban", "--version").stdout

    # purge deletes the screen's settings, not the hall's
    (root / "etc/yiciban/screen.env").write_text("YICIBAN_TOKEN=x\n")
    inside(root, "dpkg", "--purge", "yiciban-screens")
    assert not (root / "etc/yiciban/screen.env").exists() and not pam.exists()
    assert not (root / "opt/yiciban/screens").exists()
    assert (root / "etc/yiciban/hall.toml").exists()
    shutil.rmtree(shots)


def test_install_upgrade_remove_and_purge_in_a_clean_debian_root(root: Path, package: Path) -> None:
    # files where they should be
    assert (root / "opt/yiciban/venv/bin/yiciban").is_file()
    assert (root / "usr/bin/yiciban").is_symlink()
    assert "/etc/yiciban/hall.toml" in inside(root, "dpkg-query", "-W", "-f=${Conffiles}", "yiciban").stdout
    state = inside(root, "stat", "-c", "%a %U", "/var/lib/yiciban", "/etc/yiciban/hall.toml").stdout.split("\n")
    assert state[:2] == ["700 yiciban", "640 root"], state
    groups = inside(root, "id", "-nG", "yiciban").stdout.split()
    assert {"yiciban", "dialout", "lp"} <= set(groups), groups
    assert (root / "lib/udev/rules.d/60-yiciban.rules").is_file()

    # the units as systemd reads them, and the tools
    for unit in UNITS:
        done = inside(root, "env", "SYSTEMD_LOG_LEVEL=notice", "systemd-analyze", "verify", "--man=no",
                      f"/lib/systemd/system/{unit}", check=False)
        problems = [line for line in (done.stdout + done.stderr).splitlines() if "yiciban" in line]
        assert done.returncode == 0 and not problems, f"{unit}: {done.stdout}{done.stderr}"
    assert "0.1" in inside(root, "yiciban", "--version").stdout
    assert inside(root, "yiciban", "config", "check", "/etc/yiciban/hall.toml").stdout.startswith("OK: ")
    doctor = inside(root, "runuser", "-u", "yiciban", "--", "yiciban", "doctor", "--config",
                    "/etc/yiciban/hall.toml", "--timeout", "0.5", "--json")
    assert isinstance(json.loads(doctor.stdout), list), doctor.stdout
    # the platform's PostgreSQL driver, with the libpq its wheel carries, loads in a clean root
    pq = inside(root, "/opt/yiciban/venv/bin/python", "-c", "import psycopg; print(psycopg.pq.__impl__)")
    assert pq.stdout.strip() == "binary", pq.stdout

    # the installed hall serves as its user; an upgrade (the same version again: prerm upgrade,
    # postinst configure with the old version) keeps its data and an edited configuration
    first = ticket_from_installed_hall(root)
    config = root / "etc/yiciban/hall.toml"
    config.write_text(config.read_text() + "\n# edited by the IT person\n")
    inside(root, "dpkg", "--force-confold", "-i", f"/tmp/{package.name}")
    assert config.read_text().endswith("# edited by the IT person\n")
    assert ticket_from_installed_hall(root) == f"A{int(first[1:]) + 1:03d}", "the day's numbering went on"

    inside(root, "dpkg", "--remove", "yiciban")
    assert not (root / "usr/bin/yiciban").exists() and not (root / "opt/yiciban/venv/bin/yiciban").exists()
    assert (root / "var/lib/yiciban/hall.db").exists() and config.exists()

    inside(root, "dpkg", "--purge", "yiciban")
    assert not (root / "var/lib/yiciban").exists() and not (root / "etc/yiciban").exists()
    assert not (root / "opt/yiciban").exists()
