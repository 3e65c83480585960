// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  function announceResults() {
    var body = document.getElementById("search-body");
    var status = document.getElementById("search-status");
    if (body && status) status.textContent = body.dataset.status || "";
  }

  // After htmx replaced the results, keep the filter panel as the visitor left it
  // and announce the new count to screen readers.
  document.addEventListener("htmx:beforeSwap", function () {
    var filters = document.querySelector("details.filters");
    window.__filtersOpen = filters ? filters.open : true;
  });
  // Controls that sit among the search's but belong to another form (saving the
  // search) must not refresh the results when they change.
  document.addEventListener(
    "change",
    function (event) {
      var control = event.target;
      if (control.form && control.form.id !== "search-form" && control.closest("#search-form")) {
        event.stopPropagation();
      }
    },
    true
  );
  document.addEventListener("htmx:afterSwap", function () {
    var filters = document.querySelector("details.filters");
    if (filters) filters.open = window.__filtersOpen;
    announceResults();
  });
})();
