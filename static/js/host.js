// Table host: the table's topic, the same countdown as the screen, broadcast messages; the note pad builds on this.
import { showOverlay, t } from "./common.js";
import { connectLive } from "./live.js";
import { countdown } from "./timer.js";

const root = document.getElementById("host");
let event = null;

function render() {
  if (!event) return;
  const label = document.getElementById("round-label");
  const current = event.rounds.find((r) => r.number === event.current_round);
  const going = event.status === "running" || event.status === "paused";
  label.textContent = going ? t("round_of", { n: event.current_round, total: event.rounds.length })
    : event.status === "moving" ? t("status_moving") : event.status === "ready" ? t("status_ready")
      : t(`status_${event.status}`);
  document.getElementById("host-timer").hidden = !going;
  clock.set(going ? current : null);
}

function renderTable(table) {
  document.getElementById("table-number").textContent = table.number;
  document.getElementById("topic-title").textContent = table.topic || "";
  document.getElementById("topic-question").textContent = table.question || "";
  root.querySelector(".host-head").className = `host-head c-${table.colour}`;
}

function applyRound(push) {
  event.status = push.status;
  const i = event.rounds.findIndex((r) => r.number === push.round.number);
  if (i >= 0) event.rounds[i] = push.round;
  if (push.status === "running" || push.status === "paused") event.current_round = push.round.number;
  render();
}

const live = connectLive(root.dataset.token, {
  snapshot: (data) => { event = data.event; if (data.table) renderTable(data.table); render(); },
  round_started: applyRound, round_paused: applyRound, round_resumed: applyRound, round_extended: applyRound,
  round_ended: applyRound, round_reopened: applyRound, round_cancelled: applyRound,
  harvest_started: (p) => { event.status = p.status; render(); },
  event_closed: (p) => { event.status = p.status; render(); },
  message_broadcast: (p) => showOverlay(p.text),
  event_updated: () => window.location.reload(),
  unauthorized: () => window.location.reload(),
});
const clock = countdown(document.getElementById("host-timer"), live);
