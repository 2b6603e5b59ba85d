// The live connection: token auth, catch-up by `since`, server clock offset, a visible connection state.
import { io } from "/static/vendor/socket.io-4.8.4/socket.io.esm.min.js";
import { t } from "./common.js";

/**
 * Connect to the event's live channel.
 * handlers: {snapshot(data), <push name>(payload), ...}; every push carries `seq` and `server_time`.
 */
export function connectLive(token, handlers = {}) {
  const seen = new Set();
  // The first connect of a page load asks for a snapshot; reconnects ask only for what was missed.
  // base: the seq of the last snapshot (everything up to it is in the state already).
  const state = { offsetMs: 0, seq: null, base: 0 };
  const conn = document.getElementById("conn");

  const showState = (name) => {
    if (!conn) return;
    conn.dataset.state = name;
    conn.querySelector(".conn-label").textContent = t(name === "live" ? "connected" : name);
  };

  const socket = io({
    auth: (cb) => cb(state.seq === null ? { token } : { token, since: state.seq }),
    transports: ["websocket", "polling"],
    reconnectionDelayMax: 5000,
  });

  // Catch up without reconnecting; beyond the link's budget the server says when to ask again.
  const sync = (data) => socket.emit("sync", data, (ack) => {
    if (ack?.error?.code === "rate_limited") setTimeout(() => sync(data), 1000 * Math.max(1, ack.retry_after || 2));
  });

  const note = (payload) => {
    if (typeof payload?.server_time === "number") state.offsetMs = payload.server_time - Date.now();
    if (typeof payload?.seq === "number") {
      if (state.seq === null || payload.seq > state.seq) state.seq = payload.seq;
    }
  };

  socket.on("connect", () => showState("live"));
  socket.on("disconnect", () => showState("offline"));
  socket.io.on("reconnect_attempt", () => showState("connecting"));
  socket.on("connect_error", (err) => {
    showState("offline");
    if (err?.data?.code === "unauthorized") {
      socket.disconnect();
      handlers.unauthorized?.(err.data);
    } else if (err?.data?.code === "unavailable") {
      // The server refused us while its database was away; Socket.IO does not retry a refusal by itself.
      setTimeout(() => { if (!socket.connected) socket.connect(); }, 2000 + Math.random() * 3000);
    }
  });
  socket.on("snapshot", (data) => { seen.clear(); state.base = data.seq; note(data); handlers.snapshot?.(data); });
  socket.on("synced", (data) => note(data));
  // Pushes were lost between server processes (their message queue was away): ask for what we missed since the
  // server's `since` (our highest seq is no guide: pushes from two processes arrive out of order), but nothing the
  // last snapshot already holds. Not logged itself; the replay that follows is deduplicated by seq below.
  socket.on("resync", (data) => {
    if (state.seq === null) { sync({}); return; }
    const from = typeof data?.since === "number" ? Math.max(data.since, state.base) : state.seq;
    sync({ since: Math.min(from, state.seq) });
  });
  socket.onAny((name, payload) => {
    if (name === "snapshot" || name === "synced" || name === "resync") return;
    // presence_changed carries the newest seq without being part of the log: it must not count as seen.
    if (name === "presence_changed") { handlers[name]?.(payload); return; }
    // A push may arrive live and again in a replay: handle each seq once.
    if (typeof payload?.seq === "number" && name !== "presence_changed") {
      if (seen.has(payload.seq)) return;
      seen.add(payload.seq);
      if (seen.size > 2000) seen.delete(seen.values().next().value);
    }
    note(payload);
    handlers[name]?.(payload);
  });

  return {
    socket,
    /** Milliseconds to add to Date.now() to get the server's clock. */
    get offsetMs() { return state.offsetMs; },
    serverNow() { return Date.now() + state.offsetMs; },
    /** Ask for a fresh snapshot (or, with `since`, what was missed). */
    sync,
    request(name, data) {
      return new Promise((resolve) => socket.timeout(10000).emit(name, data, (err, ack) => {
        resolve(err ? { ok: false, error: { code: "timeout", message: t("offline") } } : ack);
      }));
    },
  };
}
