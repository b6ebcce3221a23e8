// The hall's health page, for supervisors and the hall's IT person (operators): every device,
// screen, clock, version, the disk and the sync backlog, with the reason when one is unwell.
// Read again every ten seconds while the page is open.
import { api, $, el } from "./app.js";
import { StaffLogin } from "./login.js";

const EVERY_MS = 10_000;
const STATE = { ok: "正常", warning: "注意", error: "故障" };
const OVERALL = { ok: "一切正常 · All well", warning: "有需要注意的项目 · Needs a look", error: "有故障 · Something is down" };
const AREA = { peripheral: "外设", screen: "屏幕", clock: "时钟", version: "版本", disk: "磁盘", sync: "同步" };
let timer = null;
let zone = "Asia/Shanghai"; // the hall's, from /hall

const login = new StaffLogin({
  key: "yiciban.health.session",
  title: "运行状况登录",
  titleEn: "Health sign-in",
  roles: ["supervisor", "operator"],
  refusal: (staff) => `${staff.name || staff.id} 不能查看运行状况：仅限主管和运维（supervisors and operators only）`,
  onEnter: enter,
  onLeave: leave,
});

async function enter() {
  $("#health-view").hidden = false;
  const hall = await api("/hall", { token: login.token });
  $("#hall-name").textContent = hall.name;
  zone = hall.timezone || zone;
  await load();
  timer = setInterval(load, EVERY_MS);
}

function leave() {
  clearInterval(timer);
  timer = null;
  $("#health-view").hidden = true;
}

function when(epoch) {
  return epoch ? new Date(epoch * 1000).toLocaleString("zh-CN", { hour12: false, timeZone: zone }) : "—";
}

async function load() {
  let report;
  try {
    report = await api("/health", { token: login.token });
  } catch (err) {
    if (err.status === 401) return login.end("登录已过期，请重新登录");
    $("#health-error").hidden = false;
    $("#health-error").textContent = `⚠ ${err.message}`;
    return;
  }
  $("#health-error").hidden = true;
  $("#overall").dataset.state = report.state;
  $("#overall").textContent = OVERALL[report.state];
  $("#checked-at").textContent = when(report.time);
  $("#version").textContent = `${report.version} · 启动于 ${when(report.started)}`;
  $("#problems").replaceChildren(...(report.problems.length
    ? report.problems.map((p) => el("li", {}, p))
    : [el("li", {}, "没有问题 · No problems")]));
  const order = { error: 0, warning: 1, ok: 2 };
  const items = [...report.items].sort((a, b) => order[a.state] - order[b.state]);
  $("#items").replaceChildren(...items.map((i) => el("tr", { dataset: { state: i.state, area: i.area, id: i.id } },
    el("td", {}, AREA[i.area] || i.area),
    el("td", {}, i.id),
    el("td", {}, i.details.host || i.details.role || ""),
    el("td", { class: "state" }, STATE[i.state]),
    el("td", { class: "why" }, i.reason),
    el("td", { class: "num" }, when(i.details.since || i.details.last_heartbeat || 0)))));
}

login.resume();
