"""复印 / 打印: the free copy service at the document camera (高拍仪) and the A4 printer.

The citizen chooses an ID card (front, then back: both sides at true size on one A4 sheet) or a
document (one A4 page per capture), lays it under the camera, and the page is captured by
itself once it lies still (`kiosk.peripherals.document_camera`); a preview shows what was
captured, with 重拍 to take it again and 调整边角 to drag the newest capture's corners where the
camera found them wrong (`kiosk.widgets.corners`; its frame is kept in memory only, by the job);
手动拍摄 takes the newest frame when nothing is captured by itself, to set its corners by hand.
The copy is printed through CUPS like the guide's notice.
Nothing stays: the captures are sealed under a key of this copy alone
(`kiosk.models.terminal.copying`) and wiped once printed, and whenever the flow is left, the
citizen goes home, or the idle timeout wipes the session. Without a camera or a printer the flow
says so at once and offers a number for the window instead.
"""
from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from ground.paths import data_dir
from kiosk.context import Context
from kiosk.models.terminal.copying import CopyJob, CopyKind, Step
from kiosk.peripherals.document_camera import Snapped, snap_now
from kiosk.roles.terminal.page import FlowPage, message_view, set_icon
from kiosk.theme import Theme
from kiosk.widgets.common import Tile, button, label
from kiosk.widgets.corners import CornerEditor

log = logging.getLogger(__name__)

CAMERA, PRINTER = "document_camera", "a4_printer"
CHOOSE, CAPTURE, REVIEW, STATUS, CORNERS = range(5)


class CopyPage(FlowPage):
    open_flow = Signal(str)  # another flow of the terminal, e.g. a number for the window

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.directory = copies_directory(context)
        self.job: CopyJob | None = None
        self._print_name = ""
        self._snapped: Snapped | None = None  # a frame taken on the citizen's word, in the editor
        self._wired: set[int] = set()
        self.views = QStackedWidget(self)
        self.content.addWidget(self.views, 1)
        self.views.addWidget(self._build_choose())
        self.views.addWidget(self._build_capture())
        self.views.addWidget(self._build_review())
        self.views.addWidget(self._build_status())
        self.corners = CornerEditor(self.views)
        self.corners.accepted.connect(self.on_corners_accepted)
        self.corners.cancelled.connect(self.close_corners)
        self.views.addWidget(self.corners)

    # -- views

    def _build_choose(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.choose_hint = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=view)
        row = QHBoxLayout()
        self.id_tile = Tile("idcard", self.context.theme, view)
        self.id_tile.setObjectName("copyIdCard")
        self.id_tile.clicked.connect(lambda: self.start(CopyKind.ID_CARD))
        self.doc_tile = Tile("book", self.context.theme, view)
        self.doc_tile.setObjectName("copyDocument")
        self.doc_tile.clicked.connect(lambda: self.start(CopyKind.DOCUMENT))
        row.addWidget(self.id_tile)
        row.addWidget(self.doc_tile)
        layout.addWidget(self.choose_hint)
        layout.addLayout(row, 2)
        layout.addStretch(1)
        return view

    def _build_capture(self) -> QWidget:
        self.done_button = button("", "primary")
        self.done_button.setObjectName("copyDone")
        self.done_button.clicked.connect(self.on_done_button_clicked)
        self.snap_button = button("")
        self.snap_button.setObjectName("copySnap")
        self.snap_button.clicked.connect(self.on_snap_button_clicked)
        view, self.capture_panel = message_view(self.context.theme, self.snap_button, self.done_button)
        return view

    def _build_review(self) -> QWidget:
        view = QWidget()
        layout = QVBoxLayout(view)
        self.review_title = label("", "subtitle", align=Qt.AlignmentFlag.AlignCenter, parent=view)
        self.preview = QLabel(view)
        self.preview.setObjectName("copyPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        self.retake_button = button("", parent=view)
        self.retake_button.setObjectName("copyRetake")
        self.retake_button.clicked.connect(self.on_retake_button_clicked)
        self.corners_button = button("", parent=view)
        self.corners_button.setObjectName("copyCorners")
        self.corners_button.clicked.connect(self.on_corners_button_clicked)
        self.print_button = button("", "primary", parent=view)
        self.print_button.setObjectName("copyPrint")
        self.print_button.clicked.connect(self.on_print_button_clicked)
        row.addWidget(self.retake_button)
        row.addWidget(self.corners_button)
        row.addWidget(self.print_button)
        layout.addWidget(self.review_title)
        layout.addWidget(self.preview, 1)
        layout.addLayout(row)
        return view

    def _build_status(self) -> QWidget:
        self.window_button = button("", "primary")
        self.window_button.setObjectName("copyWindow")
        self.window_button.clicked.connect(lambda: self.open_flow.emit("ticket"))
        view, self.panel = message_view(self.context.theme, self.window_button)
        return view

    # -- the flow

    def enter(self) -> None:
        self.reset()
        if not self.ready_to_copy():
            return
        self.views.setCurrentIndex(CHOOSE)

    def ready_to_copy(self) -> bool:
        """False (and says why) when this terminal cannot copy now."""
        if not self.usable(CAMERA):
            self.say(self.tr("本机暂不能复印"), self.tr("高拍仪暂时不能使用。请取号到窗口，工作人员会为您复印。"),
                     "camera", window=True)
            return False
        if not self.usable(PRINTER):
            self.say(self.tr("本机暂不能打印"), self.tr("打印机暂时不能使用。请取号到窗口，工作人员会为您复印。"),
                     "printer", window=True)
            return False
        return True

    def start(self, kind: CopyKind) -> None:
        if not self.ready_to_copy():
            return
        self.reset()
        self.job = CopyJob(kind, self.directory)
        self._wire_camera()
        self.ask_next()

    def ask_next(self) -> None:
        """The capture prompt for what the job needs next, or the review when it has everything."""
        assert self.job is not None
        progress = self.job.progress()
        if progress.step is Step.READY:
            self._arm(False)
            self.show_review()
            return
        if progress.step is Step.FRONT:
            title, text = self.tr("请把身份证人像面朝上放在高拍仪下"), self.tr("放平后不要移动，稍等片刻会自动拍摄。")
        elif progress.step is Step.BACK:
            title, text = self.tr("请翻过来，把国徽面朝上放好"), self.tr("放平后不要移动，稍等片刻会自动拍摄。")
        else:
            title = self.tr("请把第 {n} 页放在高拍仪下").format(n=progress.pages + 1)
            text = self.tr("放平后不要移动，稍等片刻会自动拍摄。拍完所有页后点“拍好了”。")
        self.capture_panel.show_message(title, text, icon_name="camera", tone="info")
        self.done_button.setVisible(self.job.kind is CopyKind.DOCUMENT and progress.pages > 0)
        self.snap_button.setEnabled(True)
        self.views.setCurrentIndex(CAPTURE)
        self._arm(True)

    def _wire_camera(self) -> None:
        camera = self.context.devices.get(CAMERA)
        if camera is not None and id(camera) not in self._wired:
            self._wired.add(id(camera))
            camera.watched.connect(self.on_camera_watched)

    def _arm(self, on: bool) -> None:
        camera = self.context.devices.get(CAMERA)
        capture = getattr(camera, "capture", None)
        if capture is not None:
            capture.arm() if on else capture.disarm()

    @Slot(object)
    def on_camera_watched(self, captured: Any) -> None:
        if self.job is None or self.views.currentIndex() != CAPTURE:
            return
        if isinstance(captured, Snapped):  # 手动拍摄: the citizen sets the corners
            self._snapped = captured
            self.corners.edit(captured.image, captured.quad)
            self.views.setCurrentIndex(CORNERS)
            return
        try:
            self.job.add(captured.image, captured.quad)
        except ValueError as exc:  # an outline that cannot be a page: look again
            log.warning("capture not usable: %s", exc)
        self.ask_next()

    def show_review(self) -> None:
        assert self.job is not None
        sheets = self.job.sheets()
        self.review_title.setText(self.tr("请核对复印效果，共 %n 页", None, len(sheets)))
        px = self.context.theme.px
        self.preview.setPixmap(sheet_pixmap(sheets[-1], max(px(16), min(px(40), round(self.height() * 0.65)))))
        self.corners_button.setVisible(self.job.last is not None)
        self.views.setCurrentIndex(REVIEW)

    @Slot()
    def on_corners_button_clicked(self) -> None:
        if self.job is not None and self.job.last is not None:
            self.corners.edit(*self.job.last)
            self.views.setCurrentIndex(CORNERS)

    @Slot()
    def on_snap_button_clicked(self) -> None:
        if self.views.currentIndex() == CAPTURE:
            snap_now(self.context.devices, self.snap_button)

    @Slot(object)
    def on_corners_accepted(self, quad: Any) -> None:
        try:
            if self.job is not None and self._snapped is not None:
                self.job.add(self._snapped.image, quad)
            elif self.job is not None and self.job.last is not None:
                self.job.replace_last(self.job.last[0], quad)
        except ValueError as exc:  # corners that cannot be a page: the copy stays as it was
            log.warning("corners not used: %s", exc)
        self.close_corners()

    def close_corners(self) -> None:
        self._snapped = None
        self.corners.clear()
        if self.job is not None:
            self.ask_next()  # the review once the copy has everything, else the next capture

    @Slot()
    def on_done_button_clicked(self) -> None:
        if self.job is not None and self.job.pages:
            self.job.finish()
            self.ask_next()

    @Slot()
    def on_retake_button_clicked(self) -> None:
        if self.job is not None:
            self.job.drop_last()
            self.ask_next()

    # -- printing

    @Slot()
    def on_print_button_clicked(self) -> None:
        if self.job is None or self._print_name or not self.ready_to_copy():
            return
        try:
            pdf = self.job.pdf()
        finally:
            self.job.wipe()  # the PDF lives in memory until CUPS has it; nothing stays on disk
        worker = self.context.devices.get(PRINTER)
        if id(worker) not in self._wired:
            self._wired.add(id(worker))
            worker.action_finished.connect(self.on_a4_action_finished)
            worker.action_failed.connect(self.on_a4_action_failed)
        from kiosk.peripherals.a4 import print_pdf

        key = f"copy-{uuid.uuid4().hex[:12]}"
        self._print_name = f"print:{key}"
        self.say(self.tr("正在打印…"), self.tr("打印需要几秒钟，请在打印机出纸口等候。"), "printer", tone="info")
        worker.act(self._print_name, print_pdf(pdf, title=self.tr("复印件"), key=key))

    @Slot(str, object)
    def on_a4_action_finished(self, name: str, _result: object) -> None:
        if name != self._print_name:
            return
        self._print_name = ""
        self.say(self.tr("复印件已打印"), self.tr("请在打印机出纸口取走复印件，并带走您的证件和材料。"),
                 "check", tone="ok")

    @Slot(str, object)
    def on_a4_action_failed(self, name: str, exc: object) -> None:
        if name != self._print_name:
            return
        self._print_name = ""
        log.warning("copy not printed: %s", getattr(exc, "message", exc))
        self.say(self.tr("复印件没有打印出来"), self.tr("打印机暂时不能打印。请取号到窗口，工作人员会为您复印。"),
                 "printer", window=True)

    # -- shared

    def say(self, title: str, text: str, icon_name: str, *, tone: str = "warn", window: bool = False) -> None:
        """Shows one message; with `window` the copy cannot be made here: what was captured goes."""
        if window:
            self.reset()
        self._arm(False)
        self.panel.show_message(title, text, icon_name=icon_name, tone=tone)
        self.window_button.setVisible(window)
        self.views.setCurrentIndex(STATUS)

    def reset(self) -> None:
        self._arm(False)
        if self.job is not None:
            self.job.wipe()
        self.job = None
        self.preview.clear()
        self.corners.clear()
        self._snapped = None

    def back(self) -> bool:
        if self.views.currentIndex() == CORNERS and self.job is not None:
            self.close_corners()
            return True
        if self.views.currentIndex() in (CAPTURE, REVIEW) and self.usable(CAMERA):
            self.reset()
            self.views.setCurrentIndex(CHOOSE)
            return True
        return False

    def leave(self) -> None:
        self._print_name = ""  # a print under way still finishes; nobody waits for its answer
        self.reset()
        self.views.setCurrentIndex(CHOOSE)

    def retranslate_ui(self) -> None:
        super().retranslate_ui()
        self.choose_hint.setText(self.tr("免费复印，复印后不保留任何图像"))
        self.id_tile.set_text(self.tr("复印身份证"), self.tr("正反面印在同一张 A4 纸上"))
        self.doc_tile.set_text(self.tr("复印文件"), self.tr("每页印一张 A4 纸"))
        self.done_button.setText(self.tr("拍好了"))
        self.snap_button.setText(self.tr("手动拍摄"))
        self.retake_button.setText(self.tr("重拍"))
        self.corners_button.setText(self.tr("调整边角"))
        self.corners.retranslate_ui()
        self.print_button.setText(self.tr("打印"))
        self.window_button.setText(self.tr("取号到窗口办理"))
        if self.job is not None and self.views.currentIndex() == CAPTURE:
            self.ask_next()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        for tile in (self.id_tile, self.doc_tile):
            tile.apply_theme(theme)
        set_icon(self.print_button, "printer", theme, on_primary=True)
        set_icon(self.retake_button, "camera", theme)
        self.corners.apply_theme(theme)

    def _sample_review(self) -> None:
        """A document copy of one drawn sheet, ready to print (the sample screens; wiped on leaving)."""
        from kiosk.models.terminal.samples import drawn_page

        self.reset()
        self.job = CopyJob(CopyKind.DOCUMENT, self.directory)
        # a corner the camera found wrong: a finger lay on the page
        frame, quad, page = drawn_page(41, str(self.job.mode), corner=1, by=(-70, 90))
        self.job.add(frame, quad, cleaned=page)
        self.job.finish()
        self.show_review()

    def sample_screens(self) -> list[tuple[str, Any]]:
        return [("choose", lambda: self.views.setCurrentIndex(CHOOSE)),
                ("review", self._sample_review),
                ("corners", lambda: (self._sample_review(), self.on_corners_button_clicked())),
                ("no-camera", lambda: self.say(self.tr("本机暂不能复印"),
                                               self.tr("高拍仪暂时不能使用。请取号到窗口，工作人员会为您复印。"),
                                               "camera", window=True))]

    def shutdown(self) -> None:
        self.reset()


def sheet_pixmap(image: Any, height: int) -> QPixmap:
    """A page (grey or BGR) scaled to `height` pixels for the preview, its paper's edge drawn."""
    import cv2

    rgb = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB if image.ndim == 2 else cv2.COLOR_BGR2RGB)
    edge = max(2, rgb.shape[0] // 300)
    rgb = cv2.copyMakeBorder(rgb, edge, edge, edge, edge, cv2.BORDER_CONSTANT, value=(150, 150, 150))
    h, w = rgb.shape[:2]
    picture = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(picture).scaledToHeight(height, Qt.TransformationMode.SmoothTransformation)


def copies_directory(context: Context) -> Path:
    """Where a copy's sealed captures lie while it is made (the kiosk's `data_dir`)."""
    return data_dir(context.settings.device_settings.get("kiosk", {}).get("data_dir")) / "copies"
