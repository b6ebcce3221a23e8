// The phone page of a case (办件): stage, light, promised date, what is missing, where and when
// to pick up, and 好差评 once its service has ended (一事一评). The address is the key:
// /c/<number>.<sig>, printed as the QR of every notice; the data is /public/cases/<number>.<sig>.

const REFRESH_MS = 60000;
const ref = decodeURIComponent(location.pathname.split("/").pop() || "");
const DATA_URL = `/public/cases/${encodeURIComponent(ref)}`;
const LIGHTS = { green: "正常办理", yellow: "临近时限", red: "已超期" };
const byId = (id) => document.getElementById(id);
const state = { timer: null, ratedHere: false };

function put(id, text) {
  byId(id).textContent = text ?? "";
}

function reveal(id, on) {
  byId(id).hidden = !on;
}

function paint(c) {
  document.title = `${c.number} · 办件进度`;
  put("hall-name", c.hall.name);
  put("number", c.number);
  put("matter", c.matter_name);
  put("state", c.state_label);
  byId("state").dataset.state = c.state;
  const light = byId("light");
  light.hidden = !c.light;
  light.className = `light light-${c.light}`;
  light.dataset.light = c.light || "";
  put("light", LIGHTS[c.light] || "");
  reveal("due-row", Boolean(c.due));
  put("due", c.due);
  reveal("provisional", Boolean(c.due_provisional));
  put("department", c.department);
  reveal("result-row", c.approved !== null && c.approved !== undefined);
  put("result", c.approved ? "准予（已批准）" : "不予批准");

  const correcting = c.state === "correction" || (c.state === "presubmitted" && c.missing.length > 0);
  reveal("todo", correcting);
  const items = c.correction?.items?.length ? c.correction.items : c.missing.map((m) => ({ material: m }));
  byId("missing-list").replaceChildren(...items.map((i) => {
    const li = document.createElement("li");
    li.textContent = i.reason ? `${i.material}（${i.reason}）` : i.material;
    return li;
  }));
  put("deadline", c.correction?.deadline ? `请于 ${c.correction.deadline} 前到大厅补正，一次补齐即可。` : "");

  reveal("refusal", Boolean(c.refusal));
  put("refusal-reason", c.refusal?.reason);
  put("refusal-redirect", c.refusal?.redirect ? `可向：${c.refusal.redirect} 申请` : "");

  const posted = c.delivery?.method === "post";
  reveal("pickup", c.state === "concluded" || Boolean(c.delivery));
  put("pickup-title", c.delivery ? (posted ? "结果已寄出" : "结果已领取") : "领取结果");
  put("pickup-text", posted ? `快递单号 ${c.delivery.tracking}` : c.delivery
    ? `已于 ${c.delivery.day} 领取。`
    : "结果已办好：请凭身份证或本通知书二维码到大厅领取，也可申请免费邮寄。");
  for (const key of ["address", "hours", "phone"]) {
    put(`pickup-${key}`, c.pickup[key]);
    byId(`pickup-${key}`).parentElement.hidden = !c.pickup[key]; // a hall that did not say: no empty row
  }

  const rated = c.rated || state.ratedHere;
  if (c.may_rate && !rated && byId("rating").hidden) reasonsFrom(c.bad_reasons);
  reveal("rating", c.may_rate && !rated);
  reveal("thanks", rated);
  reveal("loading", false);
  reveal("missing", false);
  reveal("case", true);
  put("updated", new Date().toLocaleTimeString("zh-CN", { hour12: false }));
}

const LEVELS = [[5, "非常满意"], [4, "满意"], [3, "基本满意"], [2, "不满意"], [1, "非常不满意"]];

/** A radio or checkbox in its label: the levels and the hall's 差评 reasons. */
function choice(type, name, value, text, cls) {
  const label = Object.assign(document.createElement("label"), { className: cls });
  label.append(Object.assign(document.createElement("input"), { type, name, value }), " ", text);
  return label;
}

function reasonsFrom(reasons) {
  const box = byId("reasons");
  box.replaceChildren(box.querySelector("legend"), ...reasons.map((r) => choice("checkbox", "reason", r, r, "reason")));
}

byId("levels").append(...LEVELS.map(([v, text]) => choice("radio", "level", v, text, v <= 2 ? "level level-bad" : "level")));

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
  if (lvl === null) return fail("请选择满意程度");
  if (bad && !reasons.length && !text) return fail("差评须选择或填写原因");
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
      fail(data.message || `提交失败（${resp.status}），请稍后再试`);
      if (resp.status === 409) await load(); // rated already, from another phone
      return;
    }
    state.ratedHere = true;
    paint(data);
  } catch {
    fail("网络中断，评价未提交，请稍后再试");
  } finally {
    button.disabled = false;
  }
}

byId("rating-form").addEventListener("change", () => reveal("reasons", (level() ?? 5) <= 2));
byId("rating-form").addEventListener("submit", submit);
document.addEventListener("visibilitychange", () => {
  if (!document.hidden) load();
});
load();
