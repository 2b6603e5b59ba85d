// Countdown against the server clock: every device shows the same time (absolute ends_at + clock offset).

/** Seconds left in a round view at the server's "now". */
export function secondsLeft(round, serverNow) {
  if (!round) return null;
  if (round.status === "running" && round.ends_at) return Math.max(0, (Date.parse(round.ends_at) - serverNow) / 1000);
  if (round.status === "paused" || round.status === "ended") return Math.max(0, round.paused_remaining_s || 0);
  return round.minutes * 60;
}

/** "mm:ss" (or "h:mm:ss"). */
export function formatSeconds(total) {
  const s = Math.ceil(total);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/**
 * Keep an element showing a round's remaining time. live.serverNow() gives the server clock.
 * onTimeUp fires once when a running round reaches zero.
 */
export function countdown(element, live, { onTimeUp } = {}) {
  let round = null;
  let firedFor = null;
  // A clock is not news: screen readers read it when asked, not every second (it may sit in a live region).
  element.setAttribute("role", "timer");
  element.setAttribute("aria-live", "off");
  const tick = () => {
    if (!round) { element.textContent = ""; return; }
    const left = secondsLeft(round, live.serverNow());
    element.textContent = formatSeconds(left);
    element.dataset.state = round.status;
    element.dataset.low = String(round.status === "running" && left <= 60);
    const key = `${round.number}:${round.ends_at}`;
    if (round.status === "running" && left <= 0 && firedFor !== key) {
      firedFor = key;
      onTimeUp?.(round);
    }
  };
  const handle = setInterval(tick, 250);
  return {
    set(newRound) {
      if (round && newRound && (newRound.number !== round.number || newRound.ends_at !== round.ends_at)) {
        // A later end (extend, resume) re-arms the time-up signal.
        if (firedFor && newRound.status === "running") firedFor = null;
      }
      round = newRound;
      tick();
    },
    stop() { clearInterval(handle); },
  };
}
