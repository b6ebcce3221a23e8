// The supervisors' dashboard: sign in (supervisors only), pick a day, week, month or quarter,
// read the figures, charts and the monthly window ranking, work the 差评 follow-ups, and take
// the figures away as CSV or Excel. Charts: Chart.js, shipped with the page (vendor/chartjs).
import { API, ApiError, EventStream, api, $, el } from "./app.js";
import { StaffLogin } from "./login.js";
import { hide as hideRefusals, isRefusalEvent, loadRefusals, setupRefusals } from "./staff_refusals.js";

const board = { session: null, hall: null, data: null, dim: "window", charts: {}, stream: null };
const DIM_LABEL = { window: "窗口", staff: "工作人员", matter: "事项", queue: "业务" };
const ACTIONS = {
  verify: [["fix_now", "立行立改"], ["rectify", "限期整改"], ["explain", "解释说明"], ["appeal", "申诉"]],
  appealed: [["upheld", "申诉成立"], ["rejected", "驳回申诉"]],
  rectifying: [["rectified", "整改完成"]],
  fixed: [["feedback", "已反馈群众"]],
  explained: [["feedback", "已反馈群众"]],
  fed_back: [["close", "办结"]],
};

const FEEDBACK_WAYS = [["phone", "电话"], ["sms", "短信"], ["visit", "当面"], ["letter", "书面"], ["online", "网上"]];
const pct = (v) => (v === null || v === undefined ? "—" : `${(v * 100).toFixed(1)}%`);
const mins = (s) => (s === null || s === undefined ? "—" : `${(s / 60).toFixed(1)} 分`);

async function start() {
  board.login = new StaffLogin({
    key: "yiciban.supervisor.session",
    title: "主管登录",
    titleEn: "Supervisor sign-in",
    roles: ["supervisor"],
    refusal: (staff) => `${staff.name || staff.id} 不是主管：统计看板仅限主管（supervisors only）`,
    onEnter: enter,
    onLeave: () => {
      $("#board-view").hidden = true;
      board.stream?.stop();
      board.stream = null;
      hideRefusals();
    },
  });
  setupRefusals(() => board, () => endSession("登录已过期，请重新登录"));
  $("#range-form").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("#export-csv").addEventListener("click", () => download("csv"));
  $("#export-xlsx").addEventListener("click", () => download("xlsx"));
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => { board.dim = tab.dataset.dim; drawTable(); });
  }
  $("#date").value = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
  await board.login.resume();
}

async function enter(session) {
  board.session = session;
  $("#board-view").hidden = false;
  const hall = await api("/hall", { token: board.session.token });
  board.hall = hall;
  $("#hall-name").textContent = hall.name;
  await followRefusals();
  if (hall.timezone) $("#date").value = new Date().toLocaleDateString("sv-SE", { timeZone: hall.timezone });
  await load();
}

/** Offline tickets refused at hand-in, shown at once and followed live (the hall's event stream). */
async function followRefusals() {
  const { seq } = await api("/snapshot", { token: board.session.token });
  await loadRefusals();
  board.stream?.stop();
  board.stream = new EventStream({
    token: board.session.token,
    after: seq,
    onEvent: (e) => { if (isRefusalEvent(e)) loadRefusals(); },
    onStatus: (status) => { if (status === "live") loadRefusals(); },
    onAuthError: () => endSession("登录已过期，请重新登录"),
    onReset: () => location.reload(),
  });
  board.stream.start();
}

function endSession(message) {
  board.login.end(message);
}

function query() {
  return `kind=${encodeURIComponent($("#period").value)}&date=${encodeURIComponent($("#date").value)}`;
}

async function load() {
  const error = $("#board-error");
  try {
    const token = board.session.token;
    const data = await api(`/dashboard?${query()}`, { token });
    // the period's 差评, and every one still open whenever it came in: an old overdue one stays in sight
    const [period, open] = await Promise.all([
      api(`/followups?from=${data.from}&to=${data.to}&limit=500`, { token }), api("/followups?open=true&limit=2000", { token }),
    ]);
    board.data = data;
    error.hidden = true;
    $("#range-text").textContent = data.from === data.to ? data.from : `${data.from} 至 ${data.to}`;
    drawKpis(data, open.followups);
    drawCharts(data);
    drawTable();
    drawRanking(data);
    drawCases(data.cases);
    drawFollowups(period, open);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return endSession("登录已过期，请重新登录");
    error.hidden = false;
    error.textContent = `⚠ ${err.message}`;
  }
}

const TO_LEDGER = new Set(["差评", "差评待处理", "差评将到期", "差评超时"]); // cards that lead down to the ledger

/** The period's figures, and the 差评 still to work whenever they came in: how many, how many late. */
function drawKpis(d, open) {
  const t = d.total, f = d.followups.total, c = d.cases;
  const lit = (color) => open.filter((fu) => fu.light === color).length;
  const near = lit("yellow"), late = lit("red");
  const cards = [
    ["取号", t.arrivals], ["办结", t.served], ["平均等候", mins(t.avg_wait_s)],
    [`服务水平（≤${d.target_wait_s / 60} 分）`, pct(t.service_level)], ["过号", t.no_shows],
    ["满意率", pct(t.satisfaction)], ["差评", t.bad, t.bad > 0], ["差评待处理", open.length],
    ["差评将到期", near, near > 0, "amber"], ["差评超时", late, late > 0],
    ["回访率", pct(f.callback_rate)], ["整改率", pct(f.fix_rate)],
  ];
  if (c) cards.push(["办件按时办结率", pct(c.on_time_rate)], ["在办红灯", c.open_by_light.red, c.open_by_light.red > 0]);
  $("#kpis").replaceChildren(...cards.map(([label, value, lit, color = "red"]) => {
    const link = TO_LEDGER.has(label);
    return el(link ? "a" : "div", { class: lit ? `kpi ${color}` : "kpi", dataset: { kpi: label },
      href: link ? "#followups-card" : null, title: link ? "查看差评整改台账" : null },
    el("b", {}, String(value)), el("span", {}, link ? `${label} ↓` : label));
  }));
}

/** Two bar series side by side, the second on its own axis at the right. */
function barPair(id, labels, left, right, leftMax) {
  board.charts[id]?.destroy();
  const series = ([label, data, color], axis) => ({ label, data, backgroundColor: color, yAxisID: axis });
  board.charts[id] = new window.Chart($(`#${id}`), {
    type: "bar",
    data: { labels, datasets: [series(left, "y"), series(right, "y1")] },
    options: {
      animation: false, maintainAspectRatio: false,
      scales: { y: { beginAtZero: true, max: leftMax }, y1: { position: "right", beginAtZero: true, grid: { display: false } } },
    },
  });
}

function drawCharts(d) {
  const wins = Object.keys(d.names.window), queues = Object.keys(d.names.queue);
  barPair("chart-windows", wins.map((w) => d.names.window[w]),
    ["满意率 %", wins.map((w) => ((d.window[w]?.satisfaction ?? 0) * 100).toFixed(1)), "#2a6fd0"],
    ["差评", wins.map((w) => d.window[w]?.bad ?? 0), "#b42318"], 100);
  barPair("chart-queues", queues.map((q) => d.names.queue[q]),
    ["取号", queues.map((q) => d.queue[q]?.arrivals ?? 0), "#13804a"],
    ["平均等候（分）", queues.map((q) => ((d.queue[q]?.avg_wait_s ?? 0) / 60).toFixed(1)), "#f7b538"]);
}

function drawTable() {
  const d = board.data;
  if (!d) return;
  for (const tab of document.querySelectorAll(".tab")) tab.setAttribute("aria-selected", String(tab.dataset.dim === board.dim));
  const names = d.names[board.dim];
  // a ticket is taken for a queue, not a window, staff member or matter: 取号 only by queue
  const taken = board.dim === "queue";
  const head = el("tr", {}, el("th", {}, DIM_LABEL[board.dim]), ...[taken ? "取号" : null, "叫号", "办结", "过号", "平均等候",
    "服务水平", "评价", "差评", "满意率"].filter(Boolean).map((h) => el("th", {}, h)));
  const rows = Object.entries(d[board.dim]).map(([key, r]) => el("tr", { dataset: { key } },
    el("td", {}, key === "-" ? "未记录" : names[key] || key), taken ? el("td", {}, r.arrivals) : null,
    el("td", {}, r.calls), el("td", {}, r.served),
    el("td", {}, r.no_shows), el("td", {}, mins(r.avg_wait_s)), el("td", {}, pct(r.service_level)),
    el("td", {}, r.ratings), el("td", {}, r.bad), el("td", {}, pct(r.satisfaction))));
  $("#figures").replaceChildren(el("thead", {}, head), el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 10 }, "本区间没有数据"))));
}

function drawRanking(d) {
  $("#rank-month").textContent = `${d.ranking.month}（上月 ${d.ranking.previous}）`;
  const head = el("tr", {}, ...["名次", "窗口", "满意率", "评价", "差评", "办结", ""].map((h, i) => el("th", { class: i === 1 ? "text" : null }, h)));
  const rows = d.ranking.windows.map((r) => el("tr", { class: r.last_twice ? "flagged" : null, dataset: { window: r.window } },
    // a window nobody rated has no place
    el("td", {}, r.ratings ? r.rank : "—"), el("td", { class: "text" }, d.names.window[r.window] || r.window), el("td", {}, pct(r.satisfaction)),
    el("td", {}, r.ratings), el("td", {}, r.bad), el("td", {}, r.served),
    el("td", { class: "flag" }, r.last_twice ? "连续两月末位" : r.last ? "本月末位" : "")));
  $("#ranking").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
}

function drawCases(c) {
  if (!c) return $("#cases").replaceChildren(el("p", {}, "本厅未启用办件"));
  const l = c.open_by_light;
  $("#cases").replaceChildren(el("table", { class: "grid num" },
    el("tr", {}, ...["受理", "办结", "按时办结", "按时率"].map((h) => el("th", {}, h))),
    el("tr", {}, el("td", {}, c.created), el("td", {}, c.concluded), el("td", {}, c.on_time), el("td", {}, pct(c.on_time_rate)))),
  el("p", { class: "lights" }, ...["green", "yellow", "red"].map((k) =>
    el("span", {}, el("i", { class: `light light-${k}` }), `${{ green: "绿灯", yellow: "黄灯", red: "红灯" }[k]} ${l[k]}　`))));
}

const LIGHT_ORDER = { red: 0, yellow: 1, green: 2 };
const hhmm = (iso) => (iso ? new Date(iso).toLocaleString("zh-CN", {
  timeZone: board.hall?.timezone || "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
}) : "");
const staffName = (id) => (id ? board.data.names.staff[id] || id : "");

/** Open follow-ups first, the nearest deadline first (red, yellow, green; within a light the oldest,
 * whose deadline is the nearest or the longest passed), then the settled ones, newest first. */
function byUrgency(list) {
  const rank = (fu) => (fu.light ? LIGHT_ORDER[fu.light] ?? 3 : ACTIONS[fu.state] ? 3 : 4);
  return [...list].sort((a, b) => rank(a) - rank(b) || (rank(a) < 4 ? a.opened_at.localeCompare(b.opened_at) : 0));
}

/** What has been done so far, each step with who and when: what a supervisor reads back. */
function history(fu) {
  const steps = [];
  if (fu.verified_at) steps.push(`${fu.outcome_label}（${staffName(fu.verified_by)} ${hhmm(fu.verified_at)}）${fu.verify_note}`);
  if (fu.fix_due && !fu.fixed_at) steps.push(`整改期限 ${fu.fix_due}`);
  if (fu.fixed_at && fu.outcome === "rectify") steps.push(`整改完成（${hhmm(fu.fixed_at)}）${fu.fix_note || ""}`);
  if (fu.appeal_upheld !== null) {
    steps.push(`${fu.appeal_upheld ? "申诉成立" : "驳回申诉"}（${staffName(fu.decided_by)}）${fu.decision_note || ""}`);
  }
  if (fu.feedback) steps.push(`${fu.feedback.how_label}反馈（${staffName(fu.feedback.by)} ${hhmm(fu.feedback.at)}）${fu.feedback.note}`);
  if (fu.closed_at) steps.push(`办结 ${hhmm(fu.closed_at)}`);
  return steps.map((s) => el("div", {}, s));
}

function drawFollowups(period, open) {
  const f = period.figures, inPeriod = new Set(period.followups.map((fu) => fu.id));
  const earlier = open.followups.filter((fu) => !inPeriod.has(fu.id));
  const list = [...earlier, ...period.followups];
  $("#fu-figures").textContent = `本区间 ${f.total} · 回访率 ${pct(f.callback_rate)} · 整改率 ${pct(f.fix_rate)} · 申诉成立 ${f.excluded_by_appeal}`
    + ` · 待处理共 ${open.followups.length}${earlier.length ? `（含往期 ${earlier.length}）` : ""}`;
  const head = el("tr", {}, ...["票号", "评价时间", "窗口 · 人员", "评价", "原因", "状态", "时限", "责任", "处理经过", "处理"]
    .map((h) => el("th", { class: "text" }, h)));
  const rows = byUrgency(list).map((fu) => {
    const note = el("input", { type: "text", class: "note", maxlength: 500, placeholder: "说明（申诉、解释须填）", "aria-label": "说明" });
    const problem = el("p", { class: "form-error row-error", role: "alert", hidden: true }); // beside the buttons, not at the page's top
    const again = fu.appeal_upheld === false; // an appeal turned down is not made a second time
    const feeds = ACTIONS[fu.state]?.some(([act]) => act === "feedback");
    const how = feeds // how the citizen was told
      ? el("select", { class: "how", "aria-label": "反馈方式" }, ...FEEDBACK_WAYS.map(([v, label]) => el("option", { value: v }, label)))
      : null;
    // when the citizen was called back or told: a call made this morning may be put down this
    // afternoon; left empty, it is the moment of the click
    const timed = feeds ? "反馈时间" : fu.state === "verify" ? "回访时间" : null;
    const when = timed ? el("input", { type: "datetime-local", class: "when", min: hallMinute(fu.opened_at),
      onfocus: (ev) => { ev.target.max = hallMinute(); } }) : null;
    const acts = (ACTIONS[fu.state] || []).filter(([act]) => !(again && act === "appeal")).map(([act, label]) =>
      el("button", { type: "button", class: "btn btn-secondary", dataset: { act },
        onclick: () => act_(fu, act, { note: note.value, how: how?.value, at: when?.value, problem }) }, label));
    const who = [board.data.names.window[fu.window] || fu.window || "—", staffName(fu.staff)].filter(Boolean).join(" · ");
    return el("tr", { class: inPeriod.has(fu.id) ? null : "earlier", dataset: { followup: fu.id, state: fu.state, light: fu.light || "" } },
      el("td", { class: "text" }, fu.number), el("td", { class: "text" }, hhmm(fu.opened_at)), el("td", { class: "text" }, who),
      el("td", { class: "text" }, fu.level === 1 ? "非常不满意" : "不满意"),
      el("td", { class: "text wrap" }, [...fu.reasons, fu.text].filter(Boolean).join("；")),
      el("td", { class: "text" }, fu.state_label),
      el("td", { class: `text deadline ${fu.light || ""}` }, fu.light ? el("i", { class: `light light-${fu.light}` }) : "", fu.light_reason || ""),
      el("td", { class: "text" }, fu.department + (fu.lead ? ` · ${staffName(fu.lead)}` : "")),
      el("td", { class: "text wrap history" }, ...history(fu)),
      el("td", { class: "text work" }, acts.length ? note : "", el("div", { class: "acts" }, how,
        when ? el("label", { class: "when" }, el("span", {}, `${timed}（不填即现在）`), when) : null, acts), problem));
  });
  $("#followups").replaceChildren(el("thead", {}, head), el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 10 }, "没有差评整改"))));
}

/** A moment (ISO, or now) as the hall's clock reads it, to the minute: "2026-12-07T10:05". */
function hallMinute(iso) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone: board.hall?.timezone || "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(iso ? new Date(iso) : new Date()).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** "2026-12-07T10:05" on the hall's clock, with the hall's offset at that moment: what the API takes. */
function hallMoment(local) {
  const zone = board.hall?.timezone || "Asia/Shanghai";
  const guess = new Date(`${local}:00Z`);
  const offset = new Intl.DateTimeFormat("en", { timeZone: zone, timeZoneName: "longOffset" })
    .formatToParts(guess).find((p) => p.type === "timeZoneName").value.replace("GMT", "") || "+00:00";
  return `${local}:00${offset}`;
}

async function act_(fu, act, { note, how, at, problem }) {
  const token = board.session.token;
  const base = `/followups/${encodeURIComponent(fu.id)}`;
  const told = at ? { at: hallMoment(at) } : {};
  const verify = (outcome) => ["verify", { outcome, note, ...told }];
  const calls = {
    fix_now: verify("fix_now"), rectify: verify("rectify"), explain: verify("explain"), appeal: verify("appeal"),
    upheld: ["appeal-decision", { upheld: true, note }], rejected: ["appeal-decision", { upheld: false, note }],
    rectified: ["rectified", { note }], feedback: ["feedback", { how: how || "phone", note, ...told }], close: ["close", undefined],
  };
  const [path, body] = calls[act];
  try {
    await api(`${base}/${path}`, { method: "POST", body, token });
    await load();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return endSession("登录已过期，请重新登录");
    problem.hidden = false;
    problem.textContent = `⚠ ${err.message}`;
  }
}

async function download(format) {
  const resp = await fetch(`${API}/dashboard/export?format=${format}&${query()}`, {
    headers: { Authorization: `Bearer ${board.session.token}` }, cache: "no-store",
  });
  if (!resp.ok) {
    $("#board-error").hidden = false;
    $("#board-error").textContent = `⚠ 导出失败（HTTP ${resp.status}）`;
    return;
  }
  const name = (resp.headers.get("Content-Disposition") || "").match(/filename="([^"]+)"/)?.[1] || `yiciban.${format}`;
  const url = URL.createObjectURL(await resp.blob());
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

start();
