"""Accessibility checks for the browser tests: axe-core on a page, and the size of every target.

axe-core comes bundled in axe-playwright-python (its `axe.min.js`, injected into the page by Playwright: no network
needed). `AxeAudit` runs it on each page a test visits, keeps every finding, and fails once at the end with all of
them, each readable: rule, impact, WCAG criteria, the element and what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

# WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices (landmarks, one main, heading order); AAA rules stay off.
AXE_OPTIONS: dict[str, Any] = {
    "resultTypes": ["violations"],
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
}
BLOCKING = ("serious", "critical")


def run_axe(page: Any, context: Any = None) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (or within ``context``, an axe context selector)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    results = Axe().run(page, context=context, options=AXE_OPTIONS)
    return list(results.response["violations"])


def describe(violation: dict[str, Any], where: str) -> str:
    """One finding as a person reads it: which page, which rule, which element, and why."""
    criteria = ", ".join(t for t in violation.get("tags", []) if t.startswith("wcag") and t[4:5].isdigit())
    lines = [f"[{where}] {violation['id']} ({violation.get('impact')}; {criteria or 'best practice'}): "
             f"{violation['help']} — {violation.get('helpUrl', '').split('?')[0]}"]
    nodes = violation["nodes"]
    for node in nodes[:8]:
        lines.append(f"    at {' '.join(str(t) for t in node['target'])}")
        lines.append(f"       {node.get('html', '')[:200]}")
        for check in node.get("any", []) + node.get("all", []) + node.get("none", []):
            lines.append(f"       - {check['message']}")
    if len(nodes) > 8:
        lines.append(f"    … and {len(nodes) - 8} more elements")
    return "\n".join(lines)


@dataclass
class AxeAudit:
    """Runs axe on every page a test shows it; `assert_clean` fails on any serious or critical finding."""

    blocking: list[str] = field(default_factory=list)
    minor: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def check(self, page: Any, where: str, context: Any = None) -> None:
        """Audit the page in its current state; ``where`` names it in the report (role, state, device)."""
        self.pages.append(where)
        for violation in run_axe(page, context):
            text = describe(violation, where)
            (self.blocking if violation.get("impact") in BLOCKING else self.minor).append(text)
            print(text)  # captured; pytest shows it when a later step of the test fails

    def report(self) -> str:
        return "\n".join(self.blocking)

    def assert_clean(self) -> None:
        if self.minor:  # shown with -s or on failure; they do not fail the run
            print("axe, moderate and minor findings:\n" + "\n".join(self.minor))
        assert not self.blocking, (
            f"{len(self.blocking)} serious or critical accessibility finding(s) on "
            f"{len(self.pages)} page states:\n{self.report()}"
        )


@pytest.fixture
def axe_audit() -> Iterator[AxeAudit]:
    """An `AxeAudit` for the test; the test calls `assert_clean()` where it wants the verdict."""
    yield AxeAudit()


def assert_accessible(page: Any, where: str) -> None:
    """Fail at once on any serious or critical axe finding on this page (for a single check in any browser test)."""
    audit = AxeAudit()
    audit.check(page, where)
    audit.assert_clean()


# WCAG 2.2 SC 2.5.8 (Target Size, Minimum): 24 × 24 CSS px, unless the target sits inline in a sentence, or its
# 24 px circle does not cross another target (the spacing exception), or the browser draws it unstyled.
TARGETS_JS = """
() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab],'
    + ' [role=link], [role=checkbox], [role=radio], [tabindex]:not([tabindex="-1"])';
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && !el.closest('[hidden], [inert], [aria-hidden="true"]');
  };
  // A link inside a run of text (a paragraph, a list item with words around it) is the "inline" exception.
  const inline = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const parent = el.parentElement;
    const text = Array.from(parent.childNodes).filter((n) => n !== el)
      .map((n) => n.textContent || '').join('').trim();
    return text.length > 0;
  };
  const all = Array.from(document.querySelectorAll(selector)).filter(visible);
  const boxes = all.map((el) => el.getBoundingClientRect());
  const label = (el) => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '').trim();
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} "${text.slice(0, 40)}"`;
  };
  const small = [];
  all.forEach((el, i) => {
    const box = boxes[i];
    if (box.width >= 24 - 0.01 && box.height >= 24 - 0.01) return;
    if (inline(el)) return;
    // Spacing exception: a 24 px circle centred on the target crosses no other target, nor the circle of another
    // undersized one. (A control inside another, like an input in its label, counts as one target.)
    const cx = box.left + box.width / 2, cy = box.top + box.height / 2;
    const crosses = all.some((other, j) => {
      if (j === i || other.contains(el) || el.contains(other)) return false;
      const o = boxes[j];
      if (o.width < 24 || o.height < 24) {
        return Math.hypot(o.left + o.width / 2 - cx, o.top + o.height / 2 - cy) < 24;
      }
      const dx = Math.max(o.left - cx, 0, cx - o.right), dy = Math.max(o.top - cy, 0, cy - o.bottom);
      return Math.hypot(dx, dy) < 12;
    });
    if (!crosses) return;
    small.push(`${label(el)} is ${box.width.toFixed(1)}×${box.height.toFixed(1)} px`);
  });
  return small;
}
"""


def small_targets(page: Any) -> list[str]:
    """Every visible target smaller than 24 × 24 CSS px that no exception of WCAG 2.5.8 covers."""
    return list(page.evaluate(TARGETS_JS))
