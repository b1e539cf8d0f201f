// Beranda's choropleth: kecamatan polygons from the inline GeoJSON, no tile layer.
// Switching the indicator recolours the polygons in place (no page reload).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("peta-data").textContent);
  var words = JSON.parse(document.getElementById("peta-kata").textContent);
  var select = document.getElementById("peta-indikator");
  var COLOURS = ["#fff5d6", "#fdd49e", "#fc8d59", "#e34a33", "#a3180f"];
  var NONE = "#d9d9d9";

  function share(v) { return (v * 100).toFixed(1).replace(".", ",") + " %"; }
  function decimal(v) { return v.toFixed(3).replace(".", ","); }
  function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function shown(layer, v) { return layer === "M0" ? decimal(v) : share(v); }

  function breaks(layer) {
    var values = data.features
      .map(function (f) { return f.properties.v[layer]; })
      .filter(function (v) { return v !== null && v !== undefined; });
    if (!values.length) { return null; }
    var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
    var out = [];
    for (var i = 0; i <= COLOURS.length; i++) { out.push(lo + (hi - lo) * i / COLOURS.length); }
    return out;
  }

  function colour(v, b) {
    if (v === null || v === undefined || !b) { return NONE; }
    if (b[COLOURS.length] === b[0]) { return COLOURS[2]; }
    for (var i = 0; i < COLOURS.length; i++) { if (v <= b[i + 1]) { return COLOURS[i]; } }
    return COLOURS[COLOURS.length - 1];
  }

  var map = L.map("peta", { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(words.attribution);
  var current = select.value, bounds = breaks(current);

  function style(feature) {
    return {
      fillColor: colour(feature.properties.v[current], bounds),
      fillOpacity: 0.85, color: "#ffffff", weight: 1
    };
  }

  function tooltip(layer) {
    var p = layer.feature.properties, v = p.v[current];
    var value = (v === null || v === undefined) ? words.none : shown(current, v);
    var fam = p.keluarga === null ? "< 5" : (p.keluarga === undefined ? "-" : count(p.keluarga));
    return "<strong>" + escapeHtml(p.nama) + "</strong><br>" +
      escapeHtml(select.options[select.selectedIndex].text) + ": " + value +
      (p.ada ? "<br>" + escapeHtml(words.families) + ": " + fam : "");
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  var shapes = L.geoJSON(data, {
    style: style,
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(function () { return tooltip(layer); }, { sticky: true });
      layer.on("mouseover", function () { layer.setStyle({ weight: 2.5, color: "#333333" }); });
      layer.on("mouseout", function () { shapes.resetStyle(layer); });
    }
  }).addTo(map);
  map.fitBounds(shapes.getBounds(), { padding: [8, 8] });

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () {
    this._div = L.DomUtil.create("div", "legend");
    this.update();
    return this._div;
  };
  legend.update = function () {
    var rows = [];
    if (bounds) {
      for (var i = 0; i < COLOURS.length; i++) {
        if (i > 0 && bounds[COLOURS.length] === bounds[0]) { break; }
        rows.push('<div><i class="swatch" data-c="' + i + '"></i>' +
          shown(current, bounds[i]) + " – " + shown(current, bounds[i + 1]) + "</div>");
      }
    }
    rows.push('<div><i class="swatch" data-c="none"></i>' + escapeHtml(words.none) + "</div>");
    this._div.innerHTML = "<strong>" + escapeHtml(select.options[select.selectedIndex].text) +
      "</strong>" + rows.join("");
    var swatches = this._div.querySelectorAll("i.swatch");
    for (var j = 0; j < swatches.length; j++) {
      var c = swatches[j].getAttribute("data-c");
      swatches[j].style.background = c === "none" ? NONE : COLOURS[Number(c)];
    }
  };
  legend.addTo(map);

  select.addEventListener("change", function () {
    current = select.value;
    bounds = breaks(current);
    shapes.setStyle(style);
    legend.update();
  });
})();
