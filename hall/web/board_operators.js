// What the hall's operators put on the board (hall/api/operators.py): the layout, the ticker,
// today's notices and an urgent broadcast over everything until it ends. Read from /board at
// start and again on each `board.changed` or `hall.broadcast` event. The operators' English, when
// they gave it, stands small beside the Chinese, as the board's own English does.
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
  const tickersEn = b.tickers_en || [];
  $("#ticker-text").textContent = b.tickers
    .map((t, i) => (tickersEn[i] ? `${t}  ${tickersEn[i]}` : t)).join("　　·　　");
  const list = $("#operator-notices");
  list.replaceChildren(...b.notices.map((n) => el("li", { dataset: { notice: n.id } },
    el("small", {}, KIND[n.kind] || ""), el("b", {}, n.title),
    n.title_en ? el("small", { class: "en", lang: "en" }, n.title_en) : null,
    el("p", {}, n.body), n.body_en ? el("p", { lang: "en" }, n.body_en) : null)));
  list.hidden = !b.notices.length;
  $("#default-notice").hidden = b.notices.length > 0;
  const banner = $("#broadcast");
  clearTimeout(hideTimer);
  banner.hidden = !b.broadcast;
  $("#broadcast-text").textContent = b.broadcast ? b.broadcast.text : "";
  const broadcastEn = (b.broadcast && b.broadcast.text_en) || "";
  $("#broadcast-text-en").textContent = broadcastEn;
  $("#broadcast-text-en").hidden = !broadcastEn;
  if (b.broadcast) hideTimer = setTimeout(() => { banner.hidden = true; }, (b.broadcast.until - b.now) * 1000);
}
