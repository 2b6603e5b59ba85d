"""Language choice and the strings the JavaScript needs, translated.

A page that belongs to an event speaks the event's language unless someone chose otherwise: ``?lang=`` (the DE/EN
switch on every page) wins and is remembered per event in this browser. Pages the whole room reads — the projector
and the printed cards and lists — follow the event even on a laptop set to another language; pages a person reads on
their own device (console, pad, phone) follow that device's language when it is one of ours, else the event's.
Pages outside an event: ``?lang=`` → cookie → browser → English.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from flask import g, has_request_context, request, url_for
from flask_babel import get_locale, get_translations, refresh
from flask_babel import lazy_gettext as _l

LANGUAGES = ("de", "en")
LANG_COOKIE = "wc_lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


class _n:  # noqa: N801 - named like _l so that extraction (-k _n:1,2) and reading stay alike
    """A counted string, for the JS: ``{"one": …, "other": …}`` in the current language; ``t()`` picks by ``n``."""

    def __init__(self, singular: str, plural: str) -> None:
        self.singular, self.plural = singular, plural

    def forms(self) -> dict[str, str]:
        """The forms for n = 1 and for other counts (English and German need no more)."""
        translations = get_translations()
        return {
            "one": translations.ngettext(self.singular, self.plural, 1),
            "other": translations.ngettext(self.singular, self.plural, 2),
        }


def event_lang_cookie(code: str) -> str:
    """The cookie that remembers the language chosen for one event's pages in this browser."""
    return f"{LANG_COOKIE}_{code.upper()}"


def use_event_language(event: Any, *, room: bool = False) -> None:
    """Let this request's page follow ``event``'s language; ``room``: a page the whole room reads (projector, print)."""
    g.event_language = event.language if event.language in LANGUAGES else None
    g.event_code = event.public_id
    g.room_page = room
    refresh()  # the language may have been looked up already in this request (an error text, a lazy string)


def select_locale() -> str:
    """The page language (see the module's docstring); English outside requests."""
    if not has_request_context():
        return "en"
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    event_language = g.get("event_language")
    if event_language:
        chosen = request.cookies.get(event_lang_cookie(g.event_code))
        if chosen in LANGUAGES:
            return chosen
        if g.get("room_page"):
            return str(event_language)
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or event_language or "en"


def remember_language(response: Any) -> Any:
    """After ``?lang=``: remember the choice — for this event's pages when the page belongs to one, else everywhere."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        code = g.get("event_code")
        name = event_lang_cookie(code) if code else LANG_COOKIE
        response.set_cookie(name, asked, max_age=LANG_COOKIE_MAX_AGE, samesite="Lax", httponly=True)
    return response


def lang_url(code: str) -> str:
    """This page in another language: the same address and query, ``lang`` set (the DE/EN switch's links)."""
    if request.endpoint is None or request.method != "GET":
        return f"?lang={code}"
    args = {key: value for key, value in request.args.items() if key != "lang"}
    return url_for(request.endpoint, **(request.view_args or {}), **args, lang=code)


# Strings the browser code shows; rendered into each page as JSON so the JS needs no translation files.
JS_STRINGS = {
    "connected": _l("Live"),
    "connecting": _l("Connecting…"),
    "offline": _l("Offline — changes are kept and sent when the connection is back"),
    "saved": _l("Saved"),
    "saving": _l("Saving…"),
    "error": _l("Something went wrong"),
    "joined": _l("joined"),
    "connected_people": _l("connected"),
    "round_of": _l("Round {n} of {total}"),
    "table": _l("Table"),
    "tables": _l("Tables"),
    "source_api": _l("by another program"),
    "source_import": _l("from a list"),
    "source_join": _l("joined by QR code"),
    "source_moderator": _l("by hand"),
    "no_seat": _l("Your table will appear here when the moderator starts the round."),
    "waiting_title": _l("All tables are full right now"),
    "waiting_from": _l("Please wait at the front — you get a table from round {n}."),
    "waiting_soon": _l("Please wait at the front — you get a table as soon as a seat is free."),
    "waiting_count": _n("{n} person is waiting for a seat", "{n} people are waiting for a seat"),
    "waiting_remedy": _l("Make room:"),
    "add_seat_each": _l("+1 seat at every table"),
    "open_table": _l("Open a new table"),
    "room_made": _l("Done: the rounds to come are being re-planned."),
    "plan_failed": _l("Re-planning failed: {message}"),
    "remove": _l("Remove"),
    "add_round": _l("Add round"),
    "add_topic": _l("Add topic"),
    "add_table": _l("Add table"),
    "minutes": _l("minutes"),
    "topic": _l("Topic"),
    "question": _l("Question"),
    "colour": _l("Colour"),
    "capacity": _l("Seats"),
    "host": _l("Host"),
    "title": _l("Title"),
    "none": _l("(none)"),
    "confirm_remove_person": _l("Remove {name} from the event?"),
    "confirm_regenerate": _l("Make a new link? The old link stops working at once."),
    "lines_ok": _n("{n} person ready to import", "{n} people ready to import"),
    "lines_bad": _l("{bad} of {total} lines need fixing — nothing was imported"),
    "imported": _n("{n} person imported", "{n} people imported"),
    "added": _l("{name} added"),
    "joining_open": _l("Joining is open"),
    "joining_closed": _l("Joining is closed"),
    "open_joining": _l("Open joining"),
    "close_joining": _l("Close joining"),
    "line": _l("Line"),
    "name": _l("Name"),
    "group": _l("Group"),
    "email": _l("Email"),
    "problem": _l("Problem"),
    "tables_for_topic": _l("Tables for this topic"),
    "people": _l("people"),
    "status_setup": _l("Setup"),
    "status_ready": _l("Ready"),
    "status_running": _l("Round running"),
    "status_paused": _l("Paused"),
    "status_moving": _l("Between rounds"),
    "status_harvest": _l("Harvest"),
    "status_closed": _l("Closed"),
    "checked_in": _l("checked in"),
    "themes": _l("Themes"),
    "vote_on_phone": _l("Vote on your phone: which insights matter most?"),
    "vote_title": _l("Which insights matter most? Give your dots."),
    "votes_left": _l("{n} of {total} dots left"),
    "vote_more": _l("One more dot"),
    "vote_less": _l("One dot less"),
    "your_dots": _l("your dots: {n}"),
    "show_on_screen": _l("Show on the screen"),
    "hide_from_screen": _l("Hide from the screen"),
    "no_notes_at_all": _l("No notes yet."),
    "note_hidden": _l("The note is hidden from the screen (it stays in the summary for you)."),
    "note_shown": _l("The note is shown on the screen again."),
    "all": _l("all"),
    "pads_reopened": _l("Pads are open for 15 more minutes."),
    "pads_open": _l("Pads open"),
    "pads_locked": _l("Pads locked"),
    "no_photos": _l("No photos yet. Hosts can add them from their pad."),
    "add_note_phone": _l("Add a note to your table's pad"),
    "note_sent": _l("Your note is on the pad."),
    "note_deleted": _l("Note deleted."),
    "save": _l("Save"),
    "cancel": _l("Cancel"),
    "edit": _l("Edit"),
    "note_text": _l("Text of the note"),
    "delete": _l("Delete"),
    "star": _l("Star"),
    "starred": _l("Starred"),
    "kind_idea": _l("Idea"),
    "kind_question": _l("Question"),
    "kind_insight": _l("Insight"),
    "kind_quote": _l("Quote"),
    "from_phone": _l("from a phone"),
    "queued": _l("waiting to be sent"),
    "conflict_title": _l("Changed on another device meanwhile — which version should stay?"),
    "theirs": _l("Now on the pad"),
    "mine": _l("Your change"),
    "mine_other": _l("(a star, kind or tag change)"),
    "keep_theirs": _l("Keep the pad's version"),
    "use_mine": _l("Use my change"),
    "merge": _l("Merge both"),
    "retry": _l("Try again"),
    "discard": _l("Discard"),
    "no_notes_yet": _l("No notes yet in this round. Type above and press Enter."),
    "no_earlier_notes": _l("No notes from earlier rounds yet."),
    "recap_title": _l("What the earlier rounds said"),
    # The host pad's states (issue 13): before round 1, a round just over, locked; and where a new note went.
    "pad_before": _l("Round 1 has not started yet. Read your topic and question and get ready: the pad opens when the "
                     "moderator starts the round."),
    "pad_before_short": _l("The pad opens when round 1 starts."),
    "pad_grace": _l("The round is over. You can still finish your notes for a few minutes."),
    "pad_locked": _l("The pad is locked: the round is over. The moderator can reopen it."),
    "pad_locked_short": _l("The pad is locked."),
    "pad_closed": _l("The event is over. The pad is closed."),
    "not_started": _l("Not started yet"),
    "note_added_to_now": _l("Note added to “This round”."),
    "show": _l("Show"),
    "kind": _l("Kind"),
    # Broadcasts on show, in the console (issue 13).
    "broadcasts_on_show": _l("Messages on show"),
    "broadcast_withdrawn": _l("Message withdrawn from every device."),
    "withdraw": _l("Withdraw"),
    "to_everyone": _l("to everyone"),
    "to_screen": _l("to the screen only"),
    "until": _l("until {time}"),
    "outbox": _n(
        "{n} change waiting for the connection — it is kept on this device and sent automatically.",
        "{n} changes waiting for the connection — they are kept on this device and sent automatically.",
    ),
    "photo_saved": _l("Photo saved."),
    "sound_on": _l("sound on"),
    "sound_off": _l("sound off"),
    "undo": _l("Undo"),
    "done_start_round": _l("Round {n} started — phones show their tables."),
    "done_pause": _l("Round {n} paused."),
    "done_resume": _l("Round {n} continues."),
    "done_extend": _l("Time changed for round {n}."),
    "done_end_round": _l("Round {n} ended — phones show the next table."),
    "done_reopen_round": _l("Round {n} reopened."),
    "done_cancel_round": _l("Round {n} taken back."),
    "done_start_harvest": _l("The harvest has started."),
    "done_close": _l("The event is closed."),
    "start_round": _l("Start round {n}"),
    "pause": _l("Pause"),
    "resume": _l("Resume"),
    "plus_minutes": _l("+{n} min"),
    "minus_minutes": _l("−{n} min"),
    "end_round": _l("End round {n}"),
    "confirm_end_round": _l("End round {n} now? Phones will show the next table."),
    "reopen_round": _l("Reopen round {n}"),
    "start_harvest": _l("Start the harvest"),
    "confirm_harvest": _l("Start the harvest? No more rounds can be started afterwards."),
    "close_event": _l("Close the event"),
    "confirm_close": _l("Close the event? Joining and note-taking end."),
    "auto_on": _l("Rounds now end by themselves when the time is up."),
    "auto_off": _l("Rounds end only when you end them."),
    "occupancy_title": _l("Round {n}: checked in / planned per table"),
    "broadcast_sent": _l("Message sent."),
    "presence": _l("Presence"),
    "presence_active": _l("here"),
    "presence_left": _l("has left"),
    "presence_no_show": _l("did not come"),
    "presence_done_active": _l("{name} is back and seated."),
    "presence_done_left": _l("{name} has left; the next rounds were re-planned."),
    "presence_done_no_show": _l("{name} did not come; the seats were given to others."),
    "find_your_table": _l("Find your table"),
    "event_over": _l("The café is over. Thank you for all your ideas!"),
    "find_page": _l("{first} – {last} · page {n} of {count}"),
    "themes_waiting": _l("Themes appear here as the tables write notes."),
    "two_minutes_left": _l("2 minutes left"),
    "last_two_minutes": _l("Last 2 minutes"),
    "time_up": _l("Time is up"),
    "harvest_now": _l("All rounds are done. Look at the screen: the harvest begins."),
    "not_seated": _l("You are marked as not here. Please talk to the moderator if you are."),
    "next_round_label": _l("Next: round {n}"),
    "move_now": _l("Time to move! Your next table:"),
    "first_table": _l("Your first table:"),
    "scan_to_check_in": _l("At the table, scan the QR code on the table card to check in."),
    "paused": _l("paused"),
    "left": _l("remaining"),
    "plan_none": _l("Not planned yet. Planning takes a second and can be repeated at any time."),
    "plan_done": _l("Plan published"),
    "plan_again": _l("Plan again"),
    "planning": _l("Planning…"),
    "q_no_repeats": _l("Nobody meets anyone twice."),
    "q_repeats": _n(
        "{n} pair meets more than once (at least {bound} cannot be avoided).",
        "{n} pairs meet more than once (at least {bound} cannot be avoided).",
    ),
    "q_topics": _l("Everyone sees {k} different topics."),
    "q_topic_repeats": _n(
        "{n} visit repeats a topic someone already had.",
        "{n} visits repeat a topic someone already had.",
    ),
    "q_mixed": _l("Every table mixes {groups}."),
    "q_not_mixed": _n(
        "{n} table round is not mixed as evenly as the groups allow.",
        "{n} table rounds are not mixed as evenly as the groups allow.",
    ),
    "q_sizes": _l("Table sizes differ by at most one."),
    "q_sizes_bad": _l("Table sizes differ by up to {n}."),
    "q_overflow": _n("{n} seat over capacity.", "{n} seats over capacity."),
    "q_needs": _n("{n} person sits where their needs are not met.", "{n} people sit where their needs are not met."),
    "q_avoid": _n("{n} pair who should not meet does meet.", "{n} pairs who should not meet do meet."),
    "q_time": _l("Planned in {ms} ms."),
    "round_n": _l("Round {n}"),
    "and": _l("and"),
    "empty_table": _l("(empty)"),
    "colour_blue": _l("blue"),
    "colour_orange": _l("orange"),
    "colour_green": _l("green"),
    "colour_purple": _l("purple"),
    "colour_red": _l("red"),
    "colour_sky": _l("sky blue"),
    "colour_pink": _l("pink"),
    "colour_yellow": _l("yellow"),
    "colour_teal": _l("teal"),
    "colour_brown": _l("brown"),
    "colour_navy": _l("navy"),
    "colour_grey": _l("grey"),
    "tags": _l("Tags"),
    "needs": _l("Needs"),
    "locked_reason": _l("{reason} — cannot be removed"),
    "round_locked": _l("started — change its time with the +/− min buttons in the live panel"),
    "unsaved": _l("Unsaved changes"),
    "setup_changed_elsewhere": _l("The setup was changed on another device; save or reload to see it."),
    "person_saved": _l("{name} saved"),
    "search_people": _l("Find a person"),
    "no_match": _l("Nobody found."),
    "show_qr": _l("Show QR code"),
    "qr_for": _l("{name}: scan this with the phone"),
    "close": _l("Close"),
    "check_duplicates": _l("Look for duplicates"),
    "no_duplicates": _l("No names look alike."),
    "similarity": _l("alike: {n}%"),
    "keep_this": _l("Keep {name}"),
    "confirm_merge": _l(
        "Merge {drop} into {keep}? {drop}'s link stops working; notes, votes and check-ins move to {keep}."
    ),
    "merged": _l("{drop} was merged into {keep}."),
    "matches": _n("{n} match", "{n} matches"),
    "desk_table": _l("Table {n}"),
    "desk_now": _l("now"),
    "desk_next": _l("next"),
    "desk_open": _l("Open"),
    "desk_more": _l("the first {n} shown; type more of the name"),
    "desk_no_round_now": _l("No round is running."),
    "desk_no_next": _l("No further round."),
    "desk_no_seat": _l("no seat yet"),
    "desk_unseated": _l("Round {n}: no seat yet (all tables full, or being planned)."),
    "desk_round_planned": _l("to come"),
    "desk_round_running": _l("running"),
    "desk_round_paused": _l("paused"),
    "desk_round_ended": _l("done"),
    "desk_status_left": _l("has left"),
    "desk_status_no_show": _l("did not come"),
    "desk_check_in": _l("Check in for round {n}"),
    "desk_check_in_none": _l("Check in (no round now)"),
    "desk_checked_in": _l("{name} is checked in at table {n}."),
    "desk_hide_qr": _l("Hide QR code"),
    "desk_added": _l("{name} was added. Let their phone scan the code, or print their card."),
    "desk_look_alike": _l("{name} is already here: search for them above. If this is someone else, press Add again."),
    "access_needs": _l("Access needs"),
    "needs_example": _l("e.g. step-free, en"),
    "no_group": _l("(no group)"),
    "no_table": _l("(no table)"),
    "table_in_round": _l("Table (round {n})"),
    "no_people_yet": _l("Nobody yet: add people above, import a list, or let them join with the QR code."),
    "showing_range": _l("{from}–{to} of {n}"),
    "q_repeats_avoidable": _n(
        "{n} pair meets more than once, though this could be avoided: press “Plan again”.",
        "{n} pairs meet more than once, though this could be avoided: press “Plan again”.",
    ),
    "q_repeats_forced": _n(
        "{n} pair meets more than once: with these tables and rounds that cannot be avoided.",
        "{n} pairs meet more than once: with these tables and rounds that cannot be avoided.",
    ),
    "advice_rounds": _n("plan {n} round", "plan {n} rounds"),
    "advice_tables": _n("add {n} table of {seats} seats", "add {n} tables of {seats} seats"),
    "advice_avoid": _l("So that nobody has to meet anyone twice: {ways}."),
    "advice_none": _l("Some people meet twice whatever the plan; fewer rounds or more tables would reduce it."),
    "or": _l("or"),
    "missing_tables": _l("tables (in Setup)"),
    "missing_people": _l("participants (below, by list or by QR code)"),
    "start_needs": _l("Round {n} can start once the event has {what}."),
    "notes_shown": _l("{shown} of {n} notes shown"),
    "confirm_leave_unsaved": _l(
        "The setup has unsaved changes. Leave the console anyway? They stay on this device as a draft until you return."
    ),
    "silent_table": _l("Table {table}: no notes for {minutes} minutes — worth a look?"),
    "hosts_offline": _n(
        "{n} host tablet is not connected: table {tables}.",
        "{n} host tablets are not connected: tables {tables}.",
    ),
    "host_online": _l("tablet online"),
    "host_offline": _l("tablet offline"),
    "notes_this_round": _n("{n} note this round", "{n} notes this round"),
}


def js_strings(keys: Iterable[str] | None = None) -> dict[str, str | dict[str, str]]:
    """The JS strings in the current language (counted ones as their plural forms); only ``keys`` if given (the
    phone page takes its own few: every byte counts on a venue's Wi-Fi). Read-only: the same dict serves every page
    in that language (translating them all took a page load 2.5–4 ms of the loop, measured)."""
    return _js_strings(str(get_locale()), None if keys is None else tuple(keys))


@lru_cache(maxsize=16)
def _js_strings(locale: str, keys: tuple[str, ...] | None) -> dict[str, str | dict[str, str]]:
    from .i18n_harvest import HARVEST_STRINGS
    from .i18n_networking import NETWORKING_STRINGS
    from .i18n_organiser import ORGANISER_STRINGS

    strings = {**JS_STRINGS, **HARVEST_STRINGS, **ORGANISER_STRINGS, **NETWORKING_STRINGS}
    if keys is not None:
        strings = {key: strings[key] for key in keys}
    return {key: value.forms() if isinstance(value, _n) else str(value) for key, value in strings.items()}
