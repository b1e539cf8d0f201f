// Kemiskinan multidimensi: the pickers apply on change (the button stays for keyboards and
// no-JS use), and the indicator contributions are drawn with the vendored vega-lite.
// vega-embed runs with ast: true (its expression interpreter), so the chart needs no
// 'unsafe-eval' under the page's Content-Security-Policy.
(function () {
  "use strict";
  var form = document.getElementById("pilihan");
  if (form) {
    var selects = form.querySelectorAll("select");
    for (var i = 0; i < selects.length; i++) {
      selects[i].addEventListener("change", function () { form.submit(); });
    }
  }

  // the sensitivity table scrolls: bring this measure's k into view
  var current = document.querySelector(".scroll-y tr.current");
  if (current) {
    var box = current.closest(".scroll-y");
    box.scrollTop = Math.max(0, current.offsetTop - box.clientHeight / 2);
  }

  var holder = document.getElementById("grafik-kontribusi");
  var dataNode = document.getElementById("kontribusi-data");
  if (!holder || !dataNode || typeof vegaEmbed === "undefined") { return; }
  var rows = JSON.parse(dataNode.textContent);
  var words = JSON.parse(document.getElementById("kontribusi-kata").textContent);
  if (!rows.length) { return; }

  var spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values: rows },
    width: "container",
    height: { step: 24 },
    mark: { type: "bar", cornerRadiusEnd: 2 },
    encoding: {
      y: {
        field: "indikator", type: "nominal", sort: "-x", title: null,
        axis: { labelLimit: 320, labelFontSize: 12 }
      },
      x: {
        field: "kontribusi", type: "quantitative", title: words.axis,
        axis: { labelFontSize: 11, titleFontSize: 12, grid: true, tickCount: 6 }
      },
      color: {
        field: "dimensi", type: "nominal", title: words.dimension,
        scale: { scheme: "tableau10" },
        legend: { orient: "bottom", columns: 4, labelLimit: 220, titleFontSize: 12 }
      },
      tooltip: [
        { field: "indikator", title: words.indicator },
        { field: "dimensi", title: words.dimension },
        { field: "kontribusi", title: words.axis, format: ".1f" }
      ]
    },
    config: {
      view: { stroke: null },
      font: "system-ui, -apple-system, Segoe UI, Roboto, Noto Sans, Arial, sans-serif",
      axis: { labelColor: "#1f2933", titleColor: "#5f6b76", domainColor: "#b9c2cb", gridColor: "#e5e9ed" },
      locale: { number: { decimal: ",", thousands: ".", grouping: [3], currency: ["Rp", ""] } }
    }
  };
  vegaEmbed(holder, spec, { actions: false, renderer: "svg", ast: true, defaultStyle: false,
                         tooltip: { disableDefaultStyle: true } })
    .catch(function (err) { holder.textContent = String(err); });
})();
