// Progressive enhancement for question pages: when an answer that shows or hides questions
// changes, ask the server for the page's questions as they now apply and swap them in.
// The server evaluates the conditions (there is no second implementation of the logic here);
// without this script the page updates when it is submitted.
(function () {
  "use strict";

  function fileInputs(container) {
    var found = {};
    container.querySelectorAll("input[type=file]").forEach(function (input) { found[input.id] = input; });
    return found;
  }

  function refresh(form, container) {
    var data = new FormData(form);
    container.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    var files = fileInputs(container);
    fetch(form.getAttribute("data-preview"), { method: "POST", body: data, credentials: "same-origin", redirect: "error" })
      .then(function (response) {
        // 409: the page no longer applies (submitted elsewhere): show what the server says now.
        if (response.status === 409) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) { return; }
        // Keep focus where the respondent has moved it since the change (Tab goes on).
        var active = document.activeElement;
        var focusId = active && container.contains(active) ? active.id : null;
        container.innerHTML = html;
        // Keep any file the respondent already chose: re-use the original inputs.
        Object.keys(files).forEach(function (id) {
          var fresh = document.getElementById(id);
          if (fresh) { fresh.replaceWith(files[id]); }
        });
        var target = focusId && document.getElementById(focusId);
        if (target) { target.focus(); }
      })
      .catch(function () { /* offline: the page still works when submitted */ });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary[role=alert]");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    var form = document.querySelector("form[data-preview]");
    var container = document.getElementById("questions");
    if (!form || !container || !window.fetch) { return; }
    container.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.name || input.type === "file") { return; }
      refresh(form, container);
    });
  });
})();
