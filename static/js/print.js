// Print sheets: a button instead of an inline onclick (the CSP allows no inline script).
document.getElementById("print")?.addEventListener("click", () => window.print());
