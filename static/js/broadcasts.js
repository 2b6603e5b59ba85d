// Moderator messages on phones and pads: each stays until it expires (by the server's clock), is withdrawn, or the
// next round starts, so the coffee message of round 1 is gone by the close. The newest one on show is the one seen.
import { h, t } from "./common.js";

/**
 * Follow the event's messages. serverNow: () => the server's clock in ms (live.serverNow).
 * Returns push handlers to call from the page's connectLive handlers.
 */
export function followBroadcasts(serverNow) {
  const onShow = new Map();      // id -> message {id, text, target, expires_at}
  const dismissed = new Set();   // ids the person closed on this device
  let timer = null;
  let box = null;

  function overlay() {
    if (!box) {
      box = h("div", { id: "broadcast", class: "overlay", role: "alert", hidden: true },
        h("p", { class: "overlay-text" }),
        h("button", { type: "button", class: "overlay-close", "aria-label": t("close"), onclick: () => {
          dismissed.add(box.dataset.id);
          render();
        } }, "×"));
      document.body.append(box);
    }
    return box;
  }

  function render() {
    clearTimeout(timer);
    const now = serverNow();
    for (const [id, message] of onShow) if (Date.parse(message.expires_at) <= now) onShow.delete(id);
    const shown = [...onShow.values()].filter((m) => !dismissed.has(m.id)).at(-1);
    const el = overlay();
    el.hidden = !shown;
    el.dataset.id = shown?.id ?? "";
    el.querySelector(".overlay-text").textContent = shown?.text ?? "";
    if (onShow.size) {
      const next = Math.min(...[...onShow.values()].map((m) => Date.parse(m.expires_at)));
      timer = setTimeout(render, Math.max(250, next - now + 50));
    }
  }

  function add(message) {
    // A message from before expiry existed (no id, no expires_at) stays a minute, as the screen's did.
    const full = message.id && message.expires_at ? message
      : { ...message, id: `old-${message.seq}`, expires_at: new Date(serverNow() + 60000).toISOString() };
    if (full.target === "screen") return;
    if (Date.parse(full.expires_at) > serverNow()) onShow.set(full.id, full);  // a replay of an expired one: ignored
  }

  return {
    /** The snapshot's `broadcasts`: those still on show replace whatever this device had. */
    snapshot(list) {
      onShow.clear();
      for (const message of list || []) add(message);
      render();
    },
    message_broadcast(p) { add(p); render(); },
    broadcast_withdrawn(p) { onShow.delete(p.id); render(); },
    /** A new round starts clean (the server withdraws them too; this needs no extra round trip). */
    clear() { onShow.clear(); render(); },
  };
}
