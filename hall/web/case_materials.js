// The materials of a case in the staff console's form: one row per material of the matter (ticked
// when handed in, in which form, or handed in but not as required with why), and what the form
// sends from them: the materials for the case, the non-conforming items for a 补正 notice, and
// what such a notice would list. The DOM of #case-materials only; the case panel (cases.js)
// decides what to do with it.
import { el } from "./app.js";

const NONCONFORMING = "nonconforming"; // handed in, but not as required: listed on the 补正 notice with why
const PROVISIONS = [
  ["original", "原件"], ["copy", "复印件"], ["licence", "电子证照"], ["image", "影像"],
  [NONCONFORMING, "不符合要求"],
];
const FORM_PROVISION = { 原件: "original", 复印件: "copy", 电子证照: "licence" };

/** A material's row: ticked when handed in (a required one from the start), its form, and a line
 * for what is wrong when it was handed in but not as required. */
export function materialRow(mat) {
  const provision = FORM_PROVISION[mat.form] || "original";
  return el("li", { class: "material", "data-material": mat.name },
    el("label", { class: "check" },
      el("input", { type: "checkbox", name: "got", checked: mat.required !== false }),
      el("span", {}, mat.name),
      mat.required === false ? el("small", { class: "optional" }, mat.note || "按情形提交") : el("small", { class: "required" }, "必需")),
    el("select", { name: "provision", "aria-label": `${mat.name} 提交形式`, onchange: (ev) => nonconformingChosen(ev.target) },
      ...PROVISIONS.map(([v, label]) => el("option", { value: v, selected: v === provision }, label))),
    el("input", { type: "text", name: "why", class: "why", maxlength: 200, hidden: true, "aria-label": `${mat.name} 不符合之处`,
      placeholder: "不符合之处，写入补正通知书（如：复印件不清晰）" }));
}

/** A material handed in but not as required: ticked, with a line for what is wrong. */
function nonconformingChosen(select) {
  const row = select.closest(".material");
  const why = row.querySelector("input[name=why]");
  why.hidden = select.value !== NONCONFORMING;
  if (!why.hidden) {
    row.querySelector("input[name=got]").checked = true;
    why.focus();
  }
}

/** The case's materials as sent: each ticked one in its form, the others (and the non-conforming) missing. */
export function materialsBody() {
  const materials = {};
  const applies = [];
  for (const row of document.querySelectorAll("#case-materials .material")) {
    const name = row.dataset.material;
    const got = row.querySelector("input[name=got]").checked;
    const provision = row.querySelector("select").value;
    materials[name] = got && provision !== NONCONFORMING ? provision : "missing"; // not one to accept on
    if (got && row.querySelector(".optional")) applies.push(name);
  }
  return { materials, applies };
}

/** The materials handed in but not conforming, with why: the 补正 notice lists them with the missing. */
export function nonconformingItems() {
  return [...document.querySelectorAll("#case-materials .material")]
    .filter((row) => row.querySelector("input[name=got]").checked && row.querySelector("select").value === NONCONFORMING)
    .map((row) => ({ material: row.dataset.material, reason: row.querySelector("input[name=why]").value.trim() || "不符合要求" }));
}

/** The required materials not ticked: what a 补正 notice would list, shown before the clerk
 * presses a key, so the decision is made knowing what the citizen will be told. */
export function missingRequired() {
  const rows = [...document.querySelectorAll("#case-materials .material")];
  const missing = rows.filter((row) => row.querySelector(".required") && !row.querySelector("input[name=got]").checked)
    .map((row) => row.dataset.material);
  return [...missing, ...nonconformingItems().map((i) => `${i.material}（${i.reason}）`)];
}
