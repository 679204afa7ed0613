// A print button for the personal card (hidden without JavaScript: use the browser's Print).
for (const button of document.querySelectorAll("[data-print]")) {
  button.classList.remove("hidden");
  button.addEventListener("click", () => window.print());
}
