// Project pages: the funds chart (ECharts, data from a json_script island) and the stage-change
// dialog (htmx loads the form into a Bootstrap modal; without JavaScript the links open a page).
(function () {
  "use strict";

  function echartsLocale() {
    var lang = (document.documentElement.lang || "vi").toLowerCase();
    if (lang.indexOf("zh") === 0) {
      return "ZH";
    }
    if (lang.indexOf("en") === 0) {
      return "EN";
    }
    return "VI";
  }

  function formatNumber(value) {
    var lang = document.documentElement.lang || "vi";
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 3 }).format(value);
    } catch (error) {
      return String(value);
    }
  }

  function fundsChart() {
    var element = document.getElementById("funds-chart");
    var island = document.getElementById("funds-chart-data");
    if (!element || !island || typeof window.echarts === "undefined") {
      return;
    }
    var data = JSON.parse(island.textContent);
    var unit = element.getAttribute("data-unit") || "";
    element.style.height = "280px";
    var chart = window.echarts.init(element, null, { locale: echartsLocale(), renderer: "svg" });
    chart.setOption({
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) {
          return formatNumber(value) + " " + unit;
        },
      },
      legend: { bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: {
        type: "value",
        axisLabel: { formatter: function (value) { return formatNumber(value); } },
      },
      series: [
        {
          name: element.getAttribute("data-series-funds"),
          type: "line",
          data: data.funds,
          areaStyle: { opacity: 0.15 },
          symbolSize: 6,
        },
        {
          name: element.getAttribute("data-series-plan"),
          type: "line",
          data: data.plan,
          symbol: "none",
          lineStyle: { type: "dashed" },
        },
      ],
    });
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  document.addEventListener("DOMContentLoaded", fundsChart);

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "stage-dialog-body" && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("stage-dialog")).show();
    }
  });
})();
