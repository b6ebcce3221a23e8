// The follow page of a ticket: its state every 15 s, and the 好差评 form once the service is done,
// in Chinese or English (phone.js). The address is the key: /t/<ticket>.<sig>; the data comes
// from /public/tickets/<ticket>.<sig>.

import {
  LEVELS, PageTexts, RATING_EN, choice, clock, formProblem, mountSwitch, putName, reasonChoices, refusal, relabel,
  unsent,
} from "/ui/phone.js";

const REFRESH_MS = 15000;
const signed = decodeURIComponent(location.pathname.split("/").pop() || "");
const STATUS_URL = `/public/tickets/${encodeURIComponent(signed)}`;
const STATES_EN = {
  waiting: "Waiting", called: "Called", serving: "Being served", done: "Completed", no_show: "Missed",
  cancelled: "Cancelled", expired: "Expired",
};

const texts = new PageTexts({
  ...RATING_EN,
  page_title: "Queue progress · Yiciban",
  hall: "Government Service Center",
  subtitle: "Queue progress",
  loading: "Looking up your ticket…",
  missing_title: "Ticket not found",
  missing_text: "The link may be incomplete. Please scan the QR code on your ticket again.",
  your_number: "Your number",
  ahead: "People ahead",
  people: "",
  wait: "Estimated wait",
  about: "about",
  minutes: "min",
  waiting_hint: "Watch the hall's screen and listen for your number. If you miss your call, go to the information desk.",
  rating_title: "Please rate this service",
  thanks_text: "Your feedback helps us improve our service.",
  refresh: "Refreshes every 15 s",
  title: (number) => `${number} · Queue progress`,
});

const $ = (id) => document.getElementById(id);
let timer = null;
let rated = false;
let last = null; // the ticket as last shown: a change of language draws it again

function show(id, visible) {
  $(id).hidden = !visible;
}

function windowLine(t, lang) {
  const n = String(t.window_number);
  $("call-text").replaceChildren(...(lang === "en" ? ["Please go to window ", strong(n)] : ["请到 ", strong(n), " 号窗口办理"]));
  putName($("window-name"), t, "window_name", lang);
  const plain = lang === "en" ? `window ${n}` : `${n}号窗口`;
  if ($("window-name").textContent.toLowerCase() === plain.toLowerCase()) $("window-name").textContent = ""; // no echo
}

function strong(text) {
  const el = Object.assign(document.createElement("strong"), { id: "window-number", textContent: text });
  el.dataset.testid = "window";
  return el;
}

function render(t) {
  last = t;
  const lang = texts.language;
  document.title = lang === "en" ? texts.t("title", t.number) : `${t.number} · 排队进度`;
  putName($("hall-name"), t.hall, "name", lang);
  $("number").textContent = t.number;
  putName($("queue-name"), t, "queue_name", lang);
  const state = $("state");
  state.textContent = lang === "en" ? STATES_EN[t.state] || t.state : t.state_label;
  state.dataset.state = t.state;

  const called = t.window_number !== null && t.window_number !== undefined;
  show("call", called);
  if (called) windowLine(t, lang);
  const waiting = t.state === "waiting";
  show("waiting", waiting);
  show("waiting-hint", waiting);
  if (waiting) {
    $("ahead").textContent = String(t.people_ahead);
    if (lang === "en") $("ahead-unit").textContent = t.people_ahead === 1 ? "person" : "people";
    $("wait").textContent = String(t.estimated_wait_minutes);
  }
  if (t.may_rate && !rated) {
    if ($("rating").hidden) fillReasons(t.bad_reasons, t.bad_reasons_en);
    show("rating", true);
  } else {
    show("rating", false);
  }
  show("thanks", t.rated || rated);
  show("loading", false);
  show("missing", false);
  show("ticket", true);
  $("updated").textContent = clock(new Date(), lang);
}

function fillReasons(reasons, reasonsEn) {
  $("reason-list").replaceChildren(...reasonChoices(reasons, reasonsEn, texts.language));
}

function redraw() {
  relabel($("rating-form"), texts.language);
  if (!$("rating-error").hidden) $("rating-error").hidden = true; // its words were the other language's
  if (last) render(last);
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
  $("rating-error").hidden = true; // a new choice: the old complaint about the form no longer holds
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
  const problem = formProblem(level, reasons, text, texts.language);
  if (problem) {
    error.textContent = problem;
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
      error.textContent = refusal(resp.status, data, texts.language);
      error.hidden = false;
      if (resp.status === 409) await refresh(); // already rated, or not finished after all
      return;
    }
    rated = true;
    render(data);
  } catch {
    error.textContent = unsent(texts.language);
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
}

$("levels").append(...LEVELS.map(([v, zh, en]) => choice("radio", "level", v, zh, en, v <= 2 ? "level level-bad" : "level")));
mountSwitch(texts, redraw);
relabel($("rating-form"), texts.language);
$("rating-form").addEventListener("change", onLevelChanged);
$("rating-form").addEventListener("submit", onRatingSubmitted);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) refresh(); // a phone woken up shows the present at once
});
refresh();
