// The operators' console (运营控制台): the hall's own notices, the board's layout and ticker,
// the windows' LED idle texts and schedule, the urgent broadcast, a live preview and the audit.
//
// Operators sign in here or at the staff console (staff.html, which sends them here): one
// session for the tab, through the shared sign-in piece (login.js).
// The server checks every change (empty or long texts, ID numbers, expiry before start) and
// its refusal is shown in its own words; the preview follows the form as it is typed.
import { $, api, el } from "./app.js";
import { StaffLogin } from "./login.js";

const SESSION_KEY = "yiciban.staff.session"; // the staff console's sign-in
const KIND = { notice: "通知公告", policy: "政策解读" };
const ACTION = {
  "notice.saved": "保存公告", "notice.deleted": "删除公告", "board.saved": "屏幕设置",
  "broadcast.sent": "紧急广播", "counter.ticket": "窗口取号", "refusal.handled": "拒收离线号票已处理",
};

const op = { session: null, hall: null, notices: [], board: null, broadcast: null };

async function start() {
  op.login = new StaffLogin({
    key: SESSION_KEY,
    title: "运营登录",
    titleEn: "Operator sign-in",
    onEnter: (session) => {
      op.session = session;
      return enter();
    },
    onLeave: () => {
      op.session = null;
      for (const id of ["#refused-view", "#console-view"]) $(id).hidden = true;
    },
  });
  $("#notice-form").addEventListener("submit", onSaveNotice);
  $("#board-form").addEventListener("submit", onSaveBoard);
  $("#board-form").addEventListener("input", preview);
  $("#broadcast-form").addEventListener("submit", onBroadcast);
  $("#broadcast-form").addEventListener("input", preview);
  $("#broadcast-end").addEventListener("click", onEndBroadcast);
  await op.login.resume();
}

function show(view) {
  for (const id of ["#refused-view", "#console-view"]) $(id).hidden = id !== view;
  $("#session-bar").hidden = false;
}

async function enter() {
  const staff = op.session.staff;
  if (staff.role !== "operator") {
    show("#refused-view");
    $("#refused-text").textContent = `${staff.name || staff.id} 不是运营人员，不能使用运营控制台（only the hall's operators）`;
    return;
  }
  op.hall = await call("/hall");
  $("#hall-name").textContent = op.hall.name || "";
  show("#console-view");
  await reload();
}

function call(path, options = {}) {
  return api(path, { ...options, token: op.session.token });
}

async function reload() {
  const [notices, board, audit] = await Promise.all([
    call("/operators/notices"), call("/board"), call("/operators/audit"),
  ]);
  op.notices = notices.notices;
  op.board = board;
  op.broadcast = board.broadcast;
  renderNotices();
  fillBoard(board);
  renderAudit(audit.changes);
  preview();
}

function say(text, bad = false) {
  const m = $("#message");
  m.hidden = false;
  m.textContent = text;
  m.dataset.kind = bad ? "error" : "ok";
}

async function act(fn, done) {
  try {
    await fn();
    say(done);
    await reload();
  } catch (err) {
    say(err.message, true);
  }
}

// -- notices

function renderNotices() {
  const list = $("#notice-list");
  list.replaceChildren(...op.notices.map((n) => el("li", { dataset: { notice: n.id } },
    el("span", {}, el("span", { class: "kind" }, KIND[n.kind] || n.kind), el("b", {}, n.title), " ",
      el("span", { class: "days" }, `${n.start || "即日"} 至 ${n.expiry || "长期"}`)),
    el("span", {},
      el("button", { type: "button", class: "btn btn-secondary btn-small", onclick: () => editNotice(n) }, "修改"),
      el("button", { type: "button", class: "btn btn-danger btn-small", onclick: () => deleteNotice(n) }, "删除")))));
  if (!op.notices.length) list.replaceChildren(el("li", {}, "还没有本厅发布的公告"));
}

function editNotice(n) {
  $("#notice-id").value = n.id;
  $("#notice-kind").value = n.kind;
  $("#notice-title").value = n.title;
  $("#notice-body").value = n.body;
  $("#notice-title-en").value = n.title_en || "";
  $("#notice-body-en").value = n.body_en || "";
  $("#notice-start").value = n.start || "";
  $("#notice-expiry").value = n.expiry || "";
}

function onSaveNotice(ev) {
  ev.preventDefault();
  const id = $("#notice-id").value.trim();
  const body = {
    kind: $("#notice-kind").value, title: $("#notice-title").value, body: $("#notice-body").value,
    title_en: $("#notice-title-en").value, body_en: $("#notice-body-en").value,
    start: $("#notice-start").value || null, expiry: $("#notice-expiry").value || null,
  };
  act(() => call(`/operators/notices/${encodeURIComponent(id)}`, { method: "PUT", body }), `公告 ${id} 已保存`);
}

function deleteNotice(n) {
  act(() => call(`/operators/notices/${encodeURIComponent(n.id)}`, { method: "DELETE" }), `公告 ${n.id} 已删除`);
}

// -- the board and the LEDs

function fillBoard(board) {
  $("#board-layout").value = board.layout;
  $("#board-tickers").value = board.tickers.join("\n");
  const english = board.tickers_en || [];
  $("#board-tickers-en").value = english.some((t) => t) ? english.join("\n") : "";
  $("#led-brightness").value = board.led_brightness;
  $("#led-on").value = board.led_on || "";
  $("#led-off").value = board.led_off || "";
  $("#led-idle").replaceChildren(...(op.hall.windows || []).map((w) => el("label", {},
    w.name || w.id, el("input", { dataset: { window: w.id }, value: board.led_idle[w.id] || "", placeholder: "默认" }))));
}

function boardDraft() {
  const idle = {};
  for (const input of document.querySelectorAll("#led-idle input")) {
    if (input.value.trim()) idle[input.dataset.window] = input.value;
  }
  // the English goes line by line with the Chinese; blank pairs are dropped, and English with no
  // Chinese line is sent as it is, so the hall refuses it by name rather than it being lost
  const chinese = $("#board-tickers").value.split("\n");
  const english = $("#board-tickers-en").value.split("\n");
  const rows = Math.max(chinese.length, english.length);
  const kept = Array.from({ length: rows }, (_, i) => [chinese[i] || "", english[i] || ""])
    .filter(([zh, en]) => zh.trim() || en.trim());
  return {
    layout: $("#board-layout").value,
    tickers: kept.map(([zh]) => zh),
    tickers_en: kept.map(([, en]) => en),
    led_idle: idle,
    led_brightness: Number($("#led-brightness").value),
    led_on: $("#led-on").value || null,
    led_off: $("#led-off").value || null,
  };
}

function onSaveBoard(ev) {
  ev.preventDefault();
  act(() => call("/operators/board", { method: "PUT", body: boardDraft() }), "屏幕设置已保存");
}

// -- the urgent broadcast

function onBroadcast(ev) {
  ev.preventDefault();
  const body = {
    text: $("#broadcast-text").value, text_en: $("#broadcast-text-en").value,
    minutes: Number($("#broadcast-minutes").value),
  };
  act(() => call("/operators/broadcast", { method: "POST", body }), "紧急广播已发送到各屏");
}

function onEndBroadcast() {
  act(() => call("/operators/broadcast", { method: "DELETE" }), "紧急广播已结束");
}

// -- the preview: the form as typed, with today's notices

function preview() {
  const draft = boardDraft();
  $("#preview").dataset.layout = draft.layout;
  $("#preview-ticker").textContent = draft.tickers.join("　　");
  const today = (op.board && op.board.notices) || [];
  $("#preview-notices").replaceChildren(...today.map((n) => el("li", {}, el("small", {}, KIND[n.kind]), n.title)));
  const typed = $("#broadcast-text").value.trim();
  const shown = typed || (op.broadcast && op.broadcast.text) || "";
  $("#preview-broadcast").hidden = !shown;
  $("#preview-broadcast").textContent = shown ? `紧急通知：${shown}` : "";
}

// -- the audit

function renderAudit(changes) {
  const time = (ts) => new Date(ts * 1000).toLocaleString("zh-CN", { hour12: false });
  const brief = (v) => (v === null || v === undefined ? "—" : JSON.stringify(v));
  $("#audit-rows").replaceChildren(...changes.map((c) => el("tr", { dataset: { action: c.action } },
    el("td", {}, time(c.at)), el("td", {}, c.who), el("td", {}, ACTION[c.action] || c.action),
    el("td", {}, c.target), el("td", { class: "diff" }, `${brief(c.before)} → ${brief(c.after)}`))));
}

start();
