// The console's messages on show: each with its end time and a Withdraw button that takes it off every device.
import { api, h, t, toast } from "./common.js";

const root = document.getElementById("console");
const list = document.getElementById("broadcasts-on-show");
const form = document.getElementById("broadcast-form");
const { token, event: code } = root.dataset;
let shown = [];
let timer = null;

const clock = (iso) => new Date(iso).toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });

function render() {
  clearTimeout(timer);
  // Expiry is judged by this laptop's clock between refreshes; the server's list is the truth at each refresh.
  shown = shown.filter((m) => Date.parse(m.expires_at) > Date.now());
  list.hidden = !shown.length;
  list.replaceChildren(h("h3", {}, t("broadcasts_on_show")), h("ul", { class: "rows" }, [...shown].reverse().map((m) =>
    h("li", { class: "on-show-item", dataset: { id: m.id } },
      h("span", { class: "on-show-text" }, m.text),
      h("span", { class: "muted" }, `${t(m.target === "screen" ? "to_screen" : "to_everyone")} · ${t("until", { time: clock(m.expires_at) })}`),
      h("button", { type: "button", class: "danger-button", onclick: () => withdraw(m) }, t("withdraw"))))));
  if (shown.length) timer = setTimeout(render, Math.min(...shown.map((m) => Date.parse(m.expires_at))) - Date.now() + 100);
}

async function refresh() {
  try {
    shown = (await api("GET", `/events/${code}/broadcasts`, token)).broadcasts;
    render();
  } catch { /* offline: the next refresh tries again */ }
}

async function withdraw(message) {
  try {
    await api("DELETE", `/events/${code}/broadcasts/${message.id}`, token);
    toast(t("broadcast_withdrawn"));
  } catch (err) {
    toast(err.message, "error");
  }
  refresh();
}

// control.js sends the form; the list follows once the message is stored.
form?.addEventListener("submit", () => setTimeout(refresh, 600));
setInterval(() => { if (!document.hidden) refresh(); }, 15000);
refresh();
