// The phone page of a case (办件): stage, light, promised date, what is missing, where and when
// to pick up, and 好差评 once its service has ended (一事一评), in Chinese or English (phone.js:
// the hall's English names where it gave them). The address is the key: /c/<number>.<sig>,
// printed as the QR of every notice; the data is /public/cases/<number>.<sig>.

import {
  LEVELS, PageTexts, RATING_EN, choice, clock, day, formProblem, mountSwitch, pickAt, putName,
  putWords, reasonChoices, refusal, relabel, unsent,
} from "/ui/phone.js";

const REFRESH_MS = 60000;
const ref = decodeURIComponent(location.pathname.split("/").pop() || "");
const DATA_URL = `/public/cases/${encodeURIComponent(ref)}`;
const LIGHTS = { zh: { green: "正常办理", yellow: "临近时限", red: "已超期" },
  en: { green: "On track", yellow: "Due soon", red: "Overdue" } };
const STATES_EN = {
  presubmitted: "Pre-check", correction: "Materials needed", refused: "Not accepted", accepted: "Accepted",
  handling: "In progress", concluded: "Completed", delivered: "Result handed over", closed: "Archived",
};
// the words the hall itself writes beside a material asked for (hall.cases.engine)
const ITEM_REASONS = { zh: {}, en: { 未提供: "not provided", 不符合要求: "does not meet the requirements" } };

const texts = new PageTexts({
  ...RATING_EN,
  page_title: "Case progress · Yiciban",
  hall: "Government Service Center",
  subtitle: "Case progress · one rating per case",
  loading: "Looking up your case…",
  missing_text: "Case not found: the link may be incomplete. Please scan the QR code on the notice again.",
  case_number: "Case number",
  due: "Promised by",
  provisional: "(provisional: may move with holiday changes)",
  department: "Department",
  result: "Decision",
  todo_title: "Please bring these materials",
  refused: "Not accepted",
  place: "Place",
  hours: "Hours",
  phone: "Phone",
  rating_title: "Please rate how this case was handled",
  thanks: "Thank you for your rating. Each case is rated once, and this one has been.",
  refresh: "Refreshes every 60 s",
});
const ZH = {
  title: (n) => `${n} · 办件进度`, approved: "准予（已批准）", denied: "不予批准",
  reason: (r) => ["（", r, "）"], deadline: (d) => `请于 ${d} 前到大厅补正，一次补齐即可。`,
  redirect: (x) => ["可向：", x, " 申请"], posted: "结果已寄出", picked: "结果已领取", pickup: "领取结果",
  tracking: (n) => `快递单号 ${n}`, picked_on: (d) => `已于 ${d} 领取。`,
  ready: "结果已办好：请凭身份证或本通知书二维码到大厅领取，也可申请免费邮寄。",
};
const EN = {
  title: (n) => `${n} · Case progress`, approved: "Approved", denied: "Not approved",
  reason: (r) => [" (", r, ")"],
  deadline: (d) => `Please bring them to the hall by ${d}. Bringing everything at once is enough.`,
  redirect: (x) => ["You may apply to: ", x], posted: "Result sent by post", picked: "Result picked up",
  pickup: "Pick up the result", tracking: (n) => `Tracking number ${n}`, picked_on: (d) => `Picked up on ${d}.`,
  ready: "The result is ready. Pick it up at the hall with your ID card or this notice's QR code, "
    + "or ask for free delivery by post.",
};
const byId = (id) => document.getElementById(id);
const state = { timer: null, ratedHere: false, last: null };

function put(id, text) {
  byId(id).textContent = text ?? "";
}

function reveal(id, on) {
  byId(id).hidden = !on;
}

/** A span of `text`, marked Chinese where it is on an English page. */
function words(text, lang) {
  const span = document.createElement("span");
  putWords(span, text, lang);
  return span;
}

function paintFacts(c, lang, w) {
  document.title = w.title(c.number);
  putName(byId("hall-name"), c.hall, "name", lang);
  put("number", c.number);
  putName(byId("matter"), c, "matter_name", lang);
  put("state", lang === "en" ? STATES_EN[c.state] || c.state : c.state_label);
  byId("state").dataset.state = c.state;
  const light = byId("light");
  light.hidden = !c.light;
  light.className = `light light-${c.light}`;
  light.dataset.light = c.light || "";
  put("light", LIGHTS[lang][c.light] || "");
  reveal("due-row", Boolean(c.due));
  put("due", day(c.due, lang));
  reveal("provisional", Boolean(c.due_provisional));
  putName(byId("department"), c, "department", lang);
  reveal("result-row", c.approved !== null && c.approved !== undefined);
  put("result", c.approved ? w.approved : w.denied);
}

function paintTodo(c, lang, w) {
  const correcting = c.state === "correction" || (c.state === "presubmitted" && c.missing.length > 0);
  reveal("todo", correcting);
  const items = c.correction?.items?.length ? c.correction.items
    : c.missing.map((m, i) => ({ material: m, material_en: pickAt(c.missing, c.missing_en, i, "en") }));
  byId("missing-list").replaceChildren(...items.map((i) => {
    const li = document.createElement("li");
    const name = document.createElement("span");
    putName(name, i, "material", lang);
    li.append(name, ...(i.reason ? w.reason(words(ITEM_REASONS[lang][i.reason] || i.reason, lang)) : []));
    return li;
  }));
  put("deadline", c.correction?.deadline ? w.deadline(day(c.correction.deadline, lang)) : "");
  reveal("refusal", Boolean(c.refusal));
  putWords(byId("refusal-reason"), c.refusal?.reason, lang); // the window's own words
  byId("refusal-redirect").replaceChildren(...(c.refusal?.redirect ? w.redirect(words(c.refusal.redirect, lang)) : []));
}

function paintPickup(c, lang, w) {
  const posted = c.delivery?.method === "post";
  reveal("pickup", c.state === "concluded" || Boolean(c.delivery));
  put("pickup-title", c.delivery ? (posted ? w.posted : w.picked) : w.pickup);
  put("pickup-text", posted ? w.tracking(c.delivery.tracking) : c.delivery ? w.picked_on(day(c.delivery.day, lang))
    : w.ready);
  for (const key of ["address", "hours", "phone"]) {
    putName(byId(`pickup-${key}`), c.pickup, key, lang);
    byId(`pickup-${key}`).parentElement.hidden = !c.pickup[key]; // a hall that did not say: no empty row
  }
}

function paint(c) {
  state.last = c;
  const lang = texts.language;
  const words = lang === "en" ? EN : ZH;
  paintFacts(c, lang, words);
  paintTodo(c, lang, words);
  paintPickup(c, lang, words);
  const rated = c.rated || state.ratedHere;
  if (c.may_rate && !rated && byId("rating").hidden) reasonsFrom(c.bad_reasons, c.bad_reasons_en);
  reveal("rating", c.may_rate && !rated);
  reveal("thanks", rated);
  reveal("loading", false);
  reveal("missing", false);
  reveal("case", true);
  put("updated", clock(new Date(), lang));
}

function reasonsFrom(reasons, reasonsEn) {
  const box = byId("reasons");
  box.replaceChildren(box.querySelector("legend"), ...reasonChoices(reasons, reasonsEn, texts.language));
}

function redraw() {
  relabel(byId("rating-form"), texts.language);
  reveal("rating-error", false); // its words were the other language's
  if (state.last) paint(state.last);
}

async function load() {
  clearTimeout(state.timer);
  try {
    const resp = await fetch(DATA_URL, { cache: "no-store", headers: { Accept: "application/json" } });
    reveal("offline", false);
    if (resp.status === 404) {
      for (const id of ["loading", "case", "todo", "refusal", "pickup", "rating"]) reveal(id, false);
      reveal("missing", true);
      return; // a wrong link does not become right by waiting
    }
    if (resp.ok) paint(await resp.json());
  } catch {
    reveal("offline", true);
  }
  state.timer = setTimeout(load, REFRESH_MS);
}

function level() {
  const picked = document.querySelector("input[name=level]:checked");
  return picked ? Number(picked.value) : null;
}

function fail(text) {
  put("rating-error", text);
  reveal("rating-error", true);
}

async function submit(event) {
  event.preventDefault();
  reveal("rating-error", false);
  const lvl = level();
  const bad = lvl !== null && lvl <= 2;
  const reasons = bad ? [...document.querySelectorAll("input[name=reason]:checked")].map((b) => b.value) : [];
  const text = byId("rating-text").value.trim();
  const problem = formProblem(lvl, reasons, text, texts.language);
  if (problem) return fail(problem);
  const button = event.target.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const resp = await fetch(`${DATA_URL}/rating`, {
      method: "POST", cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ level: lvl, reasons, text }),
    });
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) {
      fail(refusal(resp.status, data, texts.language));
      if (resp.status === 409) await load(); // rated already, from another phone
      return;
    }
    state.ratedHere = true;
    paint(data);
  } catch {
    fail(unsent(texts.language));
  } finally {
    button.disabled = false;
  }
}

byId("levels").append(...LEVELS.map(([v, zh, en]) => choice("radio", "level", v, zh, en, v <= 2 ? "level level-bad" : "level")));
mountSwitch(texts, redraw);
relabel(byId("rating-form"), texts.language);
byId("rating-form").addEventListener("change", () => {
  reveal("rating-error", false); // a new choice: the old complaint about the form no longer holds
  reveal("reasons", (level() ?? 5) <= 2);
});
byId("rating-form").addEventListener("submit", submit);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) load();
});
load();
