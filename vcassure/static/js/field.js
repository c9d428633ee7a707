/* The field task card: check-in tries to add the location (and sends without it after 10 s or a
   refusal); a submitted form's buttons are disabled against double taps until the page comes back. */
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var form = document.getElementById("check-in-form");
  if (form && navigator.geolocation) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) { return; }
      event.preventDefault();
      var status = document.getElementById("geo-status");
      var send = function () {
        if (form.getAttribute("data-sent")) { return; }
        form.setAttribute("data-sent", "1");
        form.submit();
      };
      if (status) { status.textContent = status.getAttribute("data-locating"); }
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(6);
        form.elements.lng.value = position.coords.longitude.toFixed(6);
        send();
      }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
      setTimeout(send, 10000);
    });
  }
  each(document.querySelectorAll("form.step-form, form.check-in-form"), function (f) {
    f.addEventListener("submit", function () {
      setTimeout(function () { each(f.querySelectorAll("button"), function (b) { b.disabled = true; }); }, 0);
    });
  });
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }  // back from the next page: the forms may be used again
    each(document.querySelectorAll("form.step-form button, form.check-in-form button"), function (b) { b.disabled = false; });
    if (form) { form.removeAttribute("data-sent"); }
  });
})();
