// Shared by the hall board and the staff console: the API client, the event stream, small helpers.

export const API = "/api/v1";

export const TICKET_STATE = {
  waiting: "等候中",
  called: "已叫号",
  serving: "办理中",
  done: "已办结",
  no_show: "过号",
  cancelled: "已取消",
  expired: "已过期",
};

export const WINDOW_STATE = {
  open: { text: "开放", en: "Open", mark: "●" },
  paused: { text: "暂停", en: "Paused", mark: "‖" },
  closed: { text: "关闭", en: "Closed", mark: "✕" },
};

export const PRIORITY = {
  normal: "普通",
  appointment: "预约",
  green: "绿色通道",
  elderly: "老年人/残疾人",
  agent: "代办",
  disabled: "残疾人（待核验）",
};

/** An answer of the API that was not 2xx: `message` is the server's own words. */
export class ApiError extends Error {
  constructor(status, message, code = "") {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A key that makes a retried POST count once (works without a secure context too). */
export function requestKey() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return "web-" + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * Calls the hall API. A POST carries an Idempotency-Key and is sent a second time, with the
 * same key, when the network failed before an answer came: the server then does it once.
 */
export async function api(path, { method = "GET", body, token, key } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["Idempotency-Key"] = key || requestKey();
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) init.body = JSON.stringify(body);
  let resp;
  for (let attempt = 0; ; attempt++) {
    try {
      resp = await fetch(API + path, init);
      break;
    } catch {
      if (method === "GET" || attempt >= 1) {
        throw new ApiError(0, "无法连接服务器，请检查网络（cannot reach the hall server）", "network");
      }
    }
  }
  let data = null;
  try {
    data = await resp.json();
  } catch {
    data = null;
  }
  if (!resp.ok) {
    const message = (data && data.message) || `服务器错误（HTTP ${resp.status}）`;
    throw new ApiError(resp.status, message, (data && data.error) || "");
  }
  return data;
}

/**
 * The hall's event stream over WebSocket. Events reach `onEvent` once each and in order:
 * a sequence number already seen is dropped, a gap makes the stream reconnect from the
 * last one seen. A lost connection is retried for ever, with `after=<last seq seen>`.
 * `onStatus` hears "connecting", "live", "down" and "auth" (the token was refused).
 */
export class EventStream {
  constructor({ token, after, onEvent, onStatus = () => {}, onAuthError = () => {}, onReset = () => {} }) {
    this.token = token;
    this.lastSeq = after;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onAuthError = onAuthError;
    this.onReset = onReset;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.watchdog = null;
    this.stopped = false;
    this.status = "";
    this.silenceMs = 40000; // the server sends a heartbeat every 15 s
    this._online = () => {
      if (!this.ws && !this.stopped) this._connectSoon(0);
    };
    window.addEventListener("online", this._online);
  }

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    window.removeEventListener("online", this._online);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000, "bye");
  }

  _setStatus(s) {
    if (s === this.status) return;
    this.status = s;
    this.onStatus(s);
  }

  _connect() {
    if (this.stopped) return;
    if (this.status !== "down") this._setStatus("connecting");
    const url = new URL(`${API}/events/ws`, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("after", String(this.lastSeq));
    url.searchParams.set("token", this.token);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch {
      this._lost(null, 1006);
      return;
    }
    this.ws = ws;
    ws.onopen = () => this._arm(ws);
    ws.onmessage = (m) => this._message(ws, m.data);
    ws.onclose = (e) => this._lost(ws, e.code);
  }

  _message(ws, text) {
    if (ws !== this.ws) return;
    this._arm(ws);
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (this.status !== "live") {
      this.attempt = 0;
      this._setStatus("live");
    }
    if (msg.type === "heartbeat") {
      if (typeof msg.head === "number" && msg.head < this.lastSeq) this.onReset(msg.head);
      return;
    }
    if (typeof msg.seq !== "number" || msg.seq <= this.lastSeq) return; // seen already
    if (msg.seq !== this.lastSeq + 1) {
      this._drop(ws); // a gap: ask again from the last event seen
      return;
    }
    this.lastSeq = msg.seq;
    try {
      this.onEvent(msg);
    } catch (err) {
      console.error("event handler failed", err);
    }
  }

  // The server accepts first and only then checks the token, so "live" waits for a first message
  // (the replay, or a heartbeat within 15 s); until then the stream counts as connecting.
  _arm(ws) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => this._drop(ws), this.silenceMs);
    if (this.status === "connecting" || this.status === "down") {
      clearTimeout(this.liveTimer);
      this.liveTimer = setTimeout(() => {
        if (ws === this.ws && ws.readyState === WebSocket.OPEN) {
          this.attempt = 0;
          this._setStatus("live");
        }
      }, 400);
    }
  }

  _drop(ws) {
    if (ws !== this.ws) return;
    ws.onclose = null;
    ws.onmessage = null;
    try {
      ws.close(4000, "reconnect");
    } catch {
      /* already closed */
    }
    this._lost(ws, 1006);
  }

  _lost(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearTimeout(this.watchdog);
    clearTimeout(this.liveTimer);
    if (this.stopped) return;
    if (code === 4401) {
      this._setStatus("auth");
      this.onAuthError();
      return;
    }
    this._setStatus("down");
    const delays = [300, 1000, 2000, 3000, 5000];
    this._connectSoon(delays[Math.min(this.attempt++, delays.length - 1)]);
  }

  _connectSoon(ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._connect(), ms + Math.random() * 200);
  }
}

/** Runs `fn` once, `ms` after the last of a burst of calls. */
export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

/** A clock that follows the server's time, not the display PC's own (which may be wrong). */
export class HallClock {
  constructor(timeZone) {
    this.offset = 0;
    this.timeZone = timeZone || "Asia/Shanghai";
    this.dateFmt = new Intl.DateTimeFormat("zh-CN", {
      timeZone: this.timeZone, year: "numeric", month: "long", day: "numeric", weekday: "long",
    });
    this.timeFmt = new Intl.DateTimeFormat("zh-CN", {
      timeZone: this.timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    });
  }

  sync(serverIso) {
    const t = Date.parse(serverIso);
    if (!Number.isNaN(t)) this.offset = t - Date.now();
  }

  now() {
    return new Date(Date.now() + this.offset);
  }

  date() {
    return this.dateFmt.format(this.now());
  }

  time() {
    return this.timeFmt.format(this.now());
  }
}

/** `el("div", {class: "x"}, "text", child)`: a small DOM builder; text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

/** `parent`'s children made one per item, in the items' order, keyed by `dataset[field]`: a child
 * whose key is still there is kept as it is (what is typed in it and its focus stay), the others
 * are removed, and `make(item)` draws the new ones. */
export function keepChildren(parent, items, field, keyOf, make) {
  const wanted = new Set(items.map((i) => String(keyOf(i))));
  const kept = new Map();
  for (const child of [...parent.children]) {
    if (wanted.has(child.dataset[field]) && !kept.has(child.dataset[field])) kept.set(child.dataset[field], child);
    else child.remove();
  }
  let at = parent.firstElementChild;
  for (const item of items) {
    const child = kept.get(String(keyOf(item))) || make(item);
    if (child === at) at = at.nextElementSibling;
    else parent.insertBefore(child, at);
  }
}

export function $(sel, root = document) {
  return root.querySelector(sel);
}

/** "1 号窗口 · 综合窗口", or only "1 号窗口" when the window's name says no more than that. */
export function windowTitle(w) {
  const plain = `${w.number} 号窗口`;
  const name = String(w.name || "").replace(/\s+/g, "");
  return !name || name === `${w.number}号窗口` ? plain : `${plain} · ${w.name}`;
}

/** A window's name when it says more than its number, else "". */
export function windowName(w) {
  const name = String(w.name || "").replace(/\s+/g, "");
  return name === `${w.number}号窗口` ? "" : w.name;
}

/** The ticket id of a number issued on the hall day `day` (ids are `YYYYMMDD-A001`). */
export function ticketId(day, number) {
  return `${String(day).replaceAll("-", "")}-${number}`;
}

/** "20261127-A001" → "A001". */
export function numberOf(ticket) {
  const i = String(ticket).indexOf("-");
  return i >= 0 ? String(ticket).slice(i + 1) : String(ticket);
}
