// The follow page of a ticket: its state every 15 s, and the 好差评 form once the service is done.
// The address is the key: /t/<ticket>.<sig>; the data comes from /public/tickets/<ticket>.<sig>.

const REFRESH_MS = 15000;
const signed = decodeURIComponent(location.pathname.split("/").pop() || "");
const STATUS_URL = `/public/tickets/${encodeURIComponent(signed)}`;

const $ = (id) => document.getElementById(id);
let timer = null;
let rated = false;

function show(id, visible) {
  $(id).hidden = !visible;
}

function clock(date) {
  return date.toLocaleTimeString("zh-CN", { hour12: false });
}

function render(t) {
  document.title = `${t.number} · 排队进度`;
  $("hall-name").textContent = t.hall.name;
  $("number").textContent = t.number;
  $("queue-name").textContent = t.queue_name;
  const state = $("state");
  state.textContent = t.state_label;
  state.dataset.state = t.state;

  const called = t.window_number !== null && t.window_number !== undefined;
  show("call", called);
  if (called) {
    $("window-number").textContent = String(t.window_number);
    $("window-name").textContent = t.window_name || "";
  }
  const waiting = t.state === "waiting";
  show("waiting", waiting);
  show("waiting-hint", waiting);
  if (waiting) {
    $("ahead").textContent = String(t.people_ahead);
    $("wait").textContent = String(t.estimated_wait_minutes);
  }
  if (t.may_rate && !rated) {
    if ($("rating").hidden) fillReasons(t.bad_reasons);
    show("rating", true);
  } else {
    show("rating", false);
  }
  show("thanks", t.rated || rated);
  show("loading", false);
  show("missing", false);
  show("ticket", true);
  $("updated").textContent = clock(new Date());
}

function fillReasons(reasons) {
  const list = $("reason-list");
  list.replaceChildren();
  for (const reason of reasons) {
    const label = document.createElement("label");
    label.className = "reason";
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "reason";
    box.value = reason;
    label.append(box, " ", reason);
    list.append(label);
  }
}

async function refresh() {
  clearTimeout(timer);
  try {
    const resp = await fetch(STATUS_URL, { cache: "no-store", headers: { Accept: "application/json" } });
    show("offline", false);
    if (resp.status === 404) {
      show("loading", false);
      show("ticket", false);
      show("rating", false);
      show("missing", true);
      return; // a wrong link does not become right by waiting
    }
    if (resp.ok) render(await resp.json());
  } catch {
    show("offline", true);
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

function selectedLevel() {
  const checked = document.querySelector("input[name=level]:checked");
  return checked ? Number(checked.value) : null;
}

function onLevelChanged() {
  const level = selectedLevel();
  show("reasons", level !== null && level <= 2);
}

async function onRatingSubmitted(event) {
  event.preventDefault();
  const error = $("rating-error");
  error.hidden = true;
  const level = selectedLevel();
  const reasons = level !== null && level <= 2
    ? Array.from(document.querySelectorAll("input[name=reason]:checked"), (b) => b.value)
    : [];
  const text = $("rating-text").value.trim();
  if (level === null) {
    error.textContent = "请选择满意程度";
    error.hidden = false;
    return;
  }
  if (level <= 2 && reasons.length === 0 && !text) {
    error.textContent = "差评须选择或填写原因";
    error.hidden = false;
    return;
  }
  const button = event.target.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const resp = await fetch(`${STATUS_URL}/rating`, {
      method: "POST",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ level, reasons, text }),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      error.textContent = data.message || `提交失败（${resp.status}），请稍后再试`;
      error.hidden = false;
      if (resp.status === 409) await refresh(); // already rated, or not finished after all
      return;
    }
    rated = true;
    render(data);
  } catch {
    error.textContent = "网络中断，评价未提交，请稍后再试";
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

$("rating-form").addEventListener("change", onLevelChanged);
$("rating-form").addEventListener("submit", onRatingSubmitted);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh(); // a phone woken up shows the present at once
});
refresh();
