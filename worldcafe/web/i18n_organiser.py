"""The strings of the console's networking panel (static/js/matchmaking.js), kept apart from the other pages'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .i18n import _n

ORGANISER_STRINGS = {
    "matches_loading": _l("Finding people who should meet…"),
    "matches_off": _l("Turn on “Seat complementary people together” to see the pairs the profiles suggest."),
    "matches_none": _l("No pairs yet: none of the profiles’ offers meets another group’s search, and no interests "
                       "are shared."),
    "n_pairs_requested": _n("{n} pair requested", "{n} pairs requested"),
    "pairs_planned": _l("The plan seats {met} of {n} requested pairs at one table."),
    "pairs_unmet": _n("{n} requested pair does not meet in the plan.", "{n} requested pairs do not meet in the plan."),
    "pairs_replan": _l("Plan the rounds to seat the requested pairs together."),
    "pair_drop": _l("Drop"),
    "pair_restore": _l("Ask again"),
    "pair_dropped": _l("dropped"),
    "pair_by_hand": _l("added by hand"),
    "pair_drop_label": _l("Drop the pair {a} and {b}"),
    "pair_restore_label": _l("Ask again for the pair {a} and {b}"),
    "pair_added": _l("Pair added."),
    "pair_removed": _l("Pair dropped."),
    "pair_pick_two": _l("Pick two different people from the list."),
    "planned_together": _l("seated together"),
    "not_planned_together": _l("not together yet"),
    "n_pairs_shown": _n("{n} pair shown", "{n} pairs shown"),
    "delete_confirm_mismatch": _l("Type the join code {code} to confirm."),
    "event_deleted": _l("The event was deleted."),
    "notice_saved": _l("Privacy notice saved."),
}
