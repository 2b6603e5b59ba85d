// Projector: live joined/connected counts, topics, and the join QR while joining is open.
import { h, pageData, t } from "./common.js";
import { connectLive } from "./live.js";

const root = document.getElementById("screen");
let view = pageData("state");

function render() {
  document.getElementById("event-name").textContent = view.name;
  document.getElementById("joined-count").textContent = view.counts.joined;
  document.getElementById("join-box").hidden = !view.joining_open;
  document.getElementById("topics").replaceChildren(...view.topics.map((topic) => h("li", { class: "screen-topic" },
    h("span", { class: `swatch big c-${topic.colour}` }),
    h("div", {}, h("p", { class: "topic-title" }, topic.title),
      h("p", { class: "topic-tables" }, `${t(topic.tables.length === 1 ? "table" : "tables")} ${topic.tables.join(", ")}`)))));
  const current = view.current_round;
  document.getElementById("round-label").textContent = current
    ? t("round_of", { n: current, total: view.rounds.length }) : "";
}

connectLive(root.dataset.token, {
  snapshot: (data) => { view = data.event; render(); },
  attendance_changed: (p) => { view.counts.joined = p.joined; render(); },
  joining_changed: (p) => { view.joining_open = p.joining_open; render(); },
  presence_changed: (p) => { document.getElementById("connected-count").textContent = p.connected.participants; },
  event_updated: () => window.location.reload(),
  unauthorized: () => window.location.reload(),
});
