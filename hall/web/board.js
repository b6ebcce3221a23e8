// The hall board (大厅综合屏): now calling, waiting per queue, windows.
//
// The "now calling" list is folded from ticket.called / ticket.recalled events, in sequence
// order, one entry per ticket (a recall moves the ticket to the top again). Counts and window
// states come from the snapshot, fetched again shortly after each burst of events.
import {
  $, ApiError, EventStream, HallClock, TICKET_STATE, WINDOW_STATE, api, debounce, el, numberOf,
  windowName,
} from "./app.js";
import { showOperators } from "./board_operators.js";

const TOKEN_KEY = "yiciban.display.token";
const MAX_CALLS = 7; // the newest, large, and six before it
const FRESH_MS = 10000; // how long the newest call is highlighted

const board = {
  token: "",
  hall: null,
  windows: new Map(), // window id -> window config (number, name)
  calls: [], // newest first: {ticket, number, window, windowNumber, recalls}
  stream: null,
  clock: new HallClock(),
  freshTimer: null,
  poll: null,
  snapSeq: 0, // the sequence number of the snapshot shown
  refreshing: false,
  again: false,
};

function tokenFromHash() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  return (params.get("token") || "").trim();
}

async function start() {
  setInterval(tick, 1000);
  tick();
  $("#token-form").addEventListener("submit", onTokenSubmit);
  board.token = tokenFromHash() || localStorage.getItem(TOKEN_KEY) || "";
  if (!board.token) {
    showTokenForm("");
    return;
  }
  await load();
}

/** Hall info and the first snapshot; retried until the server answers (the PC may boot first). */
async function load() {
  for (let attempt = 0; ; attempt++) {
    try {
      board.hall = await api("/hall", { token: board.token });
      const snap = await api("/snapshot", { token: board.token });
      begin(snap);
      return;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        localStorage.removeItem(TOKEN_KEY);
        showTokenForm(err.message);
        return;
      }
      setOffline(true);
      await new Promise((r) => setTimeout(r, Math.min(1000 + attempt * 1000, 5000)));
    }
  }
}

function begin(snap) {
  const { hall } = board;
  if (!tokenFromHash()) localStorage.setItem(TOKEN_KEY, board.token);
  board.clock = new HallClock(hall.timezone);
  board.windows = new Map(hall.windows.map((w) => [w.id, w]));
  $("#hall-name").textContent = hall.name;
  $("#hall-name-en").textContent = hall.name_en || "";
  $("#hall-name-en").hidden = !hall.name_en;
  document.title = `${hall.name} · 叫号屏`;
  $("#token-view").hidden = true;
  $("#board").hidden = false;
  $("#board-foot").hidden = false;
  setOffline(false);

  board.calls = snap.recent_calls.slice(0, MAX_CALLS).map((c) => ({
    ticket: c.ticket, number: c.number, window: c.window, windowNumber: c.window_number, recalls: 0,
  }));
  renderCalls(false);
  renderSnapshot(snap);
  showOperators(board.token);

  board.stream?.stop();
  board.stream = new EventStream({
    token: board.token,
    after: snap.seq,
    onEvent,
    onStatus,
    onAuthError: () => {
      localStorage.removeItem(TOKEN_KEY);
      showTokenForm("令牌已失效，请重新输入（token refused）");
    },
    onReset: () => location.reload(), // the server's history is not the one we saw: start over
  });
  board.stream.start();
  clearInterval(board.poll);
  board.poll = setInterval(refresh, 60000); // waiting times grow even when nothing happens
}

function onEvent(e) {
  const d = e.data || {};
  if (e.type === "ticket.called") {
    addCall({ ticket: d.ticket, number: d.number, window: d.window, windowNumber: d.window_number, recalls: 0 });
  } else if (e.type === "ticket.recalled") {
    const known = board.calls.find((c) => c.ticket === d.ticket);
    addCall({
      ticket: d.ticket,
      number: known ? known.number : numberOf(d.ticket),
      window: d.window,
      windowNumber: board.windows.get(d.window)?.number ?? known?.windowNumber,
      recalls: d.recalls || (known ? known.recalls + 1 : 1),
    });
  } else if (e.type === "board.changed" || e.type === "hall.broadcast") {
    showOperators(board.token);
  } else if (e.type === "day.started") {
    board.calls = [];
    renderCalls(false);
  }
  refreshSoon();
}

function addCall(call) {
  board.calls = [call, ...board.calls.filter((c) => c.ticket !== call.ticket)].slice(0, MAX_CALLS);
  renderCalls(true);
}

function onStatus(status) {
  setOffline(status === "down");
  const conn = $("#conn");
  conn.dataset.state = status;
  conn.textContent = { live: "● 实时连接", connecting: "正在连接…", down: "⚠ 连接中断", auth: "⚠ 令牌无效" }[status] || "";
  if (status === "live") refresh();
}

function setOffline(down) {
  $("#offline").hidden = !down;
  document.body.classList.toggle("is-offline", down);
}

const refreshSoon = debounce(() => refresh(), 250);

async function refresh() {
  if (!board.hall) return;
  if (board.refreshing) {
    board.again = true;
    return;
  }
  board.refreshing = true;
  try {
    const snap = await api("/snapshot", { token: board.token });
    if (snap.seq >= board.snapSeq) renderSnapshot(snap); // an answer overtaken by a newer one is dropped
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      board.stream?.stop();
      localStorage.removeItem(TOKEN_KEY);
      showTokenForm(err.message);
    }
    // other failures: the stream's own reconnect brings a refresh
  } finally {
    board.refreshing = false;
    if (board.again) {
      board.again = false;
      refreshSoon();
    }
  }
}

// -- rendering

function renderCalls(fresh) {
  const [first, ...rest] = board.calls;
  const hero = $("#hero");
  hero.replaceChildren();
  if (!first) {
    hero.append(el("div", { class: "hero-empty" }, "暂无叫号", el("small", { lang: "en" }, "No calls yet")));
  } else {
    const card = el(
      "div",
      { class: "hero-card" + (fresh ? " fresh" : ""), "data-number": first.number, "data-window": first.windowNumber },
      el("div", { class: "hero-row" },
        el("span", { class: "hero-number" }, first.number),
        el("span", { class: "hero-arrow", "aria-hidden": "true" }, "→"),
        el("span", { class: "hero-window" }, el("b", {}, first.windowNumber), " 号窗口")),
      el("p", { class: "hero-say" },
        el("span", { class: "tag tag-new" }, "最新"),
        `请 ${first.number} 号到 ${first.windowNumber} 号窗口办理`,
        first.recalls ? el("span", { class: "tag tag-recall" }, `重呼 第${first.recalls}次`) : null,
        el("small", { lang: "en" }, `Ticket ${first.number}, please go to window ${first.windowNumber}`)),
    );
    hero.append(card);
    clearTimeout(board.freshTimer);
    if (fresh) board.freshTimer = setTimeout(() => card.classList.remove("fresh"), FRESH_MS);
  }
  $("#recent").replaceChildren(
    ...rest.map((c) =>
      el("li", { "data-number": c.number, "data-window": c.windowNumber },
        el("span", { class: "r-number" }, c.number),
        el("span", { class: "r-window" }, el("b", {}, c.windowNumber), " 号窗口"))),
  );
}

function renderSnapshot(snap) {
  board.snapSeq = snap.seq;
  board.clock.sync(snap.now);
  tick();
  $("#queue-rows").replaceChildren(
    ...snap.queues.map((q) =>
      el("tr", { "data-queue": q.id },
        el("th", { scope: "row" }, el("div", { class: "q-cell" },
          el("span", { class: "prefix", "aria-hidden": "true" }, q.prefix),
          el("span", { class: "q-name" }, q.name,
            el("small", {}, q.next.length ? `下一位 ${q.next[0]}` : "暂无等候", q.name_en ? ` · ${q.name_en}` : "")))),
        el("td", { class: "num" }, el("b", { class: "q-waiting", "data-testid": `waiting-${q.id}` }, q.waiting),
          el("span", { class: "unit" }, " 人")),
        el("td", { class: "num" }, q.waiting
          ? [el("b", { class: "q-long" }, Math.floor(q.longest_wait_seconds / 60)), el("span", { class: "unit" }, " 分钟")]
          : el("span", { class: "unit" }, "—")),
        el("td", { class: "num" }, el("b", { class: "q-open" + (q.open_windows ? "" : " none") }, q.open_windows),
          el("span", { class: "unit" }, " 个"))),
    ),
  );
  const tiles = $("#window-tiles");
  const n = snap.windows.length;
  tiles.dataset.cols = n <= 4 ? 4 : n <= 12 ? 6 : 8;
  tiles.style.setProperty("--cols", tiles.dataset.cols);
  tiles.replaceChildren(
    ...snap.windows.map((w) => {
      const st = WINDOW_STATE[w.state] || { text: w.state, mark: "" };
      return el("li", { class: `tile state-${w.state}`, "data-window": w.id },
        el("span", { class: "tile-num" }, w.number),
        el("span", { class: "tile-state" }, el("span", { "aria-hidden": "true" }, st.mark), ` ${st.text}`),
        el("span", { class: "tile-name" }, windowName(w) || "\u00a0"),
        w.ticket
          ? el("span", { class: "tile-ticket" }, w.ticket.number, el("small", {}, TICKET_STATE[w.ticket.state] || ""))
          : el("span", { class: "tile-ticket none" }, "—"));
    }),
  );
}

function tick() {
  $("#clock-time").textContent = board.clock.time();
  $("#clock-date").textContent = board.clock.date();
}

// -- the device token

function showTokenForm(message) {
  board.stream?.stop();
  board.stream = null;
  clearInterval(board.poll);
  $("#board").hidden = true;
  $("#board-foot").hidden = true;
  $("#offline").hidden = true;
  $("#token-view").hidden = false;
  const error = $("#token-error");
  error.hidden = !message;
  error.textContent = message ? `⚠ ${message}` : "";
  $("#token-input").value = "";
  $("#token-input").focus();
}

async function onTokenSubmit(ev) {
  ev.preventDefault();
  const value = $("#token-input").value.trim();
  if (!value) return;
  if (tokenFromHash()) history.replaceState(null, "", location.pathname + location.search);
  board.token = value;
  await load();
}

start();
