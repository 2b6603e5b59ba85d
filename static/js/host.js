// Table host: the table's topic, live; the note pad builds on this connection.
import { t } from "./common.js";
import { connectLive } from "./live.js";

const root = document.getElementById("host");

function render(data) {
  const table = data.table;
  if (!table) return;
  document.getElementById("table-number").textContent = table.number;
  document.getElementById("topic-title").textContent = table.topic || "";
  document.getElementById("topic-question").textContent = table.question || "";
  root.querySelector(".host-head").className = `host-head c-${table.colour}`;
  const current = data.event.current_round;
  if (current) document.getElementById("round-label").textContent = t("round_of", { n: current, total: data.event.rounds.length });
}

connectLive(root.dataset.token, {
  snapshot: render,
  event_updated: () => window.location.reload(),
  unauthorized: () => window.location.reload(),
});
