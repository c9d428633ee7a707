// Check-in and check-out on the phone: the form posts without JavaScript; with it, the phone's
// location is added when it answers within a few seconds (never blocking the post).
(function () {
  document.querySelectorAll("form[data-locate]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located || !navigator.geolocation) return;
      event.preventDefault();
      form.dataset.located = "1";
      var sent = false;
      function send() { if (!sent) { sent = true; form.submit(); } }
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lng.value = pos.coords.longitude.toFixed(6);
        send();
      }, send, { timeout: 4000, maximumAge: 60000 });
      setTimeout(send, 5000);
    });
  });
})();
