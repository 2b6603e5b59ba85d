// Table health on the console: per table, is the host tablet online, how many notes this round, and an alert for a
// table that has gone silent in a running round (the server decides "silent"; this page asks again every 30 s).
import { api, h, t } from "./common.js";

/** Table numbers for a sentence: a dozen at most, then how many more (80 offline tablets make no readable alert). */
function listed(numbers, most = 12) {
  return numbers.length > most ? `${numbers.slice(0, most).join(", ")} … (+${numbers.length - most})` : numbers.join(", ");
}

export function setupHealth({ token, code, getView }) {
  const panel = document.getElementById("health-panel");
  const grid = document.getElementById("health-grid");
  const alerts = document.getElementById("health-alerts");
  let timer = null;
  let pending = null;

  function render(data) {
    const view = getView();
    const colours = Object.fromEntries(view.tables.map((tb) => [tb.number, tb.colour]));
    document.getElementById("health-round").textContent = `· ${t("round_n", { n: data.round })}`;
    const minutes = Math.round(data.silent_after_s / 60);
    const silent = data.tables.filter((row) => row.silent);
    const offline = data.tables.filter((row) => !row.host_online);
    alerts.replaceChildren(
      ...silent.map((row) => h("li", { class: "alert silent", dataset: { table: row.table } },
        t("silent_table", { table: row.table, minutes }))),
      ...(data.running && offline.length ? [h("li", { class: "alert offline" },
        t("hosts_offline", { n: offline.length, tables: listed(offline.map((row) => row.table)) }))] : []));
    grid.replaceChildren(...data.tables.map((row) => h("div", {
      class: `health-card c-${colours[row.table] || "grey"}${row.silent ? " is-silent" : ""}`, dataset: { table: row.table } },
      h("span", { class: "occ-no" }, row.table),
      h("span", { class: `host-state ${row.host_online ? "online" : "offline"}` },
        row.host_online ? t("host_online") : t("host_offline")),
      h("span", { class: "note-count" }, t("notes_this_round", { n: row.notes })))));
  }

  async function load() {
    const view = getView();
    const live = ["running", "paused", "moving"].includes(view.status) && view.tables.length > 0;
    panel.hidden = !live;
    if (!live) return;
    try { render(await api("GET", `/events/${code}/health`, token)); } catch { /* the next push or tick retries */ }
  }

  /** Reload soon, once, however many pushes arrive meanwhile (400 phones checking in). */
  function soon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; load(); }, 1000);
  }

  function start() {
    load();
    clearInterval(timer);
    timer = setInterval(load, 30000);
  }

  return { load, soon, start };
}
