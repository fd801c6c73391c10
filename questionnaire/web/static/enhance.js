// Progressive enhancement for question pages: when an answer changes, ask the server for the
// page's questions as they now apply, and bring the page in line with its answer.
// The server evaluates the conditions (there is no second implementation of the logic here);
// without this script the page updates when it is submitted.
//
// The person goes on typing while the answer is on its way, so the page is never rendered
// again: only the question groups that appear or disappear are inserted or removed, and in
// the groups that stay only the text around the fields (labels, hints, notes) is updated.
// A field that stays is the same element throughout: its value, caret, selection, focus and
// chosen file are never touched.
(function () {
  "use strict";

  // Long enough to merge the changes of one gesture (a text field left by clicking a radio,
  // a date whose parts each fire a change while typed), short enough to feel immediate.
  var DEBOUNCE_MS = 250;
  // Fields a person types in or chooses with: kept as they are.
  var FIELDS = "input:not([type=hidden]), textarea, select";
  // Elements with state of their own (focus, an open <details>): kept, their content updated.
  var STATEFUL = FIELDS + ", input[type=hidden], button, a[href], summary, details, [tabindex]";
  // Attributes of a kept field that follow the server (an error's styling and description,
  // an option's id when the options on offer change); never its value or checked state.
  var FIELD_ATTRIBUTES = ["id", "class", "aria-describedby"];
  // Attributes that hold the person's doing rather than the server's markup.
  var USER_ATTRIBUTES = ["open"];

  function isWhitespace(node) {
    return node.nodeType === Node.TEXT_NODE && !/\S/.test(node.nodeValue);
  }

  function holdsState(el) {
    return el.querySelector(STATEFUL) !== null;
  }

  // What makes an element of the server's answer the same as one on the page. Options by
  // name and value (their ids are numbered by position, so they shift when the options on
  // offer change), other fields by name, then ids, then an element holding fields by the
  // first one it holds; anything else (labels, hints, notes) by its whole markup, so that a
  // changed text replaces the old one and an unchanged one is left alone.
  function keyOf(el) {
    if (el.matches("input[type=radio], input[type=checkbox]")) {
      return "option " + el.name + "=" + el.value;
    }
    if (el.matches("input, textarea, select")) { return "field " + (el.name || el.id); }
    if (el.id) { return "id " + el.id; }
    var inner = el.querySelector(STATEFUL);
    if (inner) { return "holds " + keyOf(inner); }
    if (el.matches(STATEFUL)) {
      return el.tagName + " " + (el.getAttribute("href") || el.getAttribute("name") || "");
    }
    return "markup " + el.outerHTML;
  }

  // Pair each fresh element with the element on the page that it stands for, in order: an
  // element that would have to move is not paired (moving it would take the focus away).
  function pair(oldChildren, freshChildren) {
    var pool = {};
    oldChildren.forEach(function (el, index) {
      var key = keyOf(el);
      (pool[key] = pool[key] || []).push(index);
    });
    var last = -1;
    return freshChildren.map(function (fresh) {
      var waiting = pool[keyOf(fresh)] || [];
      while (waiting.length && waiting[0] < last) { waiting.shift(); }
      if (!waiting.length) { return null; }
      last = waiting.shift();
      return oldChildren[last];
    });
  }

  function syncAttributes(old, fresh, only) {
    var names = only || [];
    if (!only) {
      Array.prototype.forEach.call(old.attributes, function (a) { names.push(a.name); });
      Array.prototype.forEach.call(fresh.attributes, function (a) { names.push(a.name); });
    }
    names.forEach(function (name) {
      if (USER_ATTRIBUTES.indexOf(name) !== -1) { return; }
      var value = fresh.getAttribute(name);
      if (value === null) { old.removeAttribute(name); }
      else if (old.getAttribute(name) !== value) { old.setAttribute(name, value); }
    });
  }

  // Remove an element with the whitespace before it, so that the page does not gather empty
  // text while questions come and go.
  function removeElement(el) {
    var before = el.previousSibling;
    if (before && isWhitespace(before)) { before.remove(); }
    el.remove();
  }

  // Insert a fresh element after `previous` (at the start when null), with its whitespace.
  function insertAfter(parent, fresh, previous) {
    var before = fresh.previousSibling;
    var at = previous ? previous.nextSibling : parent.firstChild;
    if (before && isWhitespace(before)) { parent.insertBefore(before, at); }
    parent.insertBefore(fresh, at);
  }

  // Bring the children of `old` in line with those of `fresh`; returns the elements inserted.
  // Text directly inside elements that hold fields is only whitespace in these templates, so
  // only elements are compared there.
  function reconcile(old, fresh) {
    // What a script added to enhance a field (data-enhanced, see searchable-select.js) is the
    // page's own: the server's markup never has it, and it is never removed.
    var oldChildren = Array.prototype.slice.call(old.children).filter(function (el) {
      return !el.hasAttribute("data-enhanced");
    });
    var freshChildren = Array.prototype.slice.call(fresh.children);
    var paired = pair(oldChildren, freshChildren);
    oldChildren.forEach(function (el) {
      if (paired.indexOf(el) === -1) { removeElement(el); }
    });
    var inserted = [];
    var previous = null;
    freshChildren.forEach(function (el, index) {
      var kept = paired[index];
      if (kept) {
        update(kept, el);
        previous = kept;
      } else {
        insertAfter(old, el, previous);
        inserted.push(el);
        previous = el;
      }
    });
    return inserted;
  }

  // Update an element that stays from its fresh copy, as far as its kind allows.
  function update(old, fresh) {
    if (old.matches(FIELDS)) {
      syncAttributes(old, fresh, FIELD_ATTRIBUTES);
    } else if (old.matches("input[type=hidden]")) {
      syncAttributes(old, fresh);  // not typed in: the server's value (the questions shown)
      old.value = fresh.value;
    } else if (holdsState(old)) {
      syncAttributes(old, fresh);
      reconcile(old, fresh);
    } else if (old.matches(STATEFUL)) {
      syncAttributes(old, fresh);  // a link or a button: new content keeps its focus
      if (old.innerHTML !== fresh.innerHTML) { old.innerHTML = fresh.innerHTML; }
    } else if (!old.isEqualNode(fresh)) {
      old.replaceWith(fresh);  // text and nothing else: replaced (a changed label or note)
    }
  }

  // --- telling screen readers what appeared ------------------------------------------------

  function liveRegion(container) {
    var region = document.createElement("div");
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    region.setAttribute("aria-live", "polite");
    region.setAttribute("aria-atomic", "true");
    container.parentNode.insertBefore(region, container.nextSibling);
    return region;
  }

  function questionText(group) {
    var label = group.querySelector(".label, .fieldset__legend, h2");
    return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // Announce new questions without moving the focus: the person may be typing elsewhere.
  function announce(region, groups) {
    var names = groups.map(questionText).filter(Boolean);
    if (!names.length) { return; }
    var message = (names.length === 1 ? "New question: " : "New questions: ") + names.join("; ");
    // Emptied first, so that the same message twice in a row is read out again.
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  // --- asking the server ---------------------------------------------------------------------

  function Preview(form, container) {
    this.form = form;
    this.container = container;
    this.region = liveRegion(container);
    this.timer = null;
    this.request = null;  // the AbortController of the request in flight
    this.latest = 0;      // the number of the only request whose answer may be applied
  }

  // Called on every change: whatever was asked before no longer matches the answers.
  Preview.prototype.schedule = function () {
    this.latest += 1;
    if (this.request) { this.request.abort(); this.request = null; }
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(this.send.bind(this), DEBOUNCE_MS);
  };

  Preview.prototype.send = function () {
    var self = this;
    var ticket = ++this.latest;
    var data = new FormData(this.form);
    // Files are only sent with the page itself: a preview needs their questions' ids only.
    this.container.querySelectorAll("input[type=file]").forEach(function (input) {
      data.delete(input.name);
    });
    var controller = window.AbortController ? new AbortController() : null;
    this.request = controller;
    fetch(this.form.getAttribute("data-preview"), {
      method: "POST", body: data, credentials: "same-origin", redirect: "error",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (ticket !== self.latest) { return null; }
        // 409: the page no longer applies (submitted elsewhere): show what the server says now.
        if (response.status === 409) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || ticket !== self.latest) { return; }  // a newer change came since
        self.request = null;
        self.apply(html);
      })
      .catch(function () { /* aborted, or offline: the page still works when submitted */ });
  };

  Preview.prototype.apply = function (html) {
    var fresh = document.createElement("template");
    fresh.innerHTML = html;
    var inserted = reconcile(this.container, fresh.content);
    announce(this.region, inserted.filter(function (el) { return el.matches(".form-group"); }));
  };

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary[role=alert]");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    var form = document.querySelector("form[data-preview]");
    var container = document.getElementById("questions");
    if (!form || !container || !window.fetch || !("content" in document.createElement("template"))) {
      return;
    }
    var preview = new Preview(form, container);
    container.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.name || input.type === "file") { return; }
      preview.schedule();
    });
  });
})();
