"""What the self-service application (自助申报) and the 补正 flows share: the materials checklist,
capturing each material with the document camera (retake, move a page earlier, remove a page),
the review, the applicant's signature on the touch screen, sending the pages to the hall, and
the receipt (printed, or its QR on the screen when the printer cannot print).

The pages live in an `Application` (`kiosk.models.terminal.application`): cleaned, sealed under
a key of this application alone, wiped when the flow ends, is left, or the terminal goes home.
Sending is a chain: the PDFs are made on the job pool, then the subclass's `submit` opens or
finds the case, then each material's PDF is uploaded (`HallClient.upload_case_pages`) one after
the other; a failure says so and 重试 sends what is left. Without a camera the flow says so at
once and offers a number for the window.
After a capture, 调整边角 opens `CornerEditor` on the frame and outline the newest page was
cleaned from (`Application.last`, in memory only): the citizen drags the corners the camera
found wrong, and 确定 cleans that page again from them (`Application.replace`). When a page is
never captured by itself (a dark desk), 手动拍摄 takes the newest frame now, with the finder's
guess at its corners (or a rectangle inside the frame), and the same editor adds it as a page.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from ground.paths import data_dir
from kiosk.context import Context
from kiosk.models.clock import hall_now
from kiosk.models.dispenser import phone_link
from kiosk.models.terminal.application import Application
from kiosk.peripherals.document_camera import Snapped, snap_now
from kiosk.roles.terminal.copy import sheet_pixmap
from kiosk.roles.terminal.page import FlowPage, MessagePanel, message_view, set_icon
from kiosk.roles.terminal.selfservice_widgets import (
    MaterialList,
    PageStrip,
    SignaturePad,
    button_row,
)
from kiosk.roles.terminal.widgets import ScanPrompt
from kiosk.theme import Theme
from kiosk.widgets.common import button, label, scrolling
from kiosk.widgets.corners import CornerEditor

log = logging.getLogger(__name__)

CAMERA, PRINTER = "document_camera", "a4_printer"
PROMPT, STATUS, BUSY, CHOOSE, CHECKLIST, CAPTURE, SIGN, DONE, CORNERS = range(9)


class CaptureCounts(QObject):
    """The capture flows' counted words (`%n`), in a class of their own: PySide6's `tr` on a subclass
    tries the subclass's context first, and takes its untranslated text with the count put in
    for a translation."""

    def captured(self, n: int) -> str:
        return self.tr("已拍 %n 页", None, n)

    def pages(self, n: int) -> str:
        return self.tr("%n 页", None, n)


class CaptureFlow(FlowPage):
    """A flow that captures materials into an `Application` and sends them to a case."""

    open_flow = Signal(str)  # a number for the window, when this terminal cannot take the materials
    wants_cards = True
    supplement = False  # the receipt's kind

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.app: Application | None = None
        self.material = ""  # the material being captured
        self.case: dict[str, Any] | None = None
        self._uploads: list[tuple[str, bytes]] = []
        self._made = False  # the PDFs are made: a retry sends what is left of `_uploads`
        self._asked = 0  # each request's number: an answer to an older one is dropped
        self._print_name = ""
        self._url = ""  # the receipt's follow address, for its QR when printing fails
        self._armed = False
        self._snapped: Snapped | None = None  # a frame taken on the citizen's word, in the editor
        self._wired: set[int] = set()
        self.views = QStackedWidget(self)
        self.content.addWidget(self.views, 1)
        self.prompt = ScanPrompt(context.theme, self.views)
        self.views.addWidget(self.prompt)
        self.window_button = button("", "primary")
        self.window_button.setObjectName("applyWindow")
        self.window_button.clicked.connect(lambda: self.open_flow.emit("ticket"))
        self.retry_button = button("")
        self.retry_button.setObjectName("applyRetry")
        self.retry_button.clicked.connect(self.send)
        view, self.panel = message_view(context.theme, self.retry_button, self.window_button)
        self.views.addWidget(view)
        self.busy = MessagePanel(context.theme, self.views)
        self.views.addWidget(self.busy)
        self.views.addWidget(self._build_choose())
        self.views.addWidget(self._build_checklist())
        self.views.addWidget(self._build_capture())
        self.views.addWidget(self._build_sign())
        self.views.addWidget(self._build_done())
        self.corners = CornerEditor(self.views)
        self.corners.accepted.connect(self.on_corners_accepted)
        self.corners.cancelled.connect(self.close_corners)
        self.views.addWidget(self.corners)

    # -- views

    def _build_choose(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.choose_title = label("", "subtitle", parent=view)
        self.choose_box = QWidget()
        self.choose_rows = QVBoxLayout(self.choose_box)
        layout.addWidget(self.choose_title)
        layout.addWidget(scrolling(self.choose_box), 1)
        return view

    def _build_checklist(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.checklist_title = label("", "subtitle", parent=view)
        self.checklist = MaterialList()
        self.checklist_note = label("", "muted", parent=view)
        self.review_button = button("", "primary", parent=view)
        self.review_button.setObjectName("applyReview")
        self.review_button.clicked.connect(self.show_sign)
        layout.addWidget(self.checklist_title)
        layout.addWidget(scrolling(self.checklist), 1)
        layout.addLayout(button_row(self.review_button, lead=self.checklist_note))
        return view

    def _build_capture(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.capture_panel = MessagePanel(self.context.theme, view)
        self.strip = PageStrip()
        self.retake_button = button("", parent=view)
        self.retake_button.setObjectName("applyRetake")
        self.retake_button.clicked.connect(self.on_retake_button_clicked)
        self.corners_button = button("", parent=view)
        self.corners_button.setObjectName("applyCorners")
        self.corners_button.clicked.connect(self.on_corners_button_clicked)
        self.material_done = button("", "primary", parent=view)
        self.material_done.setObjectName("applyMaterialDone")
        self.material_done.clicked.connect(self.show_checklist)
        self.snap_note = label("", "muted", parent=view)
        self.snap_button = button("", parent=view)
        self.snap_button.setObjectName("applySnap")
        self.snap_button.clicked.connect(self.on_snap_button_clicked)
        layout.addWidget(self.capture_panel, 1)
        layout.addLayout(button_row(self.snap_button, lead=self.snap_note))
        layout.addWidget(scrolling(self.strip), 1)
        layout.addLayout(button_row(self.retake_button, self.corners_button, self.material_done))
        return view

    def _build_sign(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.sign_title = label("", "subtitle", parent=view)
        self.summary = label("", parent=view)  # body size: it is read before signing
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.pad = SignaturePad(view)
        self.pad.changed.connect(self._signature_changed)
        self.clear_button = button("", parent=view)
        self.clear_button.setObjectName("applyClearSignature")
        self.clear_button.clicked.connect(self.pad.clear)
        self.submit_button = button("", "primary", parent=view)
        self.submit_button.setObjectName("applySubmit")
        self.submit_button.clicked.connect(self.on_submit_button_clicked)
        for widget, stretch in ((self.sign_title, 0), (self.summary, 0), (self.pad, 1)):
            layout.addWidget(widget, stretch)
        layout.addLayout(button_row(self.clear_button, self.submit_button))
        return view

    def _build_done(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.done_panel = MessagePanel(self.context.theme, view)
        self.qr = QLabel(view)
        self.qr.setObjectName("applyQr")
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.finish_button = button("", "primary", parent=view)
        self.finish_button.setObjectName("applyFinish")
        self.finish_button.clicked.connect(self.finished)
        layout.addWidget(self.done_panel, 1)
        layout.addWidget(self.qr)
        layout.addLayout(button_row(self.finish_button))
        return view

    # -- what a subclass gives

    def first_step(self) -> None:
        """The flow's first view once the terminal can take materials."""

    def submit(self) -> None:
        """Opens or finds the case (`self.case`), then calls `upload_next()`."""

    def after_uploads(self) -> None:
        """Everything uploaded: the subclass's last word to the hall, then `sent()`."""
        self.sent()

    # -- the flow

    def enter(self) -> None:
        self.reset()
        if self.ready():
            self.first_step()

    def ready(self) -> bool:
        """False (and says why, offering the window) when this terminal cannot capture now."""
        if not self.usable(CAMERA):
            self.say(self.tr("本机暂不能拍摄材料"),
                     self.tr("高拍仪暂时不能使用。请取号到窗口，工作人员会为您办理。"), "camera", window=True)
            return False
        return True

    def say(self, title: str, text: str, icon_name: str = "alert", *, window: bool = False,
            retry: bool = False, tone: str = "warn") -> None:
        self._arm(False)
        self.panel.show_message(title, text, icon_name=icon_name, tone=tone)
        self.window_button.setVisible(window)
        self.retry_button.setVisible(retry)
        self.views.setCurrentIndex(STATUS)

    def working(self, title: str, icon_name: str = "search") -> int:
        self._asked += 1
        self.busy.show_message(title, self.tr("请稍候"), icon_name=icon_name, tone="info")
        self.views.setCurrentIndex(BUSY)
        return self._asked

    def start_application(self, guide: dict[str, Any]) -> None:
        if self.app is not None:
            self.app.wipe()
        try:
            self.app = Application(guide, applications_directory(self.context))
        except ValueError as exc:
            log.warning("application not started: %s", exc)
            self.say(self.tr("这个事项暂不能自助申报"), self.tr("请取号到窗口办理。"), window=True)
            return
        self._wire_camera()
        self.show_checklist()

    def show_checklist(self) -> None:
        assert self.app is not None
        self._arm(False)
        self.app.forget()  # the frame is kept only while its material is being captured
        items = []
        for m in self.app.materials:
            n = self.app.pages(m.name)
            items.append({"name": m.name, "shown": m.shown(self.context.language), "done": n > 0,
                          "need": self.tr("必交") if m.required else self.tr("有则提交"),
                          "state": CaptureCounts().captured(n) if n else self.tr("未拍"),
                          "action": self.tr("重新查看") if n else self.tr("拍摄")})
        self.checklist.show_materials(items, self.context.theme, self.capture)
        missing = [m.shown(self.context.language) for m in self.app.missing()]
        joint = "; " if self.context.language == "en" else "、"
        self.checklist_note.setText(self.tr("还缺：{names}。缺少的材料可以先提交，窗口会一次告知需要补正的全部材料。")
                                    .format(names=joint.join(missing)) if missing else self.tr("必交材料已齐。"))
        self.review_button.setEnabled(any(self.app.pages(m.name) for m in self.app.materials))
        self.views.setCurrentIndex(CHECKLIST)

    def capture(self, material: str) -> None:
        if not self.ready():
            return
        self.material = material
        self.show_capture()

    def show_capture(self) -> None:
        assert self.app is not None
        n = self.app.pages(self.material)
        self.capture_panel.show_message(
            self.tr("请把「{name}」第 {n} 页放在高拍仪下").format(name=self.app.shown(self.material, self.context.language),
                                                          n=n + 1),
            self.tr("放平后不要移动，稍等片刻会自动拍摄。拍完这份材料的所有页后点“这份拍好了”。"),
            icon_name="camera", tone="info")
        px = self.context.theme.px
        height = max(px(6), min(px(12), round(self.height() * 0.22)))
        self.strip.show_pages([sheet_pixmap(i, height) for i in self.app.images(self.material)], self.context.theme,
                              earlier=self.on_page_earlier, remove=self.on_page_remove,
                              words=(self.tr("第 {n} 页"), self.tr("前移"), self.tr("删除")))
        self.retake_button.setVisible(n > 0)
        self.corners_button.setVisible(self.app.kept(self.material) is not None)
        self.snap_button.setEnabled(True)
        self.views.setCurrentIndex(CAPTURE)
        self._arm(True)

    def on_page_earlier(self, page: int) -> None:
        if self.app is not None:
            self.app.move(self.material, page, page - 1)
            self.show_capture()

    def on_page_remove(self, page: int) -> None:
        if self.app is not None:
            self.app.delete(self.material, page)
            self.show_capture()

    @Slot()
    def on_retake_button_clicked(self) -> None:
        if self.app is not None:
            self.app.retake(self.material)
            self.show_capture()

    @Slot()
    def on_corners_button_clicked(self) -> None:
        kept = self.app.kept(self.material) if self.app is not None else None
        if kept is None:
            return
        self._arm(False)  # nothing is captured while the corners are dragged
        self.corners.edit(kept.image, kept.quad)
        self.views.setCurrentIndex(CORNERS)

    @Slot()
    def on_snap_button_clicked(self) -> None:
        if self.views.currentIndex() == CAPTURE and snap_now(self.context.devices, self.snap_button):
            self._armed = True

    @Slot(object)
    def on_corners_accepted(self, quad: Any) -> None:
        kept = self.app.kept(self.material) if self.app is not None else None
        try:
            if self._snapped is not None and self.app is not None:
                self.app.add(self.material, self._snapped.image, quad)
            elif kept is not None:
                self.app.replace(kept.material, kept.page, kept.image, quad)
        except ValueError as exc:  # corners that cannot be a page, or too many pages: nothing changes
            log.warning("corners not used: %s", exc)
        self.close_corners()

    def close_corners(self) -> None:
        self._snapped = None
        self.corners.clear()
        if self.app is not None and self.material:
            self.show_capture()

    def _wire_camera(self) -> None:
        camera = self.context.devices.get(CAMERA)
        if camera is not None and id(camera) not in self._wired:
            self._wired.add(id(camera))
            camera.watched.connect(self.on_camera_watched)

    def _arm(self, on: bool) -> None:
        """Arms the camera's auto-capture, or disarms it if this flow armed it (another flow's
        capture, the copy service's, is left alone)."""
        capture = getattr(self.context.devices.get(CAMERA), "capture", None)
        if capture is None or (not on and not self._armed):
            return
        self._armed = on
        capture.arm() if on else capture.disarm()

    @Slot(object)
    def on_camera_watched(self, captured: Any) -> None:
        if self.app is None or self.views.currentIndex() != CAPTURE or not self.material:
            return
        if isinstance(captured, Snapped):  # 手动拍摄: the citizen sets the corners
            self._snapped = captured
            self.corners.edit(captured.image, captured.quad)
            self.views.setCurrentIndex(CORNERS)
            return
        try:
            self.app.add(self.material, captured.image, captured.quad)
        except ValueError as exc:  # an outline that cannot be a page, or too many pages
            log.warning("capture not usable: %s", exc)
        self.show_capture()

    def show_sign(self) -> None:
        assert self.app is not None
        self._arm(False)
        colon = ": " if self.context.language == "en" else "："
        lines = [m.shown(self.context.language) + colon + (CaptureCounts().pages(self.app.pages(m.name))
                                                          if self.app.pages(m.name) else self.tr("未提供"))
                 for m in self.app.materials]
        self.summary.setText("\n".join(lines))
        self.pad.clear()
        self.views.setCurrentIndex(SIGN)

    def _signature_changed(self) -> None:
        self.submit_button.setEnabled(not self.pad.empty())

    # -- sending

    @Slot()
    def on_submit_button_clicked(self) -> None:
        if self.app is None or self.pad.empty():
            return
        try:
            self.app.sign(self.pad.png())
        except ValueError:
            self.pad.clear()
            return
        self._uploads, self._made = [], False
        self.send()

    def send(self) -> None:
        """Makes the PDFs (once), then the case, then each upload: resumed where it failed."""
        if self.app is None:
            return
        asked = self.working(self.tr("正在提交材料…"), "check")
        if not self._made:
            self.context.jobs.submit("apply.pdfs", self.app.uploads,
                                     done=lambda uploads: self._pdfs_made(asked, uploads),
                                     failed=lambda exc: self.failed(asked, exc))
            return
        self.upload_next() if self.case is not None else self.submit()

    def _pdfs_made(self, asked: int, uploads: list[tuple[str, bytes]]) -> None:
        if asked != self._asked:
            return
        self._uploads, self._made = list(uploads), True
        self.upload_next() if self.case is not None else self.submit()

    def upload_next(self) -> None:
        assert self.case is not None
        if not self._uploads:
            self.after_uploads()
            return
        material, pdf = self._uploads[0]
        asked = self._asked
        self.context.link.call("upload_case_pages", self.case["number"], material, pdf,
                               done=lambda _answer: self._uploaded(asked), failed=lambda exc: self.failed(asked, exc))

    def _uploaded(self, asked: int) -> None:
        if asked != self._asked or not self._uploads:
            return
        self._uploads.pop(0)
        self.upload_next()

    def failed(self, asked: int, exc: BaseException) -> None:
        if asked != self._asked:
            return
        title, text = self.hall_failure(exc)
        log.warning("materials not sent: %s", type(exc).__name__)
        self.say(title, text, window=True, retry=True)

    def sent(self) -> None:
        """The case has every page: the receipt, printed or its QR on the screen."""
        assert self.app is not None and self.case is not None
        pages = [(m.name, self.app.pages(m.name)) for m in self.app.materials]
        signed = self.app.signed
        self.app.wipe()  # the hall has them now: nothing stays on this terminal
        hall = dict(self.context.hall)
        root = str(hall.get("public_url") or self.context.settings.hall_url).rstrip("/")
        # the receipt is in the screen's language, and so is the page its QR opens
        url = phone_link(root + str(self.case.get("follow_path", "")), self.context.language)
        number = str(self.case.get("number", ""))
        self.done_panel.show_message(
            self.tr("已提交，办件号 {number}").format(number=number),
            self.tr("窗口审核后会出具受理通知书或补正材料通知书，可在“进度查询”中刷身份证查看。"),
            icon_name="check", tone="ok")
        self.qr.clear()
        self.views.setCurrentIndex(DONE)
        if not (self.context.devices.get(PRINTER) and self.usable(PRINTER)):
            self.show_qr(url)
            return
        from hall.notices.receipt import receipt_pdf

        name = self._print_name = f"print:receipt-{number}-{uuid.uuid4().hex[:8]}"
        self.context.jobs.submit("receipt.pdf", receipt_pdf, dict(self.case), str(hall.get("name", "")), url, pages,
                                 submitted_at=hall_now(hall), signed=signed, supplement=self.supplement,
                                 lang=self.context.language, done=lambda pdf: self._print(name, pdf, url),
                                 failed=lambda exc: self._print_failed(name, url, exc))

    def _print(self, name: str, pdf: bytes, url: str) -> None:
        if name != self._print_name:
            return
        from kiosk.peripherals.a4 import print_pdf

        worker = self.context.devices.get(PRINTER)
        if id(worker) not in self._wired:
            self._wired.add(id(worker))
            worker.action_finished.connect(self.on_a4_action_finished)
            worker.action_failed.connect(lambda n, exc: self._print_failed(n, self._url, exc))
        self._url = url
        self.done_panel.text.setText(self.tr("正在打印回执…请在打印机出纸口等候。"))
        worker.act(name, print_pdf(pdf, title=self.tr("自助申报回执"), key=name.removeprefix("print:")))

    @Slot(str, object)
    def on_a4_action_finished(self, name: str, _result: object) -> None:
        if name == self._print_name:
            self._print_name = ""
            self.done_panel.text.setText(self.tr("请取走回执。窗口审核后会出具受理通知书或补正材料通知书。"))

    def _print_failed(self, name: str, url: str, exc: object) -> None:
        if name != self._print_name:
            return
        self._print_name = ""
        log.warning("receipt not printed: %s", getattr(exc, "message", type(exc).__name__))
        self.show_qr(url)

    def show_qr(self, url: str) -> None:
        from kiosk.roles.dispenser.ticket import qr_pixmap

        self.done_panel.text.setText(self.tr("本机暂不能打印回执。请用手机扫描下方二维码，保存办件进度页。"))
        self.qr.setPixmap(qr_pixmap(url, self.context.theme.px(12)))

    # -- shared

    def reset(self) -> None:
        self._arm(False)
        self._asked += 1
        if self.app is not None:
            self.app.wipe()
        self.app, self.case, self.material, self._uploads, self._made = None, None, "", [], False
        self.corners.clear()
        self._snapped = None
        self.pad.clear()
        self.qr.clear()

    def back(self) -> bool:
        index = self.views.currentIndex()
        if index == CAPTURE:
            self.show_checklist()
            return True
        if index == CORNERS:
            self.close_corners()
            return True
        if index == SIGN:
            self.show_checklist()
            return True
        return False

    def leave(self) -> None:
        self._print_name = ""
        self.reset()
        self.views.setCurrentIndex(PROMPT)

    def shutdown(self) -> None:
        self.reset()

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.window_button.setText(self.tr("取号到窗口办理"))
        self.retry_button.setText(self.tr("重试"))
        self.review_button.setText(self.tr("核对并签名"))
        self.retake_button.setText(self.tr("重拍最后一页"))
        self.corners_button.setText(self.tr("调整边角"))
        self.snap_note.setText(self.tr("一直没有自动拍摄？可以手动拍摄，再拖动四个角。"))
        self.snap_button.setText(self.tr("手动拍摄"))
        self.corners.retranslate_ui()
        self.material_done.setText(self.tr("这份拍好了"))
        self.sign_title.setText(self.tr("请核对材料，在下方白色区域用手指签名"))
        self.clear_button.setText(self.tr("重新签名"))
        self.submit_button.setText(self.tr("确认提交"))
        self.finish_button.setText(self.tr("完成"))
        if self.app is not None and self.views.currentIndex() == CHECKLIST:
            self.show_checklist()
        elif self.app is not None and self.views.currentIndex() == CAPTURE:
            self.show_capture()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.prompt.apply_theme(theme)
        self.pad.setMinimumHeight(theme.px(8))
        set_icon(self.submit_button, "check", theme, on_primary=True)
        set_icon(self.retake_button, "camera", theme)
        self.corners.apply_theme(theme)


def applications_directory(context: Context):
    """Where an application's sealed pages lie while it is put together (the kiosk's `data_dir`)."""
    return data_dir(context.settings.device_settings.get("kiosk", {}).get("data_dir")) / "applications"
