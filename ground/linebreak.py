"""Where Chinese text may break across lines, for every screen and every LED strip.

A citizen reads "请刷身份/证" or "3/号窗口" as a mistake: Chinese has no spaces, so a layout
that breaks anywhere splits words, numbers from their measure words, and leaves a lone
character or a closing mark at the start of a line. This module cuts text into units that
are never split (`segment`): words and set phrases from a lexicon of the hall's vocabulary,
a number with its measure word ("75 分钟", "3号窗口", "A012号"), a Latin word, and
punctuation held to the unit it belongs to (closing marks to the one before, opening marks
to the one after). `break_lines` fills lines greedily from those units and never leaves one
character alone on the last line; `line_problems` names what is wrong with lines laid out by
anyone else (a screen's label, a strip's controller).

It is pure and lives on the ground floor because the LED strips are driven from the hall PC
and the drivers, which cannot import the screens; `kiosk.models.linebreak` adds what the
screens' labels need.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

OPENING = "（([{「『《〈“‘【〔"
CLOSING = "，。、；：！？）)]}」』》〉”’】〕…%％,.;:!?·～~"
PREFIXES = "约第共每近满超"  # held to the number after them: "约 75 分钟", "第3号"
NUMBER_CHARS = "0123456789０１２３４５６７８９.:：/-–"
# measure words and units, longest first so "号窗口" wins over "号"
MEASURES: tuple[str, ...] = tuple(sorted((
    "号窗口", "个工作日", "工作日", "分钟", "小时", "周岁", "号", "个", "次", "天", "日", "元", "人",
    "位", "件", "页", "份", "层", "楼", "分", "秒", "年", "月", "周", "项", "岁", "张", "种", "米",
    "条", "本", "台", "室", "区", "号楼", "号台", "星", "倍", "点", "时", "毫米", "公里",
), key=len, reverse=True))
# the hall's vocabulary: what a line must never split (forward maximum matching picks the longest)
LEXICON: frozenset[str] = frozenset(["身份证", "居民身份证", "身份", "证件", "排队票", "排队号", "排队", "叫号", "取号", "取号机", "签到", "预约", "时段", "预约时段", "窗口", "服务", "服务台", "咨询", "咨询台", "咨询服务台", "重试", "返回", "首页", "返回首页", "评价", "满意", "不满意", "基本满意", "非常满意", "很不满意", "办理", "办件", "办结", "事项", "业务", "材料", "申请", "申请材料", "受理", "不予受理", "告知单", "一次性", "打印", "打印机", "复印", "复印件", "扫码", "扫码口", "扫描", "二维码", "手机", "读卡区", "读卡器", "扫码器", "刷卡", "请刷", "放在", "对准", "大厅", "服务器", "连接", "暂时", "无法", "不能", "正在", "请稍候", "稍候", "稍后", "自动", "进度", "查询", "查看", "办事", "指南", "办事指南", "部门", "类别", "类型", "搜索", "拼音", "首字母", "名称", "老年人", "优先", "周岁", "长辈", "模式", "完成", "确定", "取消", "清空", "清除", "提交", "原因", "其他", "通知", "公告", "通知公告", "紧急", "等候", "等待", "预计", "分钟", "小时", "工作日", "承诺", "期限", "时限", "法定", "收费", "不收费", "标准", "全程", "网办", "全程网办", "即办", "现场", "次数", "到现场", "跑动", "窗口号", "开放", "暂停", "欢迎", "感谢", "谢谢", "您的", "本机", "本次", "本大厅", "今天", "明天", "已经", "已", "没有", "找到", "记录", "结果", "领取", "邮寄", "运单", "出件", "决定书", "通知书", "凭条", "出票", "出票口", "出纸口", "工作人员", "人员", "营业", "执照", "营业执照", "不动产", "登记", "不动产登记", "社保", "医保", "社会", "保障", "公积金", "户籍", "户口", "出入境", "护照", "婚姻", "税务", "发票", "企业", "开办", "公司", "个人", "市场", "监管", "公安", "交通", "驾驶证", "行驶证", "民政", "卫生", "健康", "教育", "人力", "资源", "住房", "公积", "残疾", "残疾人", "退休", "养老", "医疗", "生育", "失业", "工伤", "证明", "补正", "补齐", "容缺", "后补", "核实", "改进", "不便", "谅解", "帮助", "安排", "指引", "信息", "号码", "过号", "听到", "对应", "屏幕", "语音", "提示", "留意", "取走", "带走", "文件", "纸质", "正反面", "同一张", "自动拍摄", "拍摄", "拍好", "不要", "移动", "片刻", "服务窗口", "办理窗口", "办理事项", "办理中", "办理流程", "受理条件", "设定依据", "注意事项", "网上", "网上办理", "需要", "几秒钟", "请在", "请到", "请用", "请先", "请把", "或到", "或者", "可以", "即可", "直接", "点击", "选择", "要办理", "政务", "政务服务", "中心", "政务服务中心", "管理员", "退出", "密码", "管理", "设置", "正确", "未能", "读取", "有效", "号码", "居民", "当前", "环节", "红灯", "黄灯", "绿灯", "临近", "按期", "超过", "已超过", "准备", "目录", "加载", "保存", "联网", "恢复", "网络", "不通", "不完整", "完整", "损坏", "识别", "放平", "重新", "换个", "说法", "相关", "车驾管", "住房公积金", "民政婚姻", "就业创业", "企业开办", "公安户籍", "社保医保", "综合受理", "年满", "前面", "还有", "尽快", "处理", "连不上", "不上", "也可以", "您好", "请选择", "按部门", "按事项", "出号", "显示", "信息", "当前", "保存的", "决定", "批准"])
MAX_WORD = max(map(len, LEXICON))


def is_cjk(char: str) -> bool:
    """A Han character or a Chinese (full-width) mark."""
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_latin(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "_'@#&+") or (char.isalnum() and not is_cjk(char))


def _is_number(char: str) -> bool:
    return char in NUMBER_CHARS or (char.isascii() and char.isalnum())


def _number_run(text: str, i: int) -> int:
    """The end of the number or code starting at `i` ("A012", "3", "75", "10:30"), with its unit."""
    j = i
    while j < len(text) and (_is_number(text[j]) or _is_latin(text[j])):
        j += 1
    while j > i + 1 and text[j - 1] in ".:：/-–":  # a number does not end in its separator
        j -= 1
    k = j + 1 if j < len(text) and text[j] == " " else j  # "75 分钟": the space belongs to the unit
    for measure in MEASURES:
        if text.startswith(measure, k):
            return k + len(measure)
    return j


def _raw_units(text: str) -> list[str]:
    units: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
        elif _is_number(char) or _is_latin(char):
            j = _number_run(text, i) if any(c.isdigit() for c in text[i:i + 12]) else i + 1
            if j == i + 1 and _is_latin(char):
                while j < len(text) and _is_latin(text[j]):
                    j += 1
        else:
            j = i + 1
            for size in range(min(MAX_WORD, len(text) - i), 1, -1):
                if text[i:i + size] in LEXICON:
                    j = i + size
                    break
        units.append(text[i:j])
        i = j
    return units


def segment(text: str) -> list[str]:
    """`text` cut into the units a line may break between; "".join(segment(t)) == t.

    Spaces are units of their own (a line may break at a space); a closing mark stays with the
    unit before it and an opening mark with the unit after it.
    """
    units: list[str] = []
    pending = ""  # opening marks waiting for the unit they open
    for unit in _raw_units(text):
        if units and units[-1] in PREFIXES and unit[:1].isdigit():
            units[-1] += unit
            continue
        if (len(units) > 1 and units[-1].isspace() and units[-2] in PREFIXES and unit[:1].isdigit()):
            space = units.pop()
            units[-1] += space + unit
            continue
        if all(c in OPENING for c in unit):
            pending += unit
            continue
        if units and all(c in CLOSING for c in unit) and not pending:
            if units[-1].isspace() and len(units) > 1:  # "5 人 · 约": the mark stays on its line
                space = units.pop()
                units[-1] += space
            units[-1] += unit
            continue
        units.append(pending + unit)
        pending = ""
    if pending:
        if units:
            units[-1] += pending
        else:
            units.append(pending)
    return units


def visible_length(line: str) -> int:
    """How many characters of a line a reader sees as content (no spaces, no marks)."""
    return sum(1 for c in line if not c.isspace() and c not in OPENING + CLOSING)


def lone_character(line: str) -> bool:
    """A line that holds one Chinese character and nothing else worth reading."""
    content = [c for c in line if not c.isspace() and c not in OPENING + CLOSING]
    return len(content) == 1 and is_cjk(content[0])


Measure = Callable[[str], float]


def cells(text: str) -> float:
    """A width measure in character cells: a Chinese character 1, anything else ½."""
    return sum(1.0 if is_cjk(c) else 0.5 for c in text)


def _split_long(unit: str, width: float, measure: Measure) -> list[str]:
    """A unit wider than a whole line, cut by characters (nothing else can fit it)."""
    parts, current = [], ""
    for char in unit:
        if current and measure(current + char) > width:
            parts.append(current)
            current = ""
        current += char
    return parts + [current] if current else parts


def break_lines(text: str, width: float, measure: Measure = cells) -> list[str]:
    """`text` laid into lines no wider than `width`, broken only between units.

    Spaces at a break are dropped. A last line holding one character alone takes the last
    unit of the line before it with it.
    """
    if width <= 0:
        raise ValueError(f"line width must be positive, not {width}")
    lines: list[list[str]] = [[]]
    for unit in segment(text):
        pieces = _split_long(unit, width, measure) if measure(unit) > width else [unit]
        for piece in pieces:
            current = lines[-1]
            if current and measure("".join(current + [piece]).rstrip()) > width:
                before = lines[-2] if len(lines) > 1 else None
                if (before is not None and lone_character("".join(current))
                        and measure("".join(before + current).strip()) <= width):
                    before.extend(current)  # a lone character goes back up to the line before
                    current.clear()
                else:
                    lines.append([])
                current = lines[-1]
            if piece.isspace() and not current:
                continue
            current.append(piece)
    if len(lines) > 1 and lone_character("".join(lines[-1])):
        before = lines[-2]
        movable = [u for u in before if not u.isspace()]
        if len(movable) > 1:
            while before and before[-1].isspace():
                before.pop()
            lines[-1].insert(0, before.pop())
            while before and before[-1].isspace():
                before.pop()
    return ["".join(line).strip() for line in lines if "".join(line).strip()]


@dataclass(frozen=True)
class LineProblem:
    line: int  # 0-based
    what: str

    def __str__(self) -> str:
        return f"line {self.line + 1}: {self.what}"


def line_problems(lines: Sequence[str]) -> list[LineProblem]:
    """What breaks the rules in text already laid into `lines` (by a label, a strip, anyone).

    A line starting with a closing mark, a line ending with an opening mark, a line holding
    one Chinese character alone, and a break that splits a unit (a word, a number from its
    measure word) are each named.
    """
    problems: list[LineProblem] = []
    stripped = [line.strip() for line in lines]
    if len([s for s in stripped if s]) < 2:
        return problems
    for n, line in enumerate(stripped):
        if line and line[0] in CLOSING:
            problems.append(LineProblem(n, f"starts with the closing mark {line[0]!r}"))
        if line and line[-1] in OPENING:
            problems.append(LineProblem(n, f"ends with the opening mark {line[-1]!r}"))
        if lone_character(line):
            problems.append(LineProblem(n, f"holds {line!r} alone"))
    pieces = [lines[0]]
    for before, line in pairwise(lines):  # where a layout dropped the space between words
        dropped = before[-1:].isascii() and line[:1].isascii() and not (before[-1:] + line[:1]).isspace()
        pieces.append(" " + line if dropped and before[-1:] != " " and line[:1] != " " else line)
    offset, cuts = 0, []
    for piece in pieces[:-1]:
        offset += len(piece)
        cuts.append(offset)
    joined = "".join(pieces)
    bounds, at = set(), 0
    for unit in segment(joined):
        at += len(unit)
        bounds.add(at)
        if unit.isspace():
            bounds.add(at - len(unit))
    for n, cut in enumerate(cuts):
        if cut not in bounds and 0 < cut < len(joined):
            problems.append(LineProblem(n + 1, f"splits {joined[max(0, cut - 3):cut]!r}|{joined[cut:cut + 3]!r}"))
    return problems
