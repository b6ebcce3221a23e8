// The window's cases (办件) in the staff console: open a case for the ticket being served, then
// 受理, 补正 or 不予受理 and print the notice; later steps, 办结 and 出件 from the list of the
// window's open cases with their lights.
//
// Keyboard first: "/" (or Alt+M) goes to the matter, Enter in the form accepts (受理), Alt+B asks
// for 补正, Alt+N refuses. The server decides; every refusal is shown in its own words, and a case
// left in 预审 by a refused 受理 is kept, so the next try acts on the same case.
import { $, ApiError, api, debounce, el, numberOf } from "./app.js";
import { materialRow, materialsBody, missingRequired, nonconformingItems } from "./case_materials.js";

const LIGHT = { green: "正常", yellow: "预警", red: "超期" };
const OPEN = "presubmitted,correction,accepted,handling,concluded";
const STEPS = ["审查", "现场核查", "听证", "检验", "检测", "鉴定", "专家评审"];

const cs = {
  token: null, windowId: null, ticket: null, card: null, seq: -1,
  guides: [], matter: null, draft: null, // draft: {ticket, number}: a case opened, not yet decided
  listDrawn: "", // what the open cases' list shows, to draw it again only when that changes
  dates: null, // the dates a decision today sets for the chosen matter (GET /cases/dates)
  busy: false,
};

// -- following the console

document.addEventListener("desk:render", (ev) => {
  const { token, windowId, view, seq } = ev.detail;
  const first = cs.token !== token || cs.windowId !== windowId;
  cs.token = token;
  cs.windowId = windowId;
  const t = view?.ticket?.state === "serving" ? view.ticket : null;
  if ((t?.id || null) !== (cs.ticket?.id || null)) {
    cs.ticket = t;
    cs.card = null;
    resetForm();
    if (t) say("ok", ""); // the last applicant's outcome is in the list; not shown to the next one
    if (t) lookUpCard(t.id);
  }
  cs.ticket = t ? { ...t, id_masked: cs.card } : null;
  $("#case-desk").hidden = false;
  renderTicket();
  if (first) loadGuides();
  if (first || seq !== cs.seq) refreshList();
  cs.seq = seq;
});

function renderTicket() {
  const t = cs.ticket;
  $("#case-ticket").textContent = t ? `为 ${t.number} 办件` : "开始办理一张票后可为其办件";
  $("#case-form").toggleAttribute("inert", !t);
  $("#case-form").classList.toggle("disabled", !t);
  const card = $("#case-from-card");
  card.disabled = !t?.id_masked;
  $("#case-card-id").textContent = t?.id_masked ? t.id_masked : "取号时未刷身份证";
  if (!t?.id_masked && card.checked) $("#case-typed").checked = true;
  $("#case-id").disabled = card.checked;
}

/** The masked ID number of the card swiped for the ticket, if one was (the window sees it). */
async function lookUpCard(ticket) {
  try {
    const found = await api(`/tickets/${encodeURIComponent(ticket)}`, { token: cs.token });
    if (cs.ticket?.id !== ticket) return;
    cs.card = found.id_masked || null;
    cs.ticket = { ...cs.ticket, id_masked: cs.card };
    if (cs.card && !cs.draft && !$("#case-id").value) $("#case-from-card").checked = true;
    renderTicket();
  } catch (err) {
    say("error", err.message);
  }
}

async function loadGuides() {
  try {
    cs.guides = (await api("/guides", { token: cs.token })).guides;
    showMatches();
  } catch (err) {
    say("error", err.message);
  }
}

// -- choosing the matter: name, code or pinyin initials

function matches(query) {
  const q = query.trim().toLowerCase();
  if (!q) return cs.guides.slice(0, 8);
  return cs.guides.filter((g) =>
    g.name.includes(q) || String(g.code).startsWith(q) || (g.initials || "").includes(q)).slice(0, 8);
}

/** The matches under the matter field while the clerk is choosing one; at rest (a new ticket,
 * nothing typed, the field not focused) the list stays folded, so it does not push the form and
 * the open cases down the screen. */
function showMatches() {
  const list = $("#case-matches");
  const input = $("#case-matter");
  const resting = !input.value.trim() && document.activeElement !== input && !list.contains(document.activeElement);
  const found = cs.matter || resting ? [] : matches(input.value);
  list.replaceChildren(...found.map((g, i) =>
    el("li", {},
      el("button", {
        type: "button", class: "matter-choice", "data-code": g.code, "aria-selected": i === 0 ? "true" : null,
        onclick: () => pickMatter(g),
      }, el("b", {}, g.name), el("span", { class: "code" }, g.code),
      el("span", { class: "days" }, g.promised_days ? `${g.promised_days} 个工作日` : "即办")))));
  list.hidden = !found.length;
}

function pickMatter(g) {
  cs.matter = g;
  $("#case-matter").value = `${g.name}（${g.code}）`;
  $("#case-matches").hidden = true;
  const rows = (g.materials || []).map(materialRow);
  $("#case-materials").replaceChildren(...rows);
  $("#case-materials-box").hidden = !rows.length;
  cs.dates = null;
  showFacts(g);
  showOutcome();
  loadDates(g);
  const first = $("#case-materials input");
  (first || $("#case-accept")).focus();
}

/** What the clerk tells the citizen before deciding: who handles the matter, its promised and
 * legal limits (working days from the day after acceptance) and its fee. */
function showFacts(g) {
  const limit = g.promised_days ? `承诺 ${g.promised_days} 个工作日办结（自受理次日起算）` : "即办（当场办结）";
  const legal = g.legal_days ? `，法定 ${g.legal_days} 个工作日` : "";
  const facts = $("#case-matter-facts");
  const due = dueText();
  facts.replaceChildren(el("b", {}, due || limit), `${due ? ` · ${limit}` : ""}${legal} · ${g.department || "—"} · ${g.fee || "收费未登记"}`);
  facts.hidden = false;
}

/** The promised date if accepted today and the 补正 deadline if asked today, from the hall's
 * working-day calendar: what the notice will print, known before the key is pressed. */
async function loadDates(g) {
  try {
    const found = await api(`/cases/dates?matter=${encodeURIComponent(g.code)}`, { token: cs.token });
    if (cs.matter?.code !== g.code) return;
    cs.dates = found;
    showFacts(g);
    showOutcome();
  } catch (err) {
    say("error", err.message);
  }
}

function dueText() {
  const d = cs.dates;
  if (!d) return "";
  return d.promised_days ? `受理则承诺 ${d.due}${d.due_provisional ? "（暂定）" : ""} 前办结` : `受理则当场办结（${d.due}）`;
}

/** What a decision now would tell the citizen: what 补正 would list and by when, or the promised date. */
function showOutcome() {
  const box = $("#case-outcome");
  if (!cs.matter) {
    box.hidden = true;
    return;
  }
  const missing = missingRequired();
  box.dataset.outcome = missing.length ? "missing" : "complete";
  const deadline = cs.dates ? `，补正期限 ${cs.dates.correction_deadline}` : "";
  const due = dueText();
  box.textContent = missing.length
    ? `需补正 ${missing.length} 项材料：${missing.join("、")}。补正通知书将一次性列出这些材料${deadline}（Alt+B）`
    : `必需材料齐全，可以受理${due ? `：${due}` : ""}（Enter）`;
  box.hidden = false;
}

// -- the case as typed

function createBody() {
  if (!cs.matter) throw new ApiError(0, "请先选择事项（输入名称、编码或拼音首字母）");
  const name = $("#case-name").value.trim();
  const applicant = $("#case-from-card").checked
    ? { from_ticket: true, name }
    : { id_number: $("#case-id").value.trim(), name };
  if (!applicant.from_ticket && !applicant.id_number) throw new ApiError(0, "请输入申请人身份证号，或选用取号时刷的身份证");
  const phone = $("#case-phone").value.trim();
  return { matter: cs.matter.code, applicant, window: cs.windowId, ...(phone ? { phone } : {}), ...materialsBody() };
}

/** The case of the ticket being served: opened once, then its materials updated on each try. */
async function currentCase() {
  if (cs.draft && cs.draft.ticket === cs.ticket.id) {
    return (await api(`/cases/${cs.draft.number}/materials`, { method: "POST", token: cs.token, body: materialsBody() })).case;
  }
  const made = (await api("/cases", { method: "POST", token: cs.token, body: createBody() })).case;
  cs.draft = { ticket: cs.ticket.id, number: made.number };
  $("#case-number").textContent = `办件号 ${made.number}（预审）`;
  return made;
}

async function decide(kind, body) {
  if (cs.busy || !cs.ticket) return;
  cs.busy = true;
  let tab = null;
  try {
    if (!cs.draft || cs.draft.ticket !== cs.ticket.id) createBody(); // a form not filled in opens no tab
    tab = window.open("", "_blank"); // opened on the key or click, so no popup blocker stops it
    const opened = await currentCase();
    const path = { accept: "accept", correction: "correction", refusal: "refusal" }[kind];
    const done = (await api(`/cases/${opened.number}/${path}`, { method: "POST", token: cs.token, body: { window: cs.windowId, ...body } })).case;
    cs.draft = null; // decided: whatever the printer does, the next case is a new one
    resetForm();
    refreshList();
    say("ok", decidedText(done));
    $("#case-matter").focus(); // ready for the next case
    await openNotice(done.number, tab).catch((err) =>
      say("error", `${done.number} ${done.state_label}，但${err.message}：可在下方列表点「通知书」再打印`));
  } catch (err) {
    tab?.close();
    say("error", err.message);
  } finally {
    cs.busy = false;
  }
}

function decidedText(c) {
  if (c.state === "accepted") return `${c.number} 已受理，承诺 ${c.due}${c.due_provisional ? "（暂定，如遇节假日调整顺延）" : ""} 前办结；受理通知书已打开`;
  if (c.state === "correction") return `${c.number} 需补正：${(c.correction?.items || []).map((i) => i.material).join("、")}；补正材料通知书已打开`;
  return `${c.number} 不予受理；不予受理通知书已打开`;
}

/** The notice as PDF in a tab of its own, where the browser prints it. */
function openNotice(number, tab = window.open("", "_blank")) {
  return openPdf(`/api/v1/cases/${number}/notice`, `打开 ${number} 的通知书（打印）`, "通知书打印失败", tab);
}

/** A PDF the hall serves to staff (a notice, a material's pages), in a tab of its own; when the
 * browser keeps the tab from opening, a link to it beside the message. */
async function openPdf(path, linkText, failure, tab = window.open("", "_blank")) {
  const resp = await fetch(path, { headers: { Authorization: `Bearer ${cs.token}` }, cache: "no-store" });
  if (!resp.ok) {
    tab?.close();
    let message = `${failure}（HTTP ${resp.status}）`;
    try { message = (await resp.json()).message || message; } catch { /* keep the status */ }
    throw new ApiError(resp.status, message);
  }
  const url = URL.createObjectURL(await resp.blob());
  if (tab) {
    tab.location.href = url;
    return;
  }
  const m = $("#case-notice-link");
  m.replaceChildren(el("a", { href: url, target: "_blank", rel: "noopener" }, linkText));
  m.hidden = false;
}

/** The pages a kiosk captured for a case, material by material, in a row under the case's own:
 * each opens as a PDF while the hall holds it; once the platform has it, the row says so. */
const pagesOpen = new Set(); // the cases whose pages' row is shown: kept open as the list refreshes

function togglePages(c) {
  const shown = document.querySelector(`#case-list tr[data-pages-of="${c.number}"]`);
  if (shown) {
    pagesOpen.delete(c.number);
    shown.remove();
    return Promise.resolve();
  }
  pagesOpen.add(c.number);
  return showPages(c);
}

async function showPages(c) {
  const found = await api(`/cases/${c.number}/pages`, { token: cs.token });
  const items = found.pages.map((p) => el("li", { "data-pages": p.id },
    `${p.material}：${p.pages} 页 `,
    p.held ? el("button", { type: "button", class: "btn btn-secondary btn-small", "data-case-act": "open-pages",
      onclick: () => guard(() => openPdf(`/api/v1/cases/${c.number}/pages/${p.id}`, `打开 ${p.material}`, "材料影像打开失败")) }, "查看")
      : el("small", { class: "pages-gone" }, "已送达平台，本厅已删除")));
  if (!items.length) items.push(el("li", {}, "这个办件没有自助终端拍摄的材料"));
  const row = document.querySelector(`#case-list tr[data-case="${c.number}"]`);
  if (!row || !pagesOpen.has(c.number)) return; // the list changed while the pages were asked for
  row.nextElementSibling?.dataset.pagesOf === c.number && row.nextElementSibling.remove();
  row.after(el("tr", { class: "case-pages", "data-pages-of": c.number },
    el("td", { colspan: 8 }, el("strong", {}, "材料影像"), el("ul", {}, ...items))));
}

function resetForm() {
  cs.matter = null;
  cs.draft = null;
  $("#case-form").reset();
  if (cs.card) $("#case-from-card").checked = true;
  $("#case-id").disabled = $("#case-from-card").checked;
  $("#case-materials").replaceChildren();
  $("#case-materials-box").hidden = true;
  $("#case-number").textContent = "";
  $("#case-form .case-who").disabled = false;
  $("#case-refusal").hidden = true;
  $("#case-matter-facts").hidden = true;
  showOutcome();
  showMatches();
}

function say(kind, text) {
  $("#case-notice-link").hidden = true;
  const m = $("#case-message");
  m.hidden = !text;
  m.className = `message message-${kind}`;
  m.textContent = text;
}

// -- the window's open cases

const refreshList = debounce(async () => {
  if (!cs.token) return;
  try {
    const found = await api(`/cases?state=${OPEN}`, { token: cs.token });
    const mine = found.cases.filter((c) => c.window === cs.windowId || c.window === null).sort(urgentFirst);
    // drawn again only when something shown changed: every hall event asks, and a row redrawn
    // under the clerk's pointer would swallow the click on its button
    const drawn = JSON.stringify([Boolean(cs.ticket), mine]);
    if (drawn === cs.listDrawn) return;
    cs.listDrawn = drawn;
    $("#case-count").textContent = `${mine.length} 件`;
    $("#case-list").replaceChildren(...mine.map(caseRow));
    for (const c of mine.filter((x) => pagesOpen.has(x.number))) showPages(c).catch((err) => say("error", err.message));
    $("#case-empty").hidden = mine.length > 0;
  } catch (err) {
    say("error", err.message);
  }
}, 150);

const URGENCY = { red: 0, yellow: 1, green: 2 };

/** Overdue first, then those near their deadline, each by the date they are due: a clerk in a busy
 * hall sees what must be done today at the top, not under the cases opened this morning. */
function urgentFirst(a, b) {
  const rank = (c) => URGENCY[c.light] ?? 3;
  const due = (c) => c.due || c.correction?.deadline || "9999";
  return rank(a) - rank(b) || due(a).localeCompare(due(b)) || a.number.localeCompare(b.number);
}

/** The light's reason in a few words under the date: 已超期 3 个工作日, 剩余 1 个工作日, 今日到期. */
function lightReason(c) {
  const text = (c.light_reason || "").replace(/（应于.*）$/, "");
  return text ? el("small", { class: `light-reason light-reason-${c.light}` }, text) : null;
}

function caseRow(c) {
  const light = c.light || "none";
  const open = c.steps.find((s) => !s.finished);
  const act = (label, fn, attrs = {}) => el("button", { type: "button", class: "btn btn-secondary btn-small", onclick: () => guard(fn), ...attrs }, label);
  const actions = [];
  if (["accepted", "handling"].includes(c.state)) {
    actions.push(open ? act(`结束${open.name}`, () => post(c, "steps/finish", undefined,
      (done) => `${done.number} ${open.name}结束，承诺 ${done.due} 前办结`), { "data-case-act": "finish-step" })
      : act("环节", () => stepDialog(c), { "data-case-act": "step" }));
    actions.push(act("办结", () => concludeDialog(c), { "data-case-act": "conclude" }));
  }
  if (["presubmitted", "correction"].includes(c.state)) {
    actions.push(act("续办", () => resume(c), { "data-case-act": "resume", disabled: !cs.ticket }));
  }
  if (c.state === "concluded") actions.push(act("出件", () => deliverDialog(c), { "data-case-act": "deliver" }));
  if (c.channel === "kiosk" || c.correction?.supplied) actions.push(act("材料影像", () => togglePages(c), { "data-case-act": "pages" }));
  if (c.state !== "presubmitted") actions.push(act("通知书", () => openNotice(c.number), { "data-case-act": "notice" }));
  return el("tr", { "data-case": c.number, "data-light": light, "data-state": c.state },
    el("td", {}, el("span", { class: `light light-${light}`, title: c.light_reason || "" }, LIGHT[c.light] || "—")),
    el("td", { class: "num" }, c.number),
    el("td", {}, c.matter_name),
    el("td", { class: "applicant" }, ...applicantCell(c)),
    el("td", {}, c.state_label, open ? el("small", { class: `step${open.pauses ? " step-paused" : ""}` },
      open.pauses ? `${open.name}中，暂停计时` : `${open.name}中`) : null),
    el("td", { class: "due" }, c.due ? el("span", {}, c.due, c.due_provisional ? el("small", { class: "provisional" }, " 暂定") : null)
      : c.correction ? `补正至 ${c.correction.deadline}` : "—", lightReason(c)),
    el("td", {}, c.ticket ? numberOf(c.ticket) : "—"),
    el("td", {}, el("div", { class: "acts" }, ...actions)));
}

/** The applicant as the hall keeps it: the masked name and ID number, or the organisation. */
function applicantText(c) {
  const a = c.applicant || {};
  if (a.kind === "organisation") return `${a.org_name}（${a.credit_code}）`;
  return [a.name_masked, a.id_masked].filter(Boolean).join(" ") || "—";
}

/** The applicant in the list: the name on its line, the ID number (or credit code) under it. */
function applicantCell(c) {
  const a = c.applicant || {};
  if (a.kind === "organisation") return [a.org_name, el("small", {}, a.credit_code)];
  return [a.name_masked || "", el("small", {}, a.id_masked || "—")];
}

/** The card swiped for the ticket being served, when it is not the case's applicant's. */
function otherPerson(c) {
  const a = c.applicant || {};
  return a.kind !== "organisation" && cs.card && a.id_masked && cs.card !== a.id_masked ? cs.card : null;
}

/** A case back at the window (补正 brought, or a kiosk's 预审): into the form, its materials as
 * recorded, so the staff tick what came and decide again (the decision acts on this case). */
function resume(c) {
  const guide = cs.guides.find((g) => g.code === c.matter);
  if (!guide || !cs.ticket) throw new ApiError(0, "请先开始办理申请人的票，再续办");
  pickMatter(guide);
  cs.draft = { ticket: cs.ticket.id, number: c.number };
  $("#case-number").textContent = `续办 ${c.number}（${c.state_label}）· 申请人 ${applicantText(c)}`;
  $("#case-form .case-who").disabled = true; // the case's applicant stays; the fields would mislead
  for (const row of document.querySelectorAll("#case-materials .material")) {
    const m = c.materials.find((x) => x.name === row.dataset.material);
    const got = m?.provision && m.provision !== "missing";
    row.querySelector("input[name=got]").checked = Boolean(got);
    if (got) row.querySelector("select").value = m.provision;
  }
  showOutcome();
  const other = otherPerson(c);
  if (other) say("error", `注意：本票取号时刷的身份证 ${other} 不是办件 ${c.number} 的申请人（${applicantText(c)}），请核对身份或代办手续后再续办`);
  else say("ok", `续办 ${c.number}：勾选补齐的材料后按 Enter 受理`);
}

async function post(c, path, body, told = (done) => `${done.number} ${done.state_label}`) {
  const done = (await api(`/cases/${c.number}/${path}`, { method: "POST", token: cs.token, body })).case;
  say("ok", told(done));
  refreshList();
  return done;
}

async function guard(fn) {
  try {
    await fn();
  } catch (err) {
    say("error", err.message);
  }
}

/** One small dialog for the later actions: its fields, and what OK does with them. */
function ask(title, fields, onOk) {
  const dialog = $("#case-dialog");
  $("#case-dialog-title").textContent = title;
  $("#case-dialog-fields").replaceChildren(...fields);
  const form = $("#case-dialog-form");
  form.onsubmit = (ev) => {
    ev.preventDefault();
    dialog.close();
    guard(() => onOk(new FormData(form)));
  };
  dialog.showModal();
  form.querySelector("select, input")?.focus();
}

function stepDialog(c) {
  ask(`${c.number} 开始环节`, [
    el("label", { for: "case-step" }, "环节（听证、检验、检测、鉴定、专家评审不计入时限）"),
    el("select", { id: "case-step", name: "step" }, ...STEPS.map((s) => el("option", { value: s }, s))),
  ], (f) => post(c, "steps", { step: f.get("step") }, (done) => {
    const step = done.steps.find((x) => !x.finished);
    return `${done.number} 开始${step?.name || f.get("step")}${step?.pauses ? "：暂停计时，不计入办结时限，结束后承诺日期顺延" : ""}`;
  }));
}

function concludeDialog(c) {
  ask(`${c.number} 办结`, [
    el("label", { class: "radio" }, el("input", { type: "radio", name: "approved", value: "yes", checked: true }), " 准予（批准）"),
    el("label", { class: "radio" }, el("input", { type: "radio", name: "approved", value: "no" }), " 不予批准"),
    el("label", { for: "case-note" }, "说明"),
    el("input", { id: "case-note", name: "note", type: "text", autocomplete: "off" }),
  ], (f) => post(c, "conclusion", { approved: f.get("approved") === "yes", note: f.get("note") || "" }));
}

function deliverDialog(c) {
  ask(`${c.number} 出件`, [
    el("p", { class: "case-dialog-who" }, `申请人：${applicantText(c)}（领取时核对）`),
    el("label", { class: "radio" }, el("input", { type: "radio", name: "method", value: "id_card", checked: true }), " 窗口领取，核验身份证"),
    el("label", { class: "radio" }, el("input", { type: "radio", name: "method", value: "notice_qr" }), " 窗口领取，扫通知书二维码"),
    el("label", { class: "radio" }, el("input", { type: "radio", name: "method", value: "post" }), " 免费邮寄"),
    el("label", { for: "case-address" }, "邮寄地址"),
    el("input", { id: "case-address", name: "address", type: "text", autocomplete: "off" }),
    el("label", { for: "case-tracking" }, "运单号"),
    el("input", { id: "case-tracking", name: "tracking", type: "text", autocomplete: "off" }),
  ], (f) => {
    const how = f.get("method");
    const body = how === "post"
      ? { method: "post", address: f.get("address") || "", tracking: f.get("tracking") || "" }
      : { method: "pickup", proof: how };
    return post(c, "delivery", body);
  });
}

// -- wiring

function refusalShown() {
  const box = $("#case-refusal");
  if (box.hidden) {
    box.hidden = false;
    $("#case-refusal-reason").focus();
    return false;
  }
  return true;
}

function start() {
  const matter = $("#case-matter");
  matter.addEventListener("input", () => {
    cs.matter = null;
    $("#case-matter-facts").hidden = true;
    showOutcome();
    showMatches();
  });
  $("#case-materials").addEventListener("change", showOutcome);
  $("#case-materials").addEventListener("input", showOutcome); // the why of a non-conforming one, as typed
  // unfolded on focus; not folded again on blur, which would move the rows below under a click
  matter.addEventListener("focus", showMatches);
  matter.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      const first = $("#case-matches .matter-choice");
      if (first && !cs.matter) first.click();
    }
  });
  for (const r of document.querySelectorAll("input[name=case-who]")) {
    r.addEventListener("change", () => {
      $("#case-id").disabled = $("#case-from-card").checked;
      if (!$("#case-id").disabled) $("#case-id").focus();
    });
  }
  $("#case-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if ($("#case-refusal").contains(document.activeElement)) return refuse();
    decide("accept", {});
  });
  $("#case-correct").addEventListener("click", () => decide("correction", { items: nonconformingItems() }));
  $("#case-refuse").addEventListener("click", refuse);
  $("#case-dialog-cancel").addEventListener("click", () => $("#case-dialog").close());
  document.addEventListener("keydown", (ev) => {
    if ($("#case-desk").hidden || $("#case-dialog").open) return;
    const typing = ev.target.matches?.("input[type=text], input:not([type]), textarea");
    if ((ev.key === "/" && !typing) || (ev.altKey && ev.key.toLowerCase() === "m")) {
      ev.preventDefault();
      matter.focus();
      matter.select();
    } else if (ev.altKey && ev.key.toLowerCase() === "s") {
      ev.preventDefault();
      decide("accept", {});
    } else if (ev.altKey && ev.key.toLowerCase() === "b") {
      ev.preventDefault();
      decide("correction", { items: nonconformingItems() });
    } else if (ev.altKey && ev.key.toLowerCase() === "n") {
      ev.preventDefault();
      refuse();
    }
  });
}

function refuse() {
  if (!refusalShown()) return;
  const reason = $("#case-refusal-reason").value.trim();
  if (!reason) {
    say("error", "请填写不予受理的理由");
    $("#case-refusal-reason").focus();
    return;
  }
  decide("refusal", { reason, redirect: $("#case-refusal-redirect").value.trim() });
}

start();
