// The console's "N waiting" banner: walk-ins to a full room, with the one-click ways to make room for them.
import { api, h, t, toast } from "./common.js";

export function setupWaiting({ token, code, getView, setView }) {
  const el = document.getElementById("waiting");

  async function makeRoom(body, button) {
    button.disabled = true;
    try {
      setView(await api("POST", `/events/${code}/capacity`, token, body));
      toast(t("room_made"));
    } catch (err) {
      toast(err.message, "error");
    } finally {
      button.disabled = false;
    }
  }

  let shown = -1;

  function render() {
    const count = getView().waiting?.count || 0;
    if (count === shown) return;  // unchanged: keep the buttons (and a click under way) as they are
    shown = count;
    el.hidden = count === 0;
    if (!count) { el.replaceChildren(); return; }
    const seat = h("button", { type: "button", class: "primary" }, t("add_seat_each"));
    const table = h("button", { type: "button" }, t("open_table"));
    seat.addEventListener("click", () => makeRoom({ seats_per_table: 1 }, seat));
    table.addEventListener("click", () => makeRoom({ tables: 1 }, table));
    el.replaceChildren(
      h("p", { class: "waiting-count" }, h("strong", {}, t("waiting_count", { n: count }))),
      h("div", { class: "waiting-actions" }, h("span", { class: "muted" }, t("waiting_remedy")), seat, table));
  }

  return { render };
}
