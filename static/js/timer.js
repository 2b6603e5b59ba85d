// Countdown against the server clock: every device shows the same time (absolute ends_at + clock offset).
// Every page that shows a round's timer also gets the "2 minutes left" signal from here (projector, pad, phone, console).
import { h, t } from "./common.js";

/** From this many seconds left a running round is in its last minutes: the room is told once, phones vibrate. */
export const FINAL_S = 120;
const BANNER_MS = 10000;

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

// The round this page saw with more than FINAL_S left, not yet announced. One per page, not per countdown: a page
// that redraws its timer (the phone makes a new one with each new view) still announces once.
let armedFor = null;
let bannerTimer;
/** A short banner at the top of the page (pages without a place of their own for the signal). */
function banner(text) {
  let el = document.getElementById("timer-banner");
  if (!el) {
    el = h("div", { id: "timer-banner", class: "timer-banner", role: "status" });
    document.body.append(el);
  }
  el.textContent = text;
  el.hidden = false;
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => { el.hidden = true; }, BANNER_MS);
}

function vibrate() {
  // Only a phone or tablet the person has touched may buzz (browsers refuse, with a console warning, before that).
  if (typeof navigator.vibrate !== "function" || !navigator.userActivation?.hasBeenActive) return;
  if (!window.matchMedia?.("(pointer: coarse)").matches) return;
  try { navigator.vibrate([300, 150, 300]); } catch { /* not allowed here: the banner still shows */ }
}

/**
 * Keep an element showing a round's remaining time. live.serverNow() gives the server clock.
 * onTimeUp fires once when a running round reaches zero; onFinalMinutes once when it passes FINAL_S seconds left
 * (only when this page saw it above that, so a reload in the last minutes does not announce it again; time added
 * beyond the mark announces it again when it is passed again).
 * ``signal``: an element of the page's own layout that says "Last 2 minutes" / "Time is up"; without one the
 * signal is a banner at the top of the page for a few seconds.
 */
export function countdown(element, live, { onTimeUp, onFinalMinutes, signal } = {}) {
  let round = null;
  let firedFor = null;
  const showSignal = (left) => {
    if (!signal) return;
    const running = round?.status === "running";
    const text = running && left <= 0 ? t("time_up") : running && left <= FINAL_S ? t("last_two_minutes") : "";
    if (signal.textContent !== text) signal.textContent = text;
    signal.dataset.on = String(Boolean(text));
  };
  // A clock is not news: screen readers read it when asked, not every second (it may sit in a live region).
  element.setAttribute("role", "timer");
  element.setAttribute("aria-live", "off");
  const tick = () => {
    if (!round) { element.textContent = ""; showSignal(null); return; }
    const left = secondsLeft(round, live.serverNow());
    element.textContent = formatSeconds(left);
    element.dataset.state = round.status;
    element.dataset.low = String(round.status === "running" && left <= 60);
    element.dataset.final = String(round.status === "running" && left <= FINAL_S);
    element.dataset.hours = String(left >= 3600);
    showSignal(left);
    // The same end may come as different strings (a push, a fresh view): compare the instant.
    const key = `${round.number}:${Date.parse(round.ends_at) || ""}`;
    if (round.status === "running") {
      // Announced when the time left passes the mark, by the clock or by a shortened round; more time re-arms it.
      if (left > FINAL_S) armedFor = round.number;
      else if (left > 0 && armedFor === round.number) {
        armedFor = null;
        if (signal) {
          signal.dataset.fresh = "true";
          setTimeout(() => { delete signal.dataset.fresh; }, BANNER_MS);
        } else banner(t("two_minutes_left"));
        vibrate();
        onFinalMinutes?.(round);
      }
    }
    if (round.status === "running" && left <= 0 && firedFor !== key) {
      firedFor = key;
      onTimeUp?.(round);
    }
  };
  const handle = setInterval(tick, 250);
  return {
    set(newRound) {
      if (round && newRound && (newRound.number !== round.number
        || Date.parse(newRound.ends_at) !== Date.parse(round.ends_at))) {
        // A later end (extend, resume) re-arms the time-up signal.
        if (firedFor && newRound.status === "running") firedFor = null;
      }
      round = newRound;
      tick();
    },
    stop() { clearInterval(handle); },
  };
}
