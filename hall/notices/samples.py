"""Sample case notices with plausible data, for `make screenshots`, the benchmark and the tests.

The applicant is made up and masked as the case store would keep them; the due date comes from
the real working-day calendar, so a sample accepted in late December of the last year the
calendar package knows shows a provisional date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from hall.notices.model import (
    Acceptance,
    CaseNotice,
    Completion,
    Correction,
    Delivery,
    HallInfo,
    Material,
    Matter,
    NoticeCase,
    Party,
    Refusal,
)
from sync.workdays import WorkCalendar

HALL = HallInfo(name="嘉祥县政务服务中心（示例）", agency="嘉祥县行政审批服务局",
                phone="0537-6856123", address="嘉祥县呈祥大道政务服务中心一楼",
                hours="周一至周五 9:00–12:00，13:30–17:30", complaint_phone="12345")
MATTER = Matter(name="食品经营许可（新办）", code="11370829MB2856201R4370117001",
                department="嘉祥县市场监督管理局", legal_days=20, promised_days=10,
                basis="《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》",
                fee="不收费")
RECEIVED = [
    Material("食品经营许可申请书", "原件", 1),
    Material("营业执照", "电子证照", 1),
    Material("法定代表人（负责人）身份证件", "复印件", 1),
    Material("与食品经营相适应的主要设备设施布局、操作流程等文件", "原件", 1),
    Material("食品安全自查、从业人员健康管理、进货查验记录等保证食品安全的规章制度", "原件", 1),
]
MISSING = (
    Material("经营场所平面布局图", standard="标明各功能区位置和面积，申请人签字或盖章，A4 纸",
             note="未提交"),
    Material("食品安全管理人员任命书及培训合格证明", standard="加盖公章；证明在有效期内",
             note="培训证明已过期"),
    Material("委托代理人办理的授权委托书", standard="载明委托事项和期限，委托人签字",
             note="由代办人提交，未附委托书"),
)


def sample_case(number: str, issued: dt.datetime, follow: str) -> NoticeCase:
    applicant = Party.person("王小明", "37082919850312641X", "13812345678",
                             agent_name="李红", agent_id="370829199002281221")
    return NoticeCase(number=number, case_number="0808162612070015", hall=HALL,
                      applicant=applicant, matter=MATTER, received=issued.date(), issued=issued,
                      staff="张丽（工号 A0312）", staff_phone="0537-6856101", window="综合受理 3 号窗口",
                      follow_url=f"https://zwfw.example.gov.cn/case/0808162612070015?sig={follow}")


def sample_notices(calendar: WorkCalendar | None = None) -> dict[str, CaseNotice]:
    """One notice of each kind, keyed by the file name it is rendered to."""
    calendar = calendar or WorkCalendar()
    last_known = max(y for y in range(2020, 2100) if calendar.source(dt.date(y, 6, 1)) != "statutory")
    issued = dt.datetime(last_known, 12, 21, 10, 25)
    accepted = Acceptance(
        case=sample_case(f"嘉政服受字〔{issued.year}〕第 0015 号", issued, "a1b2c3d4"),
        accepted=issued.date(), materials=tuple(RECEIVED),
        due=calendar.due_date(issued.date(), MATTER.promised_days or 0),
        delivery=Delivery("pickup", place="一楼出件窗口（12 号）", when="办结后凭短信通知领取"),
    )
    correction = Correction(
        case=sample_case(f"嘉政服补字〔{issued.year}〕第 0007 号", issued, "e5f6a7b8"),
        missing=MISSING, deadline=calendar.due_date(issued.date(), 5).day,
        reason="申请材料不齐全，部分材料不符合法定形式", received=tuple(RECEIVED[:3]),
    )
    refusal = Refusal(
        case=sample_case(f"嘉政服不受字〔{issued.year}〕第 0002 号", issued, "c9d0e1f2"),
        reason="申请事项为小餐饮经营登记，不属于食品经营许可范围，不属于本机关职权范围。",
        apply_to="嘉祥县市场监督管理局所在地乡镇（街道）市场监管所（小餐饮登记）",
        basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
    )
    done = dt.datetime.combine(accepted.due.day, dt.time(15, 40))
    completion = Completion(
        case=replace(sample_case(f"嘉政服结字〔{done.year}〕第 0011 号", issued, "a3b4c5d6"), issued=done),
        completed=accepted.due.day, approved=True,
        result="准予许可，核发《食品经营许可证》（许可证编号 JY13708290012345）",
        delivery=Delivery("post", address="山东省济宁市嘉祥县呈祥大道 ** 号（王*收）",
                          tracking="1190 5521 8830 4"),
    )
    return {"acceptance": accepted, "correction": correction, "refusal": refusal,
            "completion": completion}
