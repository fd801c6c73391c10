// A searchable select: a <select data-module="searchable-select"> enhanced into a combobox
// that filters its options as the person types (the ARIA 1.2 combobox pattern, with a
// listbox popup). Without this script the select works as it is.
//
// The select stays in the form, hidden, and is what submits the answer: choosing an option
// sets its value (and fires its change event, for enhance.js's live preview). What the person
// types is never rewritten while they type; only choosing an option puts its label in the box.
// Keyboard: type to filter, Down and Up to move through the matches, Enter to choose, Escape
// to close the list. The number of matches is announced politely.
(function () {
  "use strict";

  // Matches listed at once: typing narrows a long list further.
  var MAX_LISTED = 100;
  // Long enough not to announce every keystroke's count.
  var ANNOUNCE_MS = 500;

  function optionsOf(select) {
    return Array.prototype.filter.call(select.options, function (o) { return o.value !== ""; });
  }

  function labelOf(select) {
    var chosen = select.options[select.selectedIndex];
    return chosen && chosen.value !== "" ? chosen.text : "";
  }

  // Lower case, and an underscore read as the space it stands for (America/New_York).
  function normalise(text) { return text.toLowerCase().replace(/_/g, " "); }

  // Options whose label (or value) holds the typed text, those that start with it first.
  function matching(select, typed) {
    var query = normalise(typed.trim());
    var all = optionsOf(select);
    if (!query) { return all; }
    var starts = [];
    var contains = [];
    all.forEach(function (o) {
      var text = normalise(o.text);
      if (text.indexOf(query) === 0) { starts.push(o); }
      else if (text.indexOf(query) !== -1 || normalise(o.value).indexOf(query) !== -1) {
        contains.push(o);
      }
    });
    return starts.concat(contains);
  }

  function Combobox(select) {
    var id = select.id;
    this.select = select;
    this.matches = [];
    this.active = -1;
    this.timer = null;

    var box = document.createElement("div");
    box.className = "searchable-select__combobox";
    box.setAttribute("data-enhanced", "");
    var input = document.createElement("input");
    input.type = "text";
    input.id = id + "-search";
    input.className = "input searchable-select__input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id + "-listbox");
    input.setAttribute("aria-labelledby", id + "-label");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    input.value = labelOf(select);
    var list = document.createElement("ul");
    list.id = id + "-listbox";
    list.className = "searchable-select__list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-labelledby", id + "-label");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);
    select.parentNode.insertBefore(box, select);
    select.hidden = true;
    select.combobox = input;
    this.input = input;
    this.list = list;
    this.status = status;
    this.describe();

    input.addEventListener("input", this.filter.bind(this));
    input.addEventListener("keydown", this.key.bind(this));
    input.addEventListener("focus", this.describe.bind(this));
    input.addEventListener("blur", this.leave.bind(this));
    // Pressing an option must not take the focus from the box (its blur would close the list).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    list.addEventListener("click", this.click.bind(this));
  }

  // The hint and error describe the box as they describe the select (the server may change
  // them while the page is open).
  Combobox.prototype.describe = function () {
    var described = this.select.getAttribute("aria-describedby");
    if (described) { this.input.setAttribute("aria-describedby", described); }
    else { this.input.removeAttribute("aria-describedby"); }
  };

  Combobox.prototype.filter = function () {
    this.matches = matching(this.select, this.input.value);
    this.active = -1;
    this.render();
    this.open();
    this.announce();
  };

  Combobox.prototype.render = function () {
    var self = this;
    var list = this.list;
    while (list.firstChild) { list.removeChild(list.firstChild); }
    this.matches.slice(0, MAX_LISTED).forEach(function (option, index) {
      var item = document.createElement("li");
      item.id = self.select.id + "-option-" + index;
      item.className = "searchable-select__option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", index === self.active ? "true" : "false");
      item.setAttribute("data-index", String(index));
      item.textContent = option.text;
      list.appendChild(item);
    });
    if (this.active >= 0) {
      this.input.setAttribute("aria-activedescendant", this.select.id + "-option-" + this.active);
      var shown = list.children[this.active];
      if (shown && shown.scrollIntoView) { shown.scrollIntoView({ block: "nearest" }); }
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.announce = function () {
    var count = this.matches.length;
    var status = this.status;
    var listed = Math.min(count, MAX_LISTED);
    var message = count === 0 ? "No results" :
      (count === 1 ? "1 result available" : count + " results available") +
      (count > listed ? ", " + listed + " listed: type more to narrow them" : "");
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { status.textContent = message; }, ANNOUNCE_MS);
  };

  Combobox.prototype.open = function () {
    var any = this.matches.length > 0;
    this.list.hidden = !any;
    this.input.setAttribute("aria-expanded", any ? "true" : "false");
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Combobox.prototype.isOpen = function () { return !this.list.hidden; };

  Combobox.prototype.move = function (step) {
    if (!this.isOpen()) {
      this.matches = matching(this.select, this.input.value);
      this.open();
      this.announce();
    }
    var last = Math.min(this.matches.length, MAX_LISTED) - 1;
    if (last < 0) { return; }
    this.active = this.active < 0 ? (step > 0 ? 0 : last) : Math.max(0, Math.min(last, this.active + step));
    this.render();
  };

  Combobox.prototype.key = function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      event.preventDefault();
      this.move(1);
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      event.preventDefault();
      this.move(-1);
    } else if (event.key === "Enter" && this.isOpen()) {
      var only = this.matches.length === 1 ? 0 : -1;
      var index = this.active >= 0 ? this.active : only;
      if (index >= 0) {
        event.preventDefault();  // choosing, not submitting the form
        this.choose(this.matches[index]);
      }
    } else if ((event.key === "Escape" || event.key === "Esc") && this.isOpen()) {
      event.preventDefault();
      this.close();
    }
  };

  Combobox.prototype.click = function (event) {
    var item = event.target.closest("[data-index]");
    if (item) { this.choose(this.matches[Number(item.getAttribute("data-index"))]); }
  };

  Combobox.prototype.choose = function (option) {
    this.input.value = option.text;
    this.close();
    this.setValue(option.value);
    this.status.textContent = option.text + " chosen";
  };

  Combobox.prototype.setValue = function (value) {
    if (this.select.value === value) { return; }
    this.select.value = value;
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
  };

  // Leaving the box: a label typed out in full is chosen; other text chooses nothing (and is
  // left as typed, for the person to see and correct).
  Combobox.prototype.leave = function () {
    this.close();
    var typed = this.input.value.trim().toLowerCase();
    var exact = optionsOf(this.select).filter(function (o) { return o.text.toLowerCase() === typed; });
    this.setValue(exact.length ? exact[0].value : "");
  };

  function enhanceAll(root) {
    root.querySelectorAll("select[data-module=searchable-select]").forEach(function (select) {
      if (!select.combobox) { new Combobox(select); }
    });
  }

  // The select's label and the error summary's link lead to the box the person types in.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("label[for], a[href^='#']");
    if (!link) { return; }
    var name = link.tagName === "LABEL" ? link.htmlFor : link.getAttribute("href").slice(1);
    var target = name ? document.getElementById(name) : null;
    if (target && target.combobox) {
      event.preventDefault();
      target.combobox.focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    if (!("hidden" in document.createElement("ul"))) { return; }
    enhanceAll(document);
    // Questions that appear while the page is open (enhance.js inserts them) are enhanced too.
    if (window.MutationObserver) {
      new MutationObserver(function () { enhanceAll(document); })
        .observe(document.body, { childList: true, subtree: true });
    }
  });
})();
