// Offline tickets the hall refused at hand-in: a citizen sits in the hall holding a printed number
// that will never be called. While any is open the page says so at the top (the page's
// `#refusals` section, its `data-hint` saying where to give the citizen a ticket), lists what
// finds the citizen (number, queue, the device and when it printed, why in plain words), and takes
// the "已处理" note (e.g. 已补发 A031). The staff console and the supervisors' dashboard show it,
// reloaded on the hall's `refusal.recorded` / `refusal.handled` events.
import { $, ApiError, api, el, keepChildren } from "./app.js";

const WHAT = "这些号票是大厅主机离线时取号机或自助终端打印的，入队时被拒收，永远不会被叫到。";

const state = { context: null, open: [], handled: [], asked: 0 };

/** Wires the panel; `context()` gives {session, hall}; `onAuthError()` ends the session. */
export function setupRefusals(context, onAuthError) {
  state.context = context;
  state.onAuthError = onAuthError;
  const panel = $("#refusals");
  panel.replaceChildren(
    el("h2", { id: "refusals-title", class: "refusals-title" },
      el("span", { class: "banner-icon", "aria-hidden": "true" }, "⚠"),
      el("span", {}, el("b", { id: "refusals-count" }, "0"), " 张离线打印的号票未能入队，请找到持票群众"),
      el("small", { lang: "en" }, "Offline tickets refused by the hall: find their holders")),
    el("p", { class: "refusals-hint" }, WHAT, panel.dataset.hint || ""),
    el("ul", { id: "refusals-list", class: "refusals-list" }),
    el("details", { id: "refusals-handled", class: "refusals-handled", hidden: true },
      el("summary", {}, "今日已处理 ", el("b", { id: "refusals-handled-count" }, "0"), " 张"),
      el("ul", { id: "refusals-handled-list" })));
}

/** Whether an event of the stream changes the list. */
export function isRefusalEvent(e) {
  return typeof e.type === "string" && e.type.startsWith("refusal.");
}

/** Loads the day's refusals and draws them (the panel stays hidden while none is open). */
export async function loadRefusals() {
  const { session } = state.context();
  if (!session) return hide();
  const asked = ++state.asked;
  try {
    const res = await api("/refusals", { token: session.token });
    if (asked !== state.asked) return;  // a later load is on its way: an answer overtaken is not drawn
    state.open = res.open;
    state.handled = res.handled;
    draw();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) state.onAuthError();
    /* the hall away: the last list stays; the next event or reconnection loads it again */
  }
}

export function hide() {
  state.asked += 1;  // a load on its way when the session ended is not drawn
  state.open = [];
  state.handled = [];
  $("#refusals").hidden = true;
}

function draw() {
  const panel = $("#refusals");
  panel.hidden = state.open.length === 0;
  $("#refusals-count").textContent = state.open.length;
  keepChildren($("#refusals-list"), state.open, "refusal", (r) => r.id, row);  // a note being typed stays
  const done = $("#refusals-handled");
  done.hidden = state.handled.length === 0;
  $("#refusals-handled-count").textContent = state.handled.length;
  $("#refusals-handled-list").replaceChildren(...state.handled.map(handledRow));
}

function timeOf(ts) {
  const zone = state.context().hall?.timezone || "Asia/Shanghai";
  return new Intl.DateTimeFormat("zh-CN", { timeZone: zone, hour: "2-digit", minute: "2-digit", hour12: false })
    .format(new Date(ts * 1000));
}

function queueName(id) {
  const q = (state.context().hall?.queues || []).find((x) => x.id === id);
  return q ? q.name : id || "未知业务";
}

function row(r) {
  const note = el("input", {
    type: "text", maxlength: "100", required: true, placeholder: "处理说明，如：已补发 A031",
    "aria-label": `${r.number} 的处理说明`,
  });
  const error = el("p", { class: "form-error", role: "alert", hidden: true });
  const form = el("form", { class: "refusal-handle" }, note,
    el("button", { type: "submit", class: "btn btn-primary btn-small" }, "已处理"));
  form.addEventListener("submit", (ev) => handle(ev, r, note, error));
  return el("li", { class: "refusal", dataset: { refusal: r.id } },
    el("span", { class: "refusal-number" }, r.number),
    el("div", { class: "refusal-facts" },
      el("p", {}, el("b", {}, queueName(r.queue)), " · ", `${r.device_kind} ${r.device}`,
        ` · ${timeOf(r.printed_at)} 打印`, r.appointment ? " · 预约签到" : ""),
      el("p", { class: "refusal-reason" }, r.reason)),
    el("div", { class: "refusal-act" }, form, error));
}

function handledRow(r) {
  return el("li", { dataset: { refusal: r.id } },
    el("b", {}, r.number), ` ${queueName(r.queue)} · ${timeOf(r.handled_at)} 由 ${r.handled_by_name || r.handled_by} 处理：${r.note}`);
}

async function handle(ev, r, note, error) {
  ev.preventDefault();
  const button = ev.target.querySelector("button");
  button.disabled = true;
  try {
    await api(`/refusals/${encodeURIComponent(r.id)}/handled`, {
      method: "POST", token: state.context().session.token, body: { note: note.value },
    });
    await loadRefusals();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return state.onAuthError();
    error.textContent = `⚠ ${err.message}`;
    error.hidden = false;
    if (err instanceof ApiError && err.status === 409) await loadRefusals();  // handled by someone else
  } finally {
    button.disabled = false;
  }
}
