// The staff console's counter: a ticket for the citizen standing at the window, with a priority
// (绿色通道, 代办, 老弱病残孕) and the reason for it, which the hall records with who gave it;
// and the state of the window's own devices (LED strip, keypad, evaluation pad).
import { $, api, el } from "./app.js";

const DEVICE_STATE = { ready: "正常", connecting: "连接中", error: "故障", disconnected: "未连接" };
const KIND = { led_strip: "LED 条屏", keypad: "呼叫器", pad: "评价器" };

/** Wires the counter form; `context()` gives {session, hall, windowId}; `run` is the console's POST. */
export function setupCounter(context, run) {
  $("#counter-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const { windowId } = context();
    const body = {
      queue: $("#counter-queue").value, priority: $("#counter-priority").value, reason: $("#counter-reason").value,
    };
    const ok = await run("counter", "/counter/tickets", body,
      (r) => `已为现场办事人取号 ${r.ticket.number}（${r.priority_label}），原因已记录`);
    if (ok) $("#counter-reason").value = "";
    if (windowId) showDevices(context());
  });
}

/** The counter's queues are the window's; its devices are listed with their state. */
export function openCounter(ctx) {
  const w = ctx.hall.windows.find((x) => x.id === ctx.windowId);
  const names = new Map(ctx.hall.queues.map((q) => [q.id, q.name]));
  $("#counter-queue").replaceChildren(...w.queues.map((q) => el("option", { value: q }, names.get(q) || q)));
  showDevices(ctx);
}

async function showDevices(ctx) {
  const list = $("#devices");
  try {
    const res = await api(`/counter/windows/${encodeURIComponent(ctx.windowId)}/devices`, { token: ctx.session.token });
    list.replaceChildren(...res.devices.map((d) => el("li", { dataset: { device: d.device, state: d.state } },
      el("span", {}, KIND[d.kind] || d.kind, " ", el("small", {}, d.device)),
      el("b", { class: `dev-${d.state}` }, DEVICE_STATE[d.state] || d.state, d.reason ? `（${d.reason}）` : ""))));
    if (!res.devices.length) list.replaceChildren(el("li", { class: "empty" }, "本窗口没有接在大厅主机上的设备"));
  } catch (err) {
    list.replaceChildren(el("li", { class: "empty" }, err.message));
  }
}
