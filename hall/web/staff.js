// The window staff console (窗口工作台): log in, choose a window, call and serve tickets.
//
// The server is the authority: buttons are disabled when the current state does not allow them,
// but every refusal the server still gives is shown in its own words.
import {
  $, ApiError, EventStream, PRIORITY, TICKET_STATE, WINDOW_STATE, api, debounce, el, ticketId,
  windowName, windowTitle,
} from "./app.js";
import { StaffLogin } from "./login.js";
import { openCounter, setupCounter } from "./staff_counter.js";
import { hide as hideRefusals, isRefusalEvent, loadRefusals, setupRefusals } from "./staff_refusals.js";

const SESSION_KEY = "yiciban.staff.session";
const WINDOW_KEY = "yiciban.staff.window";

const desk = {
  session: null, // {token, staff: {id, name, role, windows}}
  hall: null,
  windowId: null,
  snap: null,
  view: null, // this window in the snapshot
  reason: null, // {ticket, text}: why the current ticket was chosen
  lookedUp: new Set(), // tickets whose reason was looked for in the event log
  stream: null,
  busy: false,
  ownSeq: 0, // the last event this page's own buttons caused
  refreshing: false,
  again: false,
};

// -- start, login, logout

async function start() {
  desk.login = new StaffLogin({
    key: SESSION_KEY,
    title: "工作人员登录",
    titleEn: "Staff sign-in",
    onEnter: (session) => {
      desk.session = session;
      return enter();
    },
    onLeave: leave,
  });
  $("#switch-window").addEventListener("click", () => showPicker());
  $("#call-form").addEventListener("submit", onCallNumber);
  for (const b of document.querySelectorAll("[data-act]")) {
    if (b.dataset.act !== "call") b.addEventListener("click", () => onAction(b.dataset.act));
  }
  setupTransferDialog();
  setupCounter(() => desk, run);
  setupRefusals(() => desk, () => endSession("登录已过期，请重新登录"));
  await desk.login.resume();
}

/** The session is over (or there is none yet): nothing of the desk stays on the page. */
function leave() {
  desk.stream?.stop();
  desk.stream = null;
  $("#offline").hidden = true;
  hideRefusals();
  desk.session = null;
  desk.windowId = null;
  sessionStorage.removeItem(WINDOW_KEY);
  for (const name of ["pick", "desk"]) $(`#${name}-view`).hidden = true;
}

function endSession(message) {
  desk.login.end(message);
}

function show(view) {
  for (const name of ["login", "pick", "desk"]) $(`#${name}-view`).hidden = name !== view;
}

// -- choosing a window

/** The windows this person may work at: their own; a supervisor may take any. */
function myWindows() {
  const staff = desk.session.staff;
  if (staff.role === "supervisor") return desk.hall.windows;
  return desk.hall.windows.filter((w) => staff.windows.includes(w.id));
}

async function enter() {
  if (desk.session.staff.role === "operator") {  // the hall's operators work at their own console
    location.replace("operator.html");
    return;
  }
  desk.hall = await api("/hall", { token: desk.session.token });
  $("#hall-name").textContent = desk.hall.name;
  $("#who-name").textContent = desk.session.staff.name || desk.session.staff.id;
  $("#session-bar").hidden = false;
  loadRefusals();
  const mine = myWindows();
  $("#switch-window").hidden = mine.length < 2;
  const saved = sessionStorage.getItem(WINDOW_KEY);
  if (saved && mine.some((w) => w.id === saved)) await openDesk(saved);
  else showPicker();
}

function showPicker() {
  desk.stream?.stop();
  desk.stream = null;
  $("#conn").hidden = true;
  $("#offline").hidden = true;
  $("#pick-hint").textContent = desk.session.staff.role === "supervisor"
    ? "值班长可以在任一窗口工作。" : "只显示分配给您的窗口。";
  const mine = myWindows();
  const list = $("#window-list");
  list.replaceChildren(
    ...mine.map((w) =>
      el("li", {},
        el("button", { type: "button", class: "btn btn-secondary window-choice", "data-window": w.id, onclick: () => openDesk(w.id) },
          el("span", { class: "choice-num" }, w.number),
          el("span", { class: "choice-text" }, `${w.number} 号窗口`, el("small", {}, windowName(w)))))),
  );
  if (!mine.length) list.append(el("li", { class: "empty" }, "您没有被分配窗口，请联系值班长。"));
  show("pick");
}

async function openDesk(windowId) {
  desk.windowId = windowId;
  desk.reason = null;
  sessionStorage.setItem(WINDOW_KEY, windowId);
  const w = desk.hall.windows.find((x) => x.id === windowId);
  const queueNames = new Map(desk.hall.queues.map((q) => [q.id, q.name]));
  $("#desk-title").textContent = windowTitle(w);
  $("#desk-queues").textContent = "办理业务：" + w.queues.map((q) => queueNames.get(q) || q).join("、");
  openCounter(desk);
  setMessage("", "");
  desk.snap = null;
  desk.view = null;
  updateButtons();
  show("desk");
  let snap = null;
  while (!snap) {
    snap = await guarded(() => api("/snapshot", { token: desk.session.token }));
    if (!desk.session || desk.windowId !== windowId) return;
    if (!snap) await new Promise((r) => setTimeout(r, 2000)); // the server is out of reach: try again
  }
  setMessage("", "");
  render(snap);
  desk.stream?.stop();
  $("#conn").hidden = false;
  desk.stream = new EventStream({
    token: desk.session.token,
    after: snap.seq,
    onEvent,
    onStatus,
    onAuthError: () => endSession("登录已过期，请重新登录"),
    onReset: () => location.reload(),
  });
  desk.stream.start();
}

// -- live updates

function onEvent(e) {
  const d = e.data || {};
  if (isRefusalEvent(e)) {
    loadRefusals();
    return;
  }
  if (e.type === "ticket.called" && d.window === desk.windowId && d.reason) {
    desk.reason = { ticket: d.ticket, text: d.reason.text };
  }
  // this window changed, and not by a button here (a keypad, a supervisor): an old message no longer fits
  if (d.window === desk.windowId && !desk.busy && e.seq > desk.ownSeq) setMessage("", "");
  refreshSoon();
}

function onStatus(status) {
  $("#offline").hidden = status !== "down";
  const conn = $("#conn");
  conn.dataset.state = status;
  conn.textContent = { live: "● 实时", connecting: "连接中…", down: "⚠ 已断开", auth: "⚠ 未登录" }[status] || "";
  if (status === "live") {
    refresh();
    loadRefusals();
  }
}

const refreshSoon = debounce(() => refresh(), 200);

async function refresh() {
  if (!desk.session || !desk.windowId) return;
  if (desk.refreshing) {
    desk.again = true;
    return;
  }
  desk.refreshing = true;
  try {
    const snap = await api("/snapshot", { token: desk.session.token });
    if (!desk.snap || snap.seq >= desk.snap.seq) render(snap); // never go back to an older state
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) endSession("登录已过期，请重新登录");
  } finally {
    desk.refreshing = false;
    if (desk.again) {
      desk.again = false;
      refreshSoon();
    }
  }
}

/** Why the current ticket was called, from the event log, when this page did not see the call. */
async function lookUpReason(ticket) {
  if (desk.lookedUp.has(ticket)) return;
  desk.lookedUp.add(ticket);
  const after = Math.max(0, (desk.snap?.seq || 0) - 2000);
  try {
    const res = await api(`/events?after=${after}&limit=2000`, { token: desk.session.token });
    const call = res.events.filter((e) => e.type === "ticket.called" && e.data.ticket === ticket).pop();
    if (call && !(desk.reason && desk.reason.ticket === ticket)) {
      desk.reason = { ticket, text: call.data.reason.text };
      if (desk.snap) render(desk.snap);
    }
  } catch {
    /* the reason stays unknown; the page says so */
  }
}

// -- rendering

function render(snap) {
  desk.snap = snap;
  const w = snap.windows.find((x) => x.id === desk.windowId);
  if (!w) return;
  desk.view = w;
  const t = w.ticket;
  const st = WINDOW_STATE[w.state] || { text: w.state, mark: "" };
  const badge = $("#window-state");
  badge.className = `badge badge-${w.state}`;
  badge.textContent = `${st.mark} 窗口${st.text}`;

  const queueNames = new Map(desk.hall.queues.map((q) => [q.id, q.name]));
  $("#current-number").textContent = t ? t.number : "—";
  $("#current-number").classList.toggle("none", !t);
  const state = $("#current-state");
  state.textContent = t ? TICKET_STATE[t.state] || t.state : "无（可叫下一位）";
  state.className = t ? `state-${t.state}` : "";
  $("#current-queue").textContent = t ? queueNames.get(t.queue) || t.queue : "—";
  $("#current-priority").textContent = t ? PRIORITY[t.priority] || t.priority : "—";
  $("#current-recalls").textContent = t ? `${t.recalls} 次` : "—";

  const reasonBox = $("#reason");
  if (t) {
    const known = desk.reason && desk.reason.ticket === t.id;
    reasonBox.hidden = false;
    $("#reason-text").textContent = known ? desk.reason.text : "正在查询叫号依据…";
    if (!known) lookUpReason(t.id);
  } else {
    reasonBox.hidden = true;
  }

  const mine = w.queues;
  $("#queue-lists").replaceChildren(
    ...snap.queues
      .filter((q) => mine.includes(q.id))
      .sort((a, b) => mine.indexOf(a.id) - mine.indexOf(b.id))
      .map((q) =>
        el("section", { class: "queue-list", "data-queue": q.id },
          el("h3", {},
            el("span", { class: "prefix" }, q.prefix), q.name,
            el("span", { class: "count" }, el("b", {}, q.waiting), " 人等候")),
          q.next.length
            ? el("ul", {}, ...q.next.map((n) =>
              el("li", {},
                el("span", { class: "n" }, n),
                el("button", {
                  type: "button", class: "btn btn-secondary btn-small", "data-call": n,
                  "aria-label": `叫 ${n}`, onclick: () => callNumber(n),
                }, "叫此号"))))
            : el("p", { class: "empty" }, "暂无等候"),
          q.waiting > q.next.length ? el("p", { class: "more" }, `另有 ${q.waiting - q.next.length} 人`) : null)),
  );
  updateButtons();
  // the case part of the console (cases.js) follows the window through this event
  document.dispatchEvent(new CustomEvent("desk:render", {
    detail: { token: desk.session?.token, windowId: desk.windowId, view: w, seq: snap.seq, hall: desk.hall },
  }));
}

function updateButtons() {
  const w = desk.view;
  const t = w?.ticket;
  const called = t?.state === "called";
  const allowed = {
    open: w?.state === "closed",
    pause: w?.state === "open",
    resume: w?.state === "paused",
    close: !!w && w.state !== "closed" && !t,
    "call-next": w?.state === "open" && !t,
    call: w?.state === "open" && !t,
    recall: called,
    start: called,
    finish: called || t?.state === "serving",
    "no-show": called,
    transfer: called || t?.state === "serving",
  };
  for (const b of document.querySelectorAll("#desk-view [data-act]")) {
    b.disabled = desk.busy || !allowed[b.dataset.act];
  }
  for (const b of document.querySelectorAll("#desk-view [data-call]")) {
    b.disabled = desk.busy || !allowed.call;
  }
  $("#call-number").disabled = !allowed.call;
}

function setMessage(kind, text) {
  const m = $("#message");
  m.hidden = !text;
  m.className = `message message-${kind}`;
  m.textContent = text ? `${kind === "error" ? "⚠" : "✓"} ${text}` : "";
  m.setAttribute("role", kind === "error" ? "alert" : "status");
}

// -- actions

const DONE_TEXT = {
  open: () => "窗口已开放，可以叫号",
  pause: () => "窗口已暂停",
  resume: () => "窗口已恢复",
  close: () => "窗口已关闭",
  "call-next": (r) => `已叫 ${r.ticket.number}，请等候办事人到窗口`,
  call: (r) => `已叫 ${r.ticket.number}`,
  recall: (r) => r.events.includes("ticket.no_show")
    ? `${r.ticket.number} 重呼次数已满，已按过号处理`
    : `已重呼 ${r.ticket.number}（第 ${r.ticket.recalls} 次）`,
  start: (r) => `开始办理 ${r.ticket.number}`,
  finish: (r) => `${r.ticket.number} 已办结`,
  "no-show": (r) => `${r.ticket.number} 已按过号处理`,
};

async function onAction(act) {
  if (act === "transfer") {
    openTransfer();
    return;
  }
  await run(act, `/windows/${encodeURIComponent(desk.windowId)}/${act}`, undefined);
}

function onCallNumber(ev) {
  ev.preventDefault();
  const n = $("#call-number").value.trim().toUpperCase();
  if (!/^[A-Z]{1,2}\d{1,5}$/.test(n)) {
    setMessage("error", "请输入票号，例如 A005");
    return;
  }
  callNumber(n);
}

async function callNumber(number) {
  const ok = await run("call", `/windows/${encodeURIComponent(desk.windowId)}/call`, {
    ticket: ticketId(desk.snap.day, number),
  });
  if (ok) $("#call-number").value = "";
}

/** One POST with the buttons locked; the result or the server's message is shown. */
async function run(act, path, body, doneText) {
  if (desk.busy) return false;
  desk.busy = true;
  updateButtons();
  try {
    const res = await api(path, { method: "POST", token: desk.session.token, body });
    desk.ownSeq = Math.max(desk.ownSeq, res.seq || 0);
    if (res.reason && res.ticket) desk.reason = { ticket: res.ticket.id, text: res.reason.text };
    if (res.window && res.window.id === desk.windowId && desk.snap) {
      const windows = desk.snap.windows.map((x) => (x.id === res.window.id ? res.window : x));
      desk.snap = { ...desk.snap, windows, seq: Math.max(desk.snap.seq, res.seq || 0) };
    }
    setMessage("ok", doneText ? doneText(res) : DONE_TEXT[act](res));
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      endSession("登录已过期，请重新登录");
      return false;
    }
    setMessage("error", err.message);
    return false;
  } finally {
    desk.busy = false;
    if (desk.snap && desk.session) render(desk.snap);
    refreshSoon();
  }
}

// -- transfer

function setupTransferDialog() {
  const dialog = $("#transfer-dialog");
  const kind = () => dialog.querySelector("input[name=kind]:checked").value;
  for (const r of dialog.querySelectorAll("input[name=kind]")) {
    r.addEventListener("change", () => {
      $("#transfer-queue").disabled = kind() !== "queue";
      $("#transfer-window").disabled = kind() !== "window";
    });
  }
  $("#transfer-cancel").addEventListener("click", () => dialog.close());
  $("#transfer-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const t = desk.view?.ticket;
    if (!t) {
      dialog.close();
      return;
    }
    const body = { keep_place: $("#transfer-keep").checked, by_window: desk.windowId };
    let target;
    if (kind() === "queue") {
      body.to_queue = $("#transfer-queue").value;
      target = $("#transfer-queue").selectedOptions[0].textContent;
    } else {
      body.to_window = $("#transfer-window").value;
      target = $("#transfer-window").selectedOptions[0].textContent;
    }
    dialog.close();
    await run("transfer", `/tickets/${encodeURIComponent(t.id)}/transfer`, body,
      () => `${t.number} 已转至 ${target}`);
  });
}

function openTransfer() {
  const t = desk.view?.ticket;
  if (!t) return;
  $("#transfer-number").textContent = t.number;
  const other = desk.hall.queues.find((q) => q.id !== t.queue);
  $("#transfer-queue").replaceChildren(
    ...desk.hall.queues.map((q) => el("option", { value: q.id, selected: q === other }, `${q.prefix} ${q.name}`)),
  );
  $("#transfer-window").replaceChildren(
    ...desk.hall.windows
      .filter((w) => w.id !== desk.windowId)
      .map((w) => el("option", { value: w.id }, windowTitle(w))),
  );
  $("#transfer-dialog").showModal();
}

/** Runs `fn`; a refusal of the session sends to the login, any other failure is shown. */
async function guarded(fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) endSession("登录已过期，请重新登录");
    else setMessage("error", err.message);
    return null;
  }
}

start();
