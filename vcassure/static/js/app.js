/* Behaviour shared by every page. The Content-Security-Policy allows scripts from this origin
   only, so pages carry data attributes instead of inline handlers (onclick=, hx-on). */
(function () {
  "use strict";

  // <select data-autosubmit>: submit its form on change (the language menu).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) { el.form.submit(); }
  });

  document.addEventListener("click", function (event) {
    var el = event.target;
    if (!el.closest) { return; }
    // <input data-select-on-click>: select the whole value (a link to copy).
    if (el.matches("input[data-select-on-click]")) { el.select(); return; }
    // <button data-fullscreen>: the wall display fills the screen.
    if (el.closest("[data-fullscreen]")) {
      var root = document.documentElement;
      if (root.requestFullscreen) { root.requestFullscreen(); }
    }
  });

  // A tree toggle that loaded its children: mark it expanded and done (data-expand-once).
  document.addEventListener("htmx:afterRequest", function (event) {
    var el = event.detail && event.detail.elt;
    if (!el || !el.matches || !el.matches("[data-expand-once]") || !event.detail.successful) { return; }
    el.setAttribute("aria-expanded", "true");
    el.textContent = "\u2212";
    el.disabled = true;
  });
})();
