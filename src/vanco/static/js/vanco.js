// Vanco's few behaviours; no inline script anywhere (CSP).
(function () {
  "use strict";
  // Long choice lists (localities, departments, users) get a search box; a plain <select>
  // still works where JavaScript is off.
  function enhanceSelects(root) {
    if (typeof window.TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-search]:not(.tomselected)").forEach(function (select) {
      var options = {
        allowEmptyOption: true,
        maxOptions: 500,
        placeholder: select.getAttribute("data-placeholder") || "",
      };
      var remote = select.getAttribute("data-remote-url");
      if (remote) {
        // Choices come from the server as the user types (at least two letters).
        options.valueField = "value";
        options.labelField = "text";
        // The server already matched without accents; tom-select ignores accents too.
        options.searchField = ["text"];
        options.shouldLoad = function (query) { return query.length >= 2; };
        options.load = function (query, callback) {
          fetch(remote + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
            .then(function (response) { return response.json(); })
            .then(function (data) { callback(data.results); })
            .catch(function () { callback(); });
        };
      }
      new window.TomSelect(select, options);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    enhanceSelects(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    enhanceSelects(event.target);
  });

  // Ask before deactivating: a plain form still works without JavaScript.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
