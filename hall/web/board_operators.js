// What the hall's operators put on the board (hall/api/operators.py): the layout, the ticker,
// today's notices and an urgent broadcast over everything until it ends. Read from /board at
// start and again on each `board.changed` or `hall.broadcast` event.
import { $, api, el } from "./app.js";

const KIND = { notice: "通知公告", policy: "政策解读" };
let hideTimer = null;

export async function showOperators(token) {
  let b;
  try {
    b = await api("/board", { token });
  } catch {
    return; // the calls go on without the operators' texts; the next event reads them again
  }
  document.body.dataset.layout = b.layout;
  const ticker = $("#ticker");
  ticker.hidden = !b.tickers.length;
  $("#ticker-text").textContent = b.tickers.join("　　·　　");
  const list = $("#operator-notices");
  list.replaceChildren(...b.notices.map((n) => el("li", { dataset: { notice: n.id } },
    el("small", {}, KIND[n.kind] || ""), el("b", {}, n.title), el("p", {}, n.body))));
  list.hidden = !b.notices.length;
  $("#default-notice").hidden = b.notices.length > 0;
  const banner = $("#broadcast");
  clearTimeout(hideTimer);
  banner.hidden = !b.broadcast;
  $("#broadcast-text").textContent = b.broadcast ? b.broadcast.text : "";
  if (b.broadcast) hideTimer = setTimeout(() => { banner.hidden = true; }, (b.broadcast.until - b.now) * 1000);
}
