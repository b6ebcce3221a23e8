"""The hall configuration: one TOML file that describes a hall, checked before anything uses it.

``load_config(path)`` reads and validates the file. Every problem found is reported at once as a
``ConfigIssue`` naming the file, the TOML key path (``windows[3].queues[1]``, indexes counted from
0 in the order of the ``[[windows]]`` blocks), what was expected and what was found, so a hall
administrator can fix the file without reading code.

``HallConfig.setup()`` hands the queue engine the part it needs (hall/domain/model.py).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

from ground.paths import assets_dir
from hall import staff_photos
from hall.case_config import CaseConfig
from hall.config_checks import cross_check
from hall.config_fields import (
    _AREA_RE,
    _MAX_RATIO,
    _PREFIX_RE,
    _RATIO_RE,
    _USERNAME_RE,
    Id,
    Text,
    TimeZone,
    _Section,
)
from hall.config_issues import (
    ConfigError,
    ConfigIssue,
    CrossReferenceError,
    issues_from_validation,
    one_of,
)
from hall.config_matters import MatterConfig
from hall.domain.model import HallSetup, Policy, QueueDef, SelectionMode, WindowDef
from hall.followups.config import FollowupConfig
from hall.hours_config import OpeningConfig
from hall.passwords import is_password_hash

DEMO_HALL = "demo"

# ---------------------------------------------------------------------------------------------
# Sections


class HallInfo(_Section):
    id: Id
    name: Text
    name_en: str = ""
    area_code: str  # 6-digit 行政区划代码
    timezone: TimeZone = "Asia/Shanghai"
    demo: bool = False
    # what the kiosk and the 一次性告知单 tell citizens: where to ask, and the online guide
    phone: str = Field(default="", max_length=64)
    address: str = Field(default="", max_length=200)
    hours: str = Field(default="", max_length=200)
    phone_en: str = Field(default="", max_length=100)  # "12345 (government service hotline)"
    address_en: str = Field(default="", max_length=300)
    hours_en: str = Field(default="", max_length=300)
    guide_url: str = Field(default="", max_length=500)  # "{code}" is replaced by the matter code
    # where citizens' phones reach this hall server (a ticket QR's follow page); without it, the
    # address the dispenser itself uses, which only phones on the hall's network can open
    public_url: str = Field(default="", max_length=500)

    @field_validator("guide_url", "public_url")
    @classmethod
    def _urls(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://\S+", value):
            raise ValueError("an http:// or https:// address (guide_url: with {code} for the matter code)")
        return value

    @field_validator("area_code")
    @classmethod
    def _area(cls, value: str) -> str:
        if not _AREA_RE.fullmatch(value):
            raise ValueError("a 6-digit 区划 code in quotes, like '370829'")
        return value

    @property
    def platform_area_code(self) -> str:
        """The 12-digit form used by provincial platforms: the 6-digit code plus '000000'."""
        return self.area_code + "000000"


class ServerConfig(_Section):
    host: Text = "127.0.0.1"
    port: int = Field(default=8470, ge=1, le=65535)
    max_body_bytes: int = Field(default=65536, ge=1024, le=64 * 1024 * 1024)
    # how long a client may take to send a request's head before it gets 408 and is closed
    head_timeout_seconds: float = Field(default=5.0, ge=0.5, le=120.0)


class PolicyConfig(_Section):
    no_show_after_recalls: int = Field(default=2, ge=0, le=10)
    aging_minutes: float = Field(default=30.0, gt=0, le=24 * 60)
    appointment_grace_minutes: float = Field(default=15.0, ge=0, le=240)
    service_level_minutes: float = Field(default=20.0, gt=0, le=24 * 60)
    ticket_digits: int = Field(default=3, ge=2, le=5)
    elderly_age: int = Field(default=65, ge=50, le=100)
    staff_session_hours: float = Field(default=12.0, gt=0, le=72)


class QueueConfig(_Section):
    id: Id
    prefix: str
    name: Text
    name_en: str = ""
    service_minutes: float = Field(default=8.0, gt=0, le=240)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if not _PREFIX_RE.fullmatch(value):
            raise ValueError("1 or 2 uppercase letters, like 'A' or 'BK'")
        return value


def parse_ratio(text: str) -> tuple[int, int]:
    """Parse "normal:priority" ("2:1") into (2, 1). Raises ValueError with a readable message."""
    match = _RATIO_RE.fullmatch(text)
    if match:
        normal, priority = int(match.group(1)), int(match.group(2))
        if 1 <= normal <= _MAX_RATIO and 1 <= priority <= _MAX_RATIO:
            return normal, priority
    raise ValueError(
        f"a ratio 'normal:priority' of two whole numbers from 1 to {_MAX_RATIO}, like '2:1'"
    )


class WindowConfig(_Section):
    id: Id
    number: int = Field(ge=1, le=999)
    name: Text
    name_en: str = ""
    queues: list[Id] = Field(min_length=1)  # served in this order
    ratio: str = "2:1"
    mode: Literal["sequence", "longest_wait"] = "sequence"

    @field_validator("ratio")
    @classmethod
    def _ratio(cls, value: str) -> str:
        parse_ratio(value)
        return value

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ratio_normal(self) -> int:
        return parse_ratio(self.ratio)[0]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def ratio_priority(self) -> int:
        return parse_ratio(self.ratio)[1]


class StaffConfig(_Section):
    id: Id
    name: Text
    username: str
    password_hash: str
    windows: list[Id] = Field(default_factory=list)
    role: Literal["staff", "supervisor", "operator"] = "staff"  # operator: the hall's screens and LEDs
    number: str = Field(default="", max_length=20, pattern=r"^[0-9A-Za-z-]*$")  # 工号, on the window's pad
    photo: str = ""  # a PNG or JPEG beside hall.toml (or an absolute path): the pad's 亮牌上岗 photo

    @field_validator("username")
    @classmethod
    def _username(cls, value: str) -> str:
        if not _USERNAME_RE.fullmatch(value):
            raise ValueError(
                "a user name of 2-32 lowercase letters, digits, '.', '_' or '-', "
                "starting with a letter"
            )
        return value

    @field_validator("password_hash")
    @classmethod
    def _hash(cls, value: str) -> str:
        if not is_password_hash(value):
            raise ValueError(
                "a password hash made by 'yiciban staff hash-password' (scrypt$16384$8$1$...)"
            )
        return value


DeviceRole = Literal["dispenser", "kiosk", "display", "pad", "keypad", "operator"]


class DeviceConfig(_Section):
    id: Id
    role: DeviceRole
    token: str = Field(min_length=16, max_length=256)
    window: Id | None = None  # the window a pad, keypad or window screen belongs to
    description: str = ""

    @field_validator("token")
    @classmethod
    def _token(cls, value: str) -> str:
        if value != value.strip() or any(ch.isspace() for ch in value):
            raise ValueError("a token without spaces")
        return value


def _check_device_kind(value: str) -> str:
    """A kind of `drivers.registry` (an older name is taken as its kind, with a logged note)."""
    from drivers import registry

    try:
        return registry.resolve(value)
    except registry.UnknownKind:
        raise ValueError(f"a device kind (one of: {one_of(registry.NAMES)})") from None


PeripheralKind = Annotated[str, AfterValidator(_check_device_kind)]  # the kinds are drivers.registry's


class PeripheralConfig(_Section):
    """A device attached to one of the hall's machines: what it is, and where to find it.

    `url` is never guessed: a serial device or udev symlink (/dev/yiciban-idcard), `socket://host:port`,
    `spy://...` for a hex dump, a CUPS queue name, a PC/SC reader name, a camera index. Nothing
    probes other ports. `settings` are the model's settings as data (baud rate, paper width ...).
    """

    id: Id
    kind: PeripheralKind
    url: Text
    host: Id = "hall"  # the [[devices]] id of the machine it is plugged into, or "hall"
    window: Id | None = None  # for keypads, pads and LED strips that belong to a window
    model: str = ""
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)
    description: str = ""


class PlatformConfig(_Section):
    """Connection to the provincial platform, for sync. No url: sync is off."""

    url: str | None = None
    node_id: str = ""  # empty: the hall id is used
    token: str | None = None
    ca_file: str | None = None  # relative paths are taken from the directory of hall.toml
    timeout_seconds: float = Field(default=10.0, gt=0, le=300)
    # "provincial": the province's 好差评 endpoint gets the ratings too (docs/provincial-haochaping.md)
    adapter: Literal["yiciban", "provincial"] = "yiciban"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
            raise ValueError("an http:// or https:// address")
        return value


DEFAULT_BAD_REASONS = [
    "服务态度不好",
    "办事效率低",
    "一次性告知不清楚",
    "要求提交不必要的材料",
    "等候时间过长",
    "多次跑动",
    "其他",
]
DEFAULT_BAD_REASONS_EN = [
    "Unfriendly service", "Slow handling", "Unclear one-time notice of requirements",
    "Asked for unnecessary documents", "Waited too long", "Had to come back several times", "Other",
]


class EvaluationConfig(_Section):
    """好差评: deadlines for handling a 差评 (they differ by locality) and the reasons offered."""

    callback_hours: int = Field(default=24, ge=1, le=24 * 30)
    fix_working_days: int = Field(default=5, ge=1, le=60)
    bad_reasons: list[Text] = Field(default_factory=lambda: list(DEFAULT_BAD_REASONS), min_length=1)
    bad_reasons_en: list[str] = Field(default_factory=lambda: list(DEFAULT_BAD_REASONS_EN))

    def reasons_en(self) -> list[str]:
        """One English text for each of `bad_reasons`, in its order ("" where the hall gave none):
        an English page shows these and still sends the Chinese, which the hall checks."""
        if len(self.bad_reasons_en) != len(self.bad_reasons):
            return [""] * len(self.bad_reasons)
        return list(self.bad_reasons_en)


class AnnouncementConfig(_Section):
    """A notice of the hall's own (政务公开), shown with the platform's on screens and kiosks.
    The dates are inclusive; without them it is shown every day."""

    id: Id
    title: Text
    body: Text
    title_en: str = ""
    body_en: str = ""
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None

    @model_validator(mode="after")
    def _dates(self) -> AnnouncementConfig:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise CrossReferenceError(
                [(("valid_until",), f"a date not before valid_from ({self.valid_from})",
                  self.valid_until.isoformat())]
            )
        return self


# ---------------------------------------------------------------------------------------------
# The whole file


class HallConfig(_Section):
    hall: HallInfo
    server: ServerConfig = Field(default_factory=ServerConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)
    queues: list[QueueConfig] = Field(min_length=1)
    windows: list[WindowConfig] = Field(min_length=1)
    staff: list[StaffConfig] = Field(default_factory=list)
    devices: list[DeviceConfig] = Field(default_factory=list)
    peripherals: list[PeripheralConfig] = Field(default_factory=list)
    matters: list[MatterConfig] = Field(default_factory=list)
    platform: PlatformConfig = Field(default_factory=PlatformConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    announcements: list[AnnouncementConfig] = Field(default_factory=list)
    cases: CaseConfig = Field(default_factory=CaseConfig)
    followups: FollowupConfig = Field(default_factory=FollowupConfig)  # 差评 follow-up ledger
    opening: OpeningConfig | None = None  # opening hours and quotas; none: issues at any hour

    @model_validator(mode="after")
    def _cross_references(self) -> HallConfig:
        issues = list(cross_check(self))
        if issues:
            raise CrossReferenceError(issues)
        return self

    # --- lookups ------------------------------------------------------------------------------

    @property
    def node_id(self) -> str:
        """This hall's id towards the platform."""
        return self.platform.node_id or self.hall.id

    def queue(self, queue_id: str) -> QueueConfig | None:
        return next((q for q in self.queues if q.id == queue_id), None)

    def window(self, window_id: str) -> WindowConfig | None:
        return next((w for w in self.windows if w.id == window_id), None)

    def staff_member(self, username: str) -> StaffConfig | None:
        return next((s for s in self.staff if s.username == username), None)

    def device(self, device_id: str) -> DeviceConfig | None:
        return next((d for d in self.devices if d.id == device_id), None)

    def matter(self, code: str) -> MatterConfig | None:
        return next((m for m in self.matters if m.code == code), None)

    def matters_for_queue(self, queue_id: str) -> list[MatterConfig]:
        return [m for m in self.matters if m.queue == queue_id]

    # --- conversion -----------------------------------------------------------------------------

    def policy_def(self) -> Policy:
        p = self.policy
        return Policy(
            timezone=self.hall.timezone,
            no_show_after_recalls=p.no_show_after_recalls,
            aging_minutes=p.aging_minutes,
            appointment_grace_minutes=p.appointment_grace_minutes,
            service_level_minutes=p.service_level_minutes,
            ticket_digits=p.ticket_digits,
        )

    def setup(self) -> HallSetup:
        """The queue engine's view of this hall."""
        queues = tuple(
            QueueDef(
                id=q.id,
                prefix=q.prefix,
                name=q.name,
                name_en=q.name_en,
                service_minutes=q.service_minutes,
            )
            for q in self.queues
        )
        windows = tuple(
            WindowDef(
                id=w.id,
                number=w.number,
                name=w.name,
                queues=tuple(w.queues),
                ratio_normal=w.ratio_normal,
                ratio_priority=w.ratio_priority,
                mode=SelectionMode(w.mode),
            )
            for w in self.windows
        )
        return HallSetup(queues=queues, windows=windows, policy=self.policy_def())


# ---------------------------------------------------------------------------------------------
# Loading

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def parse_config(data: dict[str, Any], file: str = "hall.toml") -> HallConfig:
    """Validate already-parsed TOML data. Raises ConfigError listing every problem."""
    try:
        return HallConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(issues_from_validation(HallConfig, file, exc)) from None


def load_config(path: str | os.PathLike[str]) -> HallConfig:
    """Read and validate a hall.toml. Raises ConfigError listing every problem found."""
    file = os.fspath(path)
    try:
        raw = Path(file).read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            [ConfigIssue(file, "", "a hall configuration file", "no such file")]
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            [ConfigIssue(file, "", "a hall configuration file", "a directory")]
        ) from None
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise ConfigError(
            [ConfigIssue(file, "", "a readable hall configuration file", reason)]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            [ConfigIssue(file, f"line {line}", "UTF-8 text", "bytes that are not UTF-8")]
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_POSITION.search(message)
        where = f"line {match.group(1)}, column {match.group(2)}" if match else ""
        found = _TOML_POSITION.sub("", message) if match else message
        found = found[:1].lower() + found[1:]
        raise ConfigError([ConfigIssue(file, where, "valid TOML", found)]) from None

    cfg = parse_config(data, file)
    ca_file = cfg.platform.ca_file
    if ca_file and not Path(ca_file).is_absolute():
        resolved = str(Path(file).resolve().parent / ca_file)
        platform = cfg.platform.model_copy(update={"ca_file": resolved})
        cfg = cfg.model_copy(update={"platform": platform})
    return staff_photos.resolved(cfg, file)


def demo_config_path() -> Path:
    """The sample hall shipped in assets/ (assets found as ground.paths.assets_dir says)."""
    return assets_dir() / "halls" / DEMO_HALL / "hall.toml"


def load_demo_config() -> HallConfig:
    return load_config(demo_config_path())


def check_command(path: str) -> int:
    """Body of ``yiciban config check FILE``: 0 and a summary if the file is usable, else 1."""
    try:
        cfg = load_config(path)
    except ConfigError as exc:
        for issue in exc.errors:
            print(issue, file=sys.stderr)  # noqa: T201
        count = len(exc.errors)
        print(f"{count} problem{'s' if count != 1 else ''} found", file=sys.stderr)  # noqa: T201
        return 1
    from hall.config_english import english_gaps

    for gap in english_gaps(cfg):  # a warning: the file is usable, English screens show Chinese there
        print(gap, file=sys.stderr)  # noqa: T201
    print(  # noqa: T201
        f"OK: {cfg.hall.name}: {len(cfg.queues)} queues, {len(cfg.windows)} windows, "
        f"{len(cfg.staff)} staff, {len(cfg.devices)} devices, {len(cfg.matters)} matters"
    )
    return 0
