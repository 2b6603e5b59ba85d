// Links page: make a new link for a role; the old one stops working at once.
import { api, t, toast } from "./common.js";

const root = document.getElementById("links");
const { token, event } = root.dataset;

root.addEventListener("click", async (e) => {
  const button = e.target.closest("button.regen");
  if (!button || !confirm(t("confirm_regenerate"))) return;
  const body = { role: button.dataset.role };
  if (button.dataset.table) body.table = Number(button.dataset.table);
  if (button.dataset.participant) body.participant = Number(button.dataset.participant);
  try {
    const result = await api("POST", `/events/${event}/links/regenerate`, token, body);
    if (result.role === "moderator") window.location.replace(new URL(result.link).pathname + "/links");
    else window.location.reload();
  } catch (err) {
    toast(err.message, "error");
  }
});
