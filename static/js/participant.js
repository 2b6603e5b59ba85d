// Participant phone: who I am and where I sit; updates pushed live.
import { h, pageData, t } from "./common.js";
import { connectLive } from "./live.js";

const root = document.getElementById("participant");
const seatEl = document.getElementById("seat");

function render(me) {
  const seat = me.current || me.next;
  if (!seat) {
    seatEl.replaceChildren(h("p", { class: "seat-wait" }, t("no_seat")));
    return;
  }
  const table = seat.table;
  seatEl.replaceChildren(h("div", { class: `seat-card c-${table.colour}` },
    h("p", { class: "seat-round" }, t("round_of", { n: seat.round, total: me.event.rounds })),
    h("p", { class: "seat-table" }, h("span", { class: "table-label" }, t("table")), h("span", { class: "seat-number" }, table.number)),
    h("p", { class: "seat-colour" }, t(`colour_${table.colour}`)),
    h("p", { class: "seat-topic" }, table.topic || ""),
    h("p", { class: "seat-question" }, table.question || "")));
}

render(pageData("state"));
connectLive(root.dataset.token, {
  snapshot: (data) => render(data.me),
  unauthorized: () => window.location.reload(),
});
