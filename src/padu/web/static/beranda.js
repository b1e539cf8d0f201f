// Beranda's choropleth by kecamatan or desa, no tile layer. The boundaries come from
// /peta/<level>.json (versioned URLs: a browser fetches each once); the kecamatan figures
// come with the page, the desa figures from /peta/nilai/desa.json when first asked for.
// Switching level or indicator redraws in place (no page reload).
(function () {
  "use strict";
  var box = document.getElementById("peta");
  var words = JSON.parse(document.getElementById("peta-kata").textContent);
  var select = document.getElementById("peta-indikator");
  var buttons = document.querySelectorAll(".level-switch button.level");
  var status = box.querySelector(".map-status");
  var COLOURS = ["#fff5d6", "#fdd49e", "#fc8d59", "#e34a33", "#a3180f"];
  var NONE = "#d9d9d9";
  var shapes = {}, values = { kecamatan: JSON.parse(document.getElementById("peta-nilai").textContent) };
  var level = "kecamatan", current = select.value, bounds = null, layer = null, outline = null, fitted = false;

  function share(v) { return (v * 100).toFixed(1).replace(".", ",") + " %"; }
  function decimal(v) { return v.toFixed(3).replace(".", ","); }
  function count(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "."); }
  function shown(key, v) { return key === "M0" ? decimal(v) : share(v); }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function figures(feature) { return values[level].wilayah[feature.properties.kode]; }
  function value(feature) {
    var f = figures(feature);
    var v = f ? f.v[current] : null;
    return v === undefined ? null : v;
  }

  // Up to five classes with about as many areas each (quantiles), so a few extreme desa
  // do not leave every other area in one colour; a class is the values up to its upper
  // bound. Ties stay in one class (many areas at 0 % make a class of their own) and the
  // rest are split again among the classes left.
  function classes() {
    var vs = [];
    layer.eachLayer(function (l) { var v = value(l.feature); if (v !== null) { vs.push(v); } });
    if (!vs.length) { return null; }
    vs.sort(function (a, b) { return a - b; });
    var upper = [], rest = vs;
    for (var k = COLOURS.length; k > 0 && rest.length; k--) {
      var b = rest[Math.ceil(rest.length / k) - 1];
      upper.push(b);
      rest = rest.filter(function (v) { return v > b; });
    }
    var lo = upper.map(function () { return null; }), hi = lo.slice();
    vs.forEach(function (v) {
      var k = which(v, upper);
      if (lo[k] === null) { lo[k] = v; }
      hi[k] = v;
    });
    return { upper: upper, lo: lo, hi: hi };
  }

  function which(v, upper) {
    for (var i = 0; i < upper.length; i++) { if (v <= upper[i]) { return i; } }
    return upper.length - 1;
  }

  // one value for every shown area: the palette's middle, or its lightest when it is 0
  function tone(k, m) {
    if (m === 1) { return bounds.upper[0] === 0 ? COLOURS[0] : COLOURS[2]; }
    return COLOURS[Math.round(k * (COLOURS.length - 1) / (m - 1))];
  }

  function colour(v) {
    if (v === null || !bounds) { return NONE; }
    return tone(which(v, bounds.upper), bounds.upper.length);
  }

  function style(feature) {
    return {
      fillColor: colour(value(feature)), fillOpacity: 0.85,
      color: "#ffffff", weight: level === "desa" ? 0.4 : 1
    };
  }

  function tooltip(feature) {
    var p = feature.properties, f = figures(feature), v = value(feature);
    var place = level === "desa" ? words.desa : words.kecamatan;
    var lines = ["<strong>" + escapeHtml(p.nama) + "</strong>",
      '<span class="tt-muted">' + escapeHtml(place) +
      (p.induk ? ", " + escapeHtml(words.kec) + " " + escapeHtml(p.induk) : "") + "</span>",
      escapeHtml(select.options[select.selectedIndex].text) + ": <strong>" +
      (v === null ? escapeHtml(words.none) : shown(current, v)) + "</strong>"];
    if (f) {
      lines.push(escapeHtml(words.families) + ": " + (f.keluarga === null ? "&lt; 5" : count(f.keluarga)));
    }
    return lines.join("<br>");
  }

  var map = L.map(box, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(words.attribution);

  var legend = L.control({ position: "bottomright" });
  legend.onAdd = function () { this._div = L.DomUtil.create("div", "legend"); return this._div; };
  legend.update = function () {
    var rows = [];
    if (bounds) {
      var m = bounds.upper.length;
      for (var i = 0; i < m; i++) {
        var lo = bounds.lo[i], hi = bounds.hi[i];
        rows.push('<div><i class="swatch" data-c="' + tone(i, m) + '"></i>' +
          (lo === hi ? shown(current, lo) : shown(current, lo) + " – " + shown(current, hi)) + "</div>");
      }
    }
    rows.push('<div><i class="swatch" data-c="' + NONE + '"></i>' + escapeHtml(words.none) + "</div>");
    this._div.innerHTML = "<strong>" + escapeHtml(select.options[select.selectedIndex].text) +
      '</strong><span class="legend-level">' + escapeHtml(level === "desa" ? words.desa : words.kecamatan) +
      "</span>" + rows.join("");
    var swatches = this._div.querySelectorAll("i.swatch");
    for (var j = 0; j < swatches.length; j++) { swatches[j].style.background = swatches[j].getAttribute("data-c"); }
  };
  legend.addTo(map);

  function fetchJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + url); } return r.json(); });
  }

  function needed(lvl) {
    var wait = [];
    if (!shapes[lvl]) {
      wait.push(fetchJson(box.getAttribute("data-shapes-" + lvl)).then(function (d) { shapes[lvl] = d; }));
    }
    if (!values[lvl]) {
      wait.push(fetchJson(box.getAttribute("data-values-" + lvl)).then(function (d) { values[lvl] = d; }));
    }
    return Promise.all(wait);
  }

  function draw() {
    if (layer) { map.removeLayer(layer); }
    if (outline) { map.removeLayer(outline); outline = null; }
    layer = L.geoJSON(shapes[level], {
      style: style,
      onEachFeature: function (feature, l) {
        l.bindTooltip(function () { return tooltip(feature); }, { sticky: true });
        l.on("mouseover", function () { l.setStyle({ weight: 2.5, color: "#333333" }); l.bringToFront(); });
        l.on("mouseout", function () { layer.resetStyle(l); if (outline) { outline.bringToFront(); } });
      }
    }).addTo(map);
    if (level === "desa" && shapes.kecamatan) {  // kecamatan borders over the desa, for bearings
      outline = L.geoJSON(shapes.kecamatan, {
        interactive: false, style: { fill: false, color: "#555555", weight: 1, opacity: 0.7 }
      }).addTo(map);
    }
    if (!fitted) { map.fitBounds(layer.getBounds(), { padding: [8, 8] }); fitted = true; }
    bounds = classes();
    layer.setStyle(style);
    legend.update();
    box.setAttribute("data-level", level);
  }

  function show(lvl) {
    level = lvl;
    for (var i = 0; i < buttons.length; i++) {
      var on = buttons[i].getAttribute("data-level") === lvl;
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
      buttons[i].disabled = true;
    }
    box.setAttribute("data-state", "memuat");
    status.textContent = words.loading;
    status.hidden = false;
    needed(lvl).then(function () {
      if (level !== lvl) { return; }
      draw();
      status.hidden = true;
      box.setAttribute("data-state", "siap");
    }).catch(function () {
      status.textContent = words.failed;
      status.hidden = false;
      box.setAttribute("data-state", "gagal");
    }).then(function () {
      for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = false; }
    });
  }

  for (var i = 0; i < buttons.length; i++) {
    buttons[i].addEventListener("click", function (e) {
      var lvl = e.currentTarget.getAttribute("data-level");
      if (lvl !== level || box.getAttribute("data-state") === "gagal") { show(lvl); }
    });
  }
  select.addEventListener("change", function () {
    current = select.value;
    if (!layer) { return; }
    bounds = classes();
    layer.setStyle(style);
    legend.update();
  });

  show("kecamatan");
})();
