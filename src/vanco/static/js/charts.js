// Draws every chart of a page from options the server wrote (no inline script: CSP).
//
// <div data-chart="ID" style="height: 320px"></div> reads its ECharts option from
// <script type="application/json" id="ID">, written with Django's json_script. A
// data-map="NAME" data-geojson="GEO_ID" pair registers an offline GeoJSON map first.
// Clicking any item whose data carries a "url" opens the list behind it; every figure of
// Vanco links to its records.
(function () {
  "use strict";
  var LOCALES = { vi: "VI", en: "EN", "zh-hans": "ZH" };

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function locale() {
    var lang = (document.documentElement.getAttribute("lang") || "vi").toLowerCase();
    return LOCALES[lang] || "VI";
  }

  function draw(el) {
    if (typeof window.echarts === "undefined" || el.getAttribute("data-drawn")) {
      return;
    }
    var option = readJson(el.getAttribute("data-chart"));
    if (!option) {
      return;
    }
    var mapName = el.getAttribute("data-map");
    if (mapName && !window.echarts.getMap(mapName)) {
      var geojson = readJson(el.getAttribute("data-geojson"));
      if (geojson) {
        window.echarts.registerMap(mapName, geojson);
      }
    }
    var chart = window.echarts.init(el, null, { locale: locale(), renderer: "canvas" });
    chart.setOption(option);
    chart.on("click", function (params) {
      var data = params.data || {};
      if (data.url) {
        window.location.assign(data.url);
      }
    });
    el.setAttribute("data-drawn", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll(root) {
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawAll(event.target); });
})();
