/* The dashboard countdown ticks every second from the server's instants (corrected for the
   browser's clock); the live partial is swapped by HTMX every 5 s, so this runs once per page. */
(function () {
  "use strict";
  if (window.vcaDashboard) { return; }
  window.vcaDashboard = { loadedAt: Date.now() };
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function span(ms, el) {
    var s = Math.max(0, Math.floor(ms / 1000)), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var text = pad(h) + ":" + pad(Math.floor(s % 3600 / 60)) + ":" + pad(s % 60);
    return d ? d + el.dataset.days + " " + text : text;
  }
  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.dataset.countdown === "cancelled") { return; }
      if (el.vcaSkew === undefined) { el.vcaSkew = Number(el.dataset.now) - Date.now(); }
      var now = Date.now() + el.vcaSkew, starts = Number(el.dataset.starts), ends = Number(el.dataset.ends);
      if (now < starts) { el.textContent = el.dataset.before + " " + span(starts - now, el); }
      else if (now < ends) { el.textContent = el.dataset.during + " " + span(ends - now, el); }
      else { el.textContent = el.dataset.after; }
    });
  }
  setInterval(tick, 1000);
})();
