"""Use cases: validate, change state, commit, and return the pushes for the adapter to emit."""
