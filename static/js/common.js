// Shared helpers: translations, DOM building without innerHTML (all user text stays text), JSON API calls.

const strings = JSON.parse(document.getElementById("i18n")?.textContent || "{}");

/** Translate a key, filling {placeholders}. */
export function t(key, vars = {}) {
  let text = strings[key] ?? key;
  // Counted strings come as {one, other} (English and German need no more forms).
  if (typeof text === "object") text = vars.n === 1 ? text.one : text.other;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}

/** Create an element; children may be strings (inserted as text, never as markup) or nodes. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** The JSON embedded in the page under a script id. */
export function pageData(id) {
  const el = document.getElementById(id);
  return el ? JSON.parse(el.textContent) : null;
}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || "error";
    this.details = body?.error?.details;
  }
}

/** Call the JSON API with the page's token. */
export async function api(method, path, token, body, { raw = false } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  // Refusals come in the page's language (the server still prefers an explicit DE/EN choice, its cookie).
  if (document.documentElement.lang) headers["Accept-Language"] = document.documentElement.lang;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return raw ? { status: response.status, data } : data;
}

let toastTimer;
/** Show a short confirmation at the bottom of the page, optionally with one action (e.g. Undo). */
export function toast(message, kind = "ok", action = null) {
  const el = document.getElementById("toast");
  if (!el) return;
  el.replaceChildren(h("span", {}, message));
  if (action) {
    el.append(h("button", { type: "button", class: "toast-action", onclick: () => { el.hidden = true; action.onClick(); } },
      action.label));
  }
  el.dataset.kind = kind;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, action ? 10000 : 4000);
}

let overlayTimer;
/** Show a broadcast message as an overlay until dismissed, replaced or (with ``hideAfterMs``) timed out. */
export function showOverlay(text, hideAfterMs = 0) {
  let overlay = document.getElementById("overlay");
  if (!overlay) {
    overlay = h("div", { id: "overlay", class: "overlay", role: "alert" },
      h("p", { class: "overlay-text" }),
      h("button", { type: "button", class: "overlay-close", "aria-label": t("close"), onclick: () => { overlay.hidden = true; } }, "×"));
    document.body.append(overlay);
  }
  overlay.querySelector(".overlay-text").textContent = text;
  overlay.hidden = false;
  clearTimeout(overlayTimer);
  if (hideAfterMs) overlayTimer = setTimeout(() => { overlay.hidden = true; }, hideAfterMs);
}

/** Keep Tab and Shift+Tab inside a modal dialog (a browser lets them leave it for its own toolbar); Escape and
 * closing are the dialog's own, and it gives the focus back to what opened it. */
export function keepFocusIn(dialog) {
  dialog.addEventListener("keydown", (e) => {
    if (e.key !== "Tab") return;
    const items = [...dialog.querySelectorAll("a[href], button:not(:disabled), input:not(:disabled), select, textarea, [tabindex]:not([tabindex='-1'])")];
    if (!items.length) return;
    const [first, last] = [items[0], items[items.length - 1]];
    if (e.shiftKey ? document.activeElement === first : document.activeElement === last) {
      e.preventDefault();
      (e.shiftKey ? last : first).focus();
    }
  });
}

/** A random UUID (crypto.randomUUID needs HTTPS; a venue LAN is plain HTTP). */
export function uuid4() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
