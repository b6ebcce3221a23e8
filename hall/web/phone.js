// What the citizen's phone pages (a ticket's /t/…, a case's /c/…) share: the language they are
// read in, the switch between 中文 and English, the fixed texts of the page in that language, the
// hall's names in its English where it gave one, dates and times as a reader of that language
// writes them, and the 好差评 form's words.
//
// The language: `?lang=en` or `?lang=zh` in the address decides (a ticket taken on an English
// screen carries `?lang=en` in its QR); without it, or with a value the page does not know, the
// phone's own preference (navigator.languages: English before any Chinese is English);
// otherwise Chinese, the hall's language.

export const LANGUAGES = ["zh", "en"];
const HTML_LANG = { zh: "zh-CN", en: "en" };
const LOCALE = { zh: "zh-CN", en: "en-GB" };

/** The language the address asks for, else the phone's preference, else Chinese. */
export function chosenLanguage(href = location.href, preferred = navigator.languages || [navigator.language]) {
  const asked = (new URL(href).searchParams.get("lang") || "").toLowerCase();
  if (LANGUAGES.includes(asked)) return asked;
  for (const tag of preferred) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "zh";
}

/** The same address with `lang` set to `language`: the path (the signed key) and the rest unchanged. */
export function withLanguage(href, language) {
  const url = new URL(href);
  url.searchParams.set("lang", language);
  return url.pathname + url.search + url.hash;
}

/** `item[key]` in the page's language: the hall's English where it gave one, else its Chinese. */
export function pick(item, key, language) {
  const english = item?.[`${key}_en`];
  return language === "en" && typeof english === "string" && english.trim() ? english : (item?.[key] ?? "");
}

const HAN = /\p{Script=Han}/u;

/** `text` into `el`; Chinese left on an English page (a name the hall gave no English for, a
 * window's own words) is marked Chinese, so that a screen reader reads it as Chinese. */
export function putWords(el, text, language) {
  el.textContent = text ?? "";
  if (language === "en" && HAN.test(el.textContent)) el.lang = "zh-CN";
  else el.removeAttribute("lang");
}

/** `item[key]` in the page's language into `el` (putWords). */
export function putName(el, item, key, language) {
  putWords(el, pick(item, key, language), language);
}

/** The `i`-th of a Chinese list in the page's language, from its English list paired by position. */
export function pickAt(chinese, english, i, language) {
  const en = (english || [])[i];
  return language === "en" && typeof en === "string" && en.trim() ? en : chinese[i];
}

/** An ISO date (2026-12-21) as the reader writes it: 21 December 2026; in Chinese as it is. */
export function day(iso, language) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  if (language !== "en" || !m) return iso || "";
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toLocaleDateString(LOCALE.en, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
}

/** A time of day on the phone's clock, 24-hour, as the reader writes it. */
export function clock(date, language) {
  return date.toLocaleTimeString(LOCALE[language], { hour12: false });
}

/** The fixed texts of a page: each element with `data-t` takes its text, `data-t-aria` its
 * aria-label. The Chinese ones are the page's own, read once from the page as it was served. */
export class PageTexts {
  constructor(english) {
    this.texts = { en: english, zh: {} };
    for (const el of document.querySelectorAll("[data-t]")) this.texts.zh[el.dataset.t] = el.textContent;
    for (const el of document.querySelectorAll("[data-t-aria]")) {
      this.texts.zh[el.dataset.tAria] = el.getAttribute("aria-label");
    }
    this.language = "zh";
  }

  /** The text `key` in the page's language (a function of `args` for texts with values in them). */
  t(key, ...args) {
    const text = this.texts[this.language][key] ?? this.texts.zh[key];
    return typeof text === "function" ? text(...args) : text;
  }

  apply(language) {
    this.language = language;
    document.documentElement.lang = HTML_LANG[language];
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = this.t(el.dataset.t);
    for (const el of document.querySelectorAll("[data-t-aria]")) el.setAttribute("aria-label", this.t(el.dataset.tAria));
  }
}

/** The 中文 / English switch (`#lang-switch`, links that work without script too): a tap keeps
 * the choice in the address and redraws the page in place (`redraw`), without a reload. */
export function mountSwitch(texts, redraw) {
  const links = document.querySelectorAll("#lang-switch a[data-lang]");
  const paint = () => {
    for (const a of links) {
      a.href = withLanguage(location.href, a.dataset.lang);
      if (a.dataset.lang === texts.language) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    }
  };
  for (const a of links) {
    a.addEventListener("click", (event) => {
      event.preventDefault();
      history.replaceState(history.state, "", withLanguage(location.href, a.dataset.lang));
      texts.apply(a.dataset.lang);
      paint();
      redraw();
    });
  }
  texts.apply(chosenLanguage());
  paint();
}

// -- the 好差评 form, the same on both pages

export const LEVELS = [[5, "非常满意", "Very satisfied"], [4, "满意", "Satisfied"], [3, "基本满意", "Fair"],
  [2, "不满意", "Dissatisfied"], [1, "非常不满意", "Very dissatisfied"]];

export const RATING_EN = {
  level_legend: "How satisfied are you?",
  reasons_legend: "What went wrong? (choose at least one, or write below)",
  comment: "Comments or suggestions",
  optional: "(optional)",
  submit: "Submit",
  thanks_title: "Thank you for your rating",
  offline: "No network connection, trying again…",
  updated: "Updated",
  switch_aria: "Language",
};

/** A radio or checkbox in its label, its words in a span of their own (`data-zh`, `data-en`),
 * so that a change of language changes the words and keeps what was ticked. */
export function choice(type, name, value, zh, en, cls) {
  const label = Object.assign(document.createElement("label"), { className: cls });
  const words = Object.assign(document.createElement("span"), { className: "choice-text" });
  words.dataset.zh = zh;
  words.dataset.en = en || zh;
  label.append(Object.assign(document.createElement("input"), { type, name, value }), " ", words);
  return label;
}

/** The choices' words in `language`. */
export function relabel(root, language) {
  for (const words of root.querySelectorAll(".choice-text")) words.textContent = words.dataset[language];
}

/** The hall's 差评 reasons as checkboxes: the hall's English shown, its Chinese sent. */
export function reasonChoices(reasons, reasonsEn, language) {
  return reasons.map((r, i) => {
    const label = choice("checkbox", "reason", r, r, pickAt(reasons, reasonsEn, i, "en"), "reason");
    relabel(label, language);
    return label;
  });
}

/** What the form says is wrong before sending: null when nothing. */
export function formProblem(level, reasons, text, language) {
  const en = language === "en";
  if (level === null) return en ? "Please choose how satisfied you are" : "请选择满意程度";
  if (level <= 2 && !reasons.length && !text) {
    return en ? "Please choose what went wrong, or write it below" : "差评须选择或填写原因";
  }
  return null;
}

/** What a refused rating says: the hall's own words on a Chinese page; on an English one, its
 * meaning by the answer's status and code. */
export function refusal(status, data, language) {
  if (language !== "en") return data.message || `提交失败（${status}），请稍后再试`;
  if (status === 409) return "This cannot be rated now: it has been rated already, or it is not finished yet.";
  if (status === 422 && data.error === "personal_data") return "Please leave ID numbers out of your comment.";
  if (status === 422) return "The rating was not accepted. Please check your choices and try again.";
  if (status === 413) return "Your comment is too long. Please shorten it.";
  if (status === 404) return "Not found: scan the code again.";
  return `Could not send your rating (error ${status}). Please try again later.`;
}

/** A rating that did not reach the hall. */
export function unsent(language) {
  return language === "en" ? "No network connection: your rating was not sent. Please try again later."
    : "网络中断，评价未提交，请稍后再试";
}
