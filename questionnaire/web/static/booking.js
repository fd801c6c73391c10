// On a booking page showing the default time zone (the customer has not given or chosen one),
// show the times in the browser's zone instead, if it is one of the list's. Without JavaScript
// the customer chooses it from the list: this only saves them a click.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-zone-default]");
    var select = form && form.querySelector("select[name=zone]");
    if (!select || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === select.value) return;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!known) return;
    var params = new URLSearchParams(window.location.search);
    params.set("zone", zone);
    window.location.replace(window.location.pathname + "?" + params.toString());
  });
})();
