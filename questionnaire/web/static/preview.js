/* The authors' preview: reload the page once the definition file is saved again, unless the
   author is in the middle of a field or has typed something not yet saved. Without this script
   the preview works the same: the next page (or a reload) reads the file again. */
(function () {
  "use strict";
  var panel = document.querySelector("[data-stamp-url]");
  if (!panel || !window.fetch) { return; }
  var url = panel.getAttribute("data-stamp-url");
  var seen = null;
  var typed = false;
  document.addEventListener("input", function () { typed = true; });
  function busy() {
    var active = document.activeElement;
    return typed || (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  }
  function check() {
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (stamp) {
        if (stamp === null) { return; }
        if (seen === null) { seen = stamp; return; }
        if (stamp !== seen && !busy()) { window.location.reload(); }
      })
      .catch(function () { /* the preview stopped: nothing to do */ });
  }
  check();
  window.setInterval(check, 1500);
})();
