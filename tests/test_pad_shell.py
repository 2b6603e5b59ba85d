"""The host pad's service worker: served under /h/ so that it controls host pages only, never cached stale."""

from __future__ import annotations


def test_the_pad_service_worker_is_served_under_the_host_pages(client, event):
    response = client.get("/h/sw.js")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "no-cache"  # a new version reaches the tablets on their next load
    assert "self.addEventListener(\"fetch\"" in response.get_data(as_text=True)
    response.close()
    # The worker's path is not taken for a link, and a pad's link still opens its pad.
    page = client.get(f"/h/{event.hosts[1]}")
    assert page.status_code == 200 and 'id="host"' in page.get_data(as_text=True)
