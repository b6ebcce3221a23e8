// The staff sign-in, one piece for every staff page (the staff console, the supervisors'
// dashboard, the operators' console, the health page): the form itself, drawn into the page's
// `#login-view`, signing in, the session kept for the tab, the check of it on return (/me),
// the refusal of a role the page is not for, and signing out.
import { ApiError, api, $, el } from "./app.js";

/** Draws the sign-in form into `section` (the page's `#login-view`), titled for its page. */
export function drawLoginForm(section, title, titleEn) {
  const input = (id, type, complete) => {
    const field = el("input", { id, name: id, type, autocomplete: complete, required: "" });
    if (type === "text") {
      field.setAttribute("autocapitalize", "off");
      field.setAttribute("spellcheck", "false");
    }
    return field;
  };
  const form = el("form", { id: "login-form", class: "card login-card" }, [
    el("h2", {}, [`${title} `, el("small", { lang: "en" }, titleEn)]),
    el("label", { for: "username" }, ["用户名 ", el("small", { lang: "en" }, "Username")]),
    input("username", "text", "username"),
    el("label", { for: "password" }, ["密码 ", el("small", { lang: "en" }, "Password")]),
    input("password", "password", "current-password"),
    el("p", { id: "login-error", class: "form-error", role: "alert", hidden: "" }),
    el("button", { id: "login-submit", type: "submit", class: "btn btn-primary btn-block btn-tall" },
      ["登录 ", el("small", { lang: "en" }, "Sign in")]),
  ]);
  section.replaceChildren(form);
  return form;
}

/**
 * One page's sign-in. `key`: where the tab keeps the session; `roles`: who the page is for
 * (empty: every staff role), `refusal(staff)` the sentence for anyone else; `onEnter(session)`
 * runs once signed in (session: {token, staff}); `onLeave()` hides what the page showed.
 */
export class StaffLogin {
  constructor({ key, title, titleEn, roles = [], refusal = null, onEnter, onLeave = () => {} }) {
    Object.assign(this, { key, roles, refusal, onEnter, onLeave });
    this.session = null;
    this.form = drawLoginForm($("#login-view"), title, titleEn);
    this.form.addEventListener("submit", (ev) => this.signIn(ev));
    $("#logout")?.addEventListener("click", () => this.logout());
  }

  get token() {
    return this.session?.token;
  }

  /** The session the tab kept, checked with the hall; the form when there is none. */
  async resume() {
    try {
      this.session = JSON.parse(sessionStorage.getItem(this.key) || "null");
    } catch {
      this.session = null;
    }
    if (!this.session) return this.show("");
    try {
      this.session.staff = await api("/me", { token: this.session.token });
    } catch (err) {  // refused: signed out; the hall away: the session is kept for the next try
      if (err instanceof ApiError && err.status === 401) return this.end("登录已过期，请重新登录");
      return this.show(err.message);
    }
    return this.enter();
  }

  async signIn(ev) {
    ev.preventDefault();
    const button = $("#login-submit");
    button.disabled = true;
    try {
      const res = await api("/auth/login", {
        method: "POST", body: { username: $("#username").value.trim(), password: $("#password").value },
      });
      this.session = { token: res.token, staff: res.staff };
      $("#password").value = "";
      await this.enter();
    } catch (err) {
      this.show(err.message);
    } finally {
      button.disabled = false;
    }
  }

  async enter() {
    const staff = this.session.staff;
    if (this.roles.length && !this.roles.includes(staff.role)) {
      const token = this.session.token;
      this.end(this.refusal ? this.refusal(staff) : `${staff.name || staff.id} 不能使用本页`);
      await api("/auth/logout", { method: "POST", token }).catch(() => {});
      return;
    }
    sessionStorage.setItem(this.key, JSON.stringify({ token: this.session.token }));
    const who = $("#who-name");
    if (who) who.textContent = staff.name || staff.id;
    const bar = $("#session-bar");
    if (bar) bar.hidden = false;
    $("#login-view").hidden = true;
    await this.onEnter(this.session);
  }

  logout() {
    const token = this.session?.token;
    this.end("");
    if (token) api("/auth/logout", { method: "POST", token }).catch(() => {});
  }

  /** Ends the session here (the hall refused it, or the person left) and shows the form. */
  end(message) {
    this.session = null;
    sessionStorage.removeItem(this.key);
    this.show(message);
  }

  show(message) {
    this.onLeave();
    const bar = $("#session-bar");
    if (bar) bar.hidden = true;
    $("#login-view").hidden = false;
    const error = $("#login-error");
    error.hidden = !message;
    error.textContent = message ? `⚠ ${message}` : "";
    ($("#username").value ? $("#password") : $("#username")).focus();
  }
}
