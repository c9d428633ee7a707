/* Photos on a weak link: the step forms of the checklist partial (a venue task's field card, an
   inspection card; the server's side is vcassure/checklists/step_posts.py). Without this script
   a step form posts its answer and photos together, as a plain form. With it: each chosen photo is scaled down on the
   phone (at most 1600 px, at most 400 KB JPEG, the camera's orientation applied), the answer and
   note are saved first (the server then waits for the announced photos), and each photo follows
   as its own request with a progress bar; a dropped upload is retried (automatically, then with a
   button) without touching the saved answer or the note. */
(function () {
  "use strict";
  var MAX_SIDE = 1600, MAX_BYTES = 400 * 1024, RETRIES = 3;
  var forms = document.querySelectorAll("form.step-form");
  if (!forms.length || !window.FormData || !window.XMLHttpRequest || !window.fetch) { return; }
  var text = document.getElementById("photo-texts");
  var say = function (key) { return (text && text.getAttribute("data-" + key)) || key; };

  function toBlob(canvas, quality) {
    return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); });
  }

  /* The photo as a JPEG of at most MAX_SIDE px and MAX_BYTES, upright; the original when the
     browser cannot (an old in-app browser), the server checks and limits it anyway. */
  function shrink(file) {
    if (!window.createImageBitmap || !file.type || file.type.indexOf("image/") !== 0) { return Promise.resolve(file); }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var attempt = function (factor, quality) {
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(bitmap.width * scale * factor));
        canvas.height = Math.max(1, Math.round(bitmap.height * scale * factor));
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        return toBlob(canvas, quality).then(function (blob) {
          if (!blob) { return file; }
          if (blob.size <= MAX_BYTES || (quality <= 0.5 && factor <= 0.4)) { return blob; }
          return quality > 0.5 ? attempt(factor, quality - 0.15) : attempt(factor * 0.8, 0.7);
        });
      };
      return attempt(1, 0.85);
    }).catch(function () { return file; });
  }

  function upload(url, token, blob, bar, status) {
    return new Promise(function (resolve, reject) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token);
      data.append("photo", blob, "photo.jpg");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      };
      xhr.onload = function () {
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (ignore) { body = null; }
        // 200 with the photo counted; a login page (an expired session) or a proxy's page is not.
        if (xhr.status === 200 && body && "photos_pending" in body) { bar.value = 100; resolve(); return; }
        reject({ final: xhr.status >= 400 && xhr.status < 500, detail: body && body.detail });
      };
      xhr.onerror = xhr.ontimeout = function () { reject({ final: false }); };
      xhr.timeout = 120000;
      xhr.send(data);
    });
  }

  function sendAll(form, state) {
    var token = form.elements.csrfmiddlewaretoken.value;
    var next = Promise.resolve();
    state.photos.forEach(function (item, i) {
      next = next.then(function () {
        if (item.done) { return; }
        state.status.textContent = say("uploading") + " " + (i + 1) + "/" + state.photos.length;
        var tries = 0;
        var go = function () {
          return upload(state.url, token, item.blob, state.bar, state.status).then(function () {
            item.done = true;
          }, function (err) {
            tries += 1;
            if (err.final || tries >= RETRIES) { throw err; }
            state.status.textContent = say("retrying");
            return new Promise(function (r) { setTimeout(r, 1000 * tries); }).then(go);
          });
        };
        return go();
      });
    });
    return next.then(function () {
      state.status.textContent = say("done");
      window.location.assign(state.next);
      window.location.reload();
    }, function (err) {
      state.status.textContent = (err && err.detail) || say("failed");
      state.retry.hidden = false;
    });
  }

  Array.prototype.forEach.call(forms, function (form) {
    var clicked = null;
    form.addEventListener("click", function (e) {
      if (e.target.name === "result") { clicked = e.target.value; }
    });
    form.addEventListener("submit", function (event) {
      var files = [];
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { files.push(f); });
      });
      if (!files.length) { return; }  // nothing to carry: the plain post is as quick
      event.preventDefault();
      var submitter = event.submitter || null;
      var result = (submitter && submitter.value) || clicked || "pass";
      var status = document.createElement("p");
      status.className = "upload-status";
      status.setAttribute("role", "status");
      var bar = document.createElement("progress");
      bar.max = 100; bar.value = 0; bar.className = "upload-progress";
      var retry = document.createElement("button");
      retry.type = "button"; retry.hidden = true; retry.className = "retry-upload";
      retry.textContent = say("retry");
      form.appendChild(bar); form.appendChild(status); form.appendChild(retry);
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = true; });
      status.textContent = say("preparing");
      Promise.all(files.map(shrink)).then(function (blobs) {
        // The form's own fields (the note, a reading, the token), not its files: those follow.
        var data = new FormData();
        Array.prototype.forEach.call(form.elements, function (el) {
          var skip = !el.name || el.disabled || /^(file|submit|button|reset)$/.test(el.type) ||
            (/^(checkbox|radio)$/.test(el.type) && !el.checked);
          if (!skip) { data.append(el.name, el.value); }
        });
        data.append("result", result);
        data.append("photos_to_follow", String(blobs.length));
        status.textContent = say("saving");
        return fetch(form.action, {
          method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" }
        }).then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) { throw { detail: body.detail, answer: true }; }
            var state = {
              url: body.photos_url, next: body.next, bar: bar, status: status, retry: retry,
              photos: blobs.map(function (b) { return { blob: b, done: false }; })
            };
            retry.addEventListener("click", function () { retry.hidden = true; sendAll(form, state); });
            return sendAll(form, state);
          });
        });
      }).catch(function (err) {
        // The answer was not saved (refused, or no signal): the form keeps what was entered.
        status.textContent = (err && err.detail) || say("failed");
        bar.remove(); retry.remove();
        Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) { b.disabled = false; });
      });
    });
  });
})();
