/* The outage map (outages/_region_map.html).

   Leaflet draws the countries of world-atlas and the US states of us-atlas on
   a plain background, with no tile server, and shades each region by how far
   its reports are above normal. Without data-service it shows every elevated
   region (the /map/ page) and a click opens the region's affected services;
   with data-service="<slug>" it shows that service's regions. Either way it
   polls its API every 30 s and keeps the table beside it in step. */
(function () {
  "use strict";

  const POLL_MS = 30000;
  // The world without Antarctica: nobody reports from there, and Mercator
  // would make it most of the map.
  const WORLD = [[-57, -180], [83.7, 180]];
  const LEVEL_WORDS = { outage: "Problems", possible: "Possible problems", ok: "Normal" };

  document.querySelectorAll(".outage-map").forEach(function (figure) {
    start(figure).catch(function (error) {
      const message = figure.querySelector(".map-error");
      message.textContent = "The map could not be drawn. The list of regions still works.";
      message.hidden = false;
      if (window.console) console.error(error);
    });
  });

  async function start(figure) {
    figure.hidden = false;
    const service = figure.dataset.service || null;
    const ui = {
      figure: figure,
      service: service,
      // The map page keeps its table and time outside the figure.
      scope: service ? figure : document,
      layers: new Map(),
      byElement: new WeakMap(),
      byCode: new Map(),
      panel: figure.querySelector(".map-panel"),
      selected: null,
    };
    ui.map = L.map(figure.querySelector(".map-canvas"), {
      zoomSnap: 0.1,
      zoomDelta: 0.5,
      maxZoom: 8,
      maxBounds: [[-75, -200], [88, 200]],
      maxBoundsViscosity: 1,
      // On a service page the wheel scrolls the page, not the map.
      scrollWheelZoom: !service,
    });
    ui.map.attributionControl.addAttribution("Natural Earth, US Census Bureau");
    fitWorld(ui.map);
    ui.map.on("resize", function () { fitWorld(ui.map, true); });
    // Leaflet follows the window's size, not its box's.
    new ResizeObserver(function () { ui.map.invalidateSize(); }).observe(ui.map.getContainer());
    ui.map.createPane("states").style.zIndex = 410;

    const loaded = await Promise.all([
      getJSON(figure.dataset.codes),
      getJSON(figure.dataset.world),
      getJSON(figure.dataset.states),
    ]);
    drawAtlas(ui, loaded[0], loaded[1], loaded[2]);
    connectKeyboard(ui);
    if (ui.panel) connectPanel(ui);

    const initial = !service && document.getElementById("map-data");
    if (initial) {
      ui.polledAt = Date.now();
      update(ui, JSON.parse(initial.textContent));
    } else {
      await poll(ui);
    }
    setInterval(function () { if (!document.hidden) poll(ui); }, POLL_MS);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && Date.now() - ui.polledAt > POLL_MS) poll(ui);
    });
  }

  function fitWorld(map, keepView) {
    const zoom = map.getBoundsZoom(WORLD);
    map.setMinZoom(zoom);
    if (!keepView) map.fitBounds(WORLD);
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(url + " answered " + response.status);
    return response.json();
  }

  async function poll(ui) {
    ui.polledAt = Date.now();
    const error = ui.figure.querySelector(".map-error");
    try {
      update(ui, await getJSON(ui.figure.dataset.source));
      error.hidden = true;
    } catch (e) {
      error.textContent = "Could not refresh the map; trying again in 30 seconds.";
      error.hidden = false;
    }
  }

  /* Shapes */

  function drawAtlas(ui, codes, world, states) {
    topojson.feature(world, world.objects.countries).features.forEach(function (f) {
      const code = codes.countries[f.id] || codes.unnumbered[f.properties.name] || null;
      if (code === "AQ") return;
      addShape(ui, f.geometry, {
        code: code,
        name: (code && codes.names[code]) || f.properties.name,
        pane: "overlayPane",
      });
    });
    topojson.feature(states, states.objects.states).features.forEach(function (f) {
      const code = codes.states[f.properties.name];
      // Territories have country codes of their own; world-atlas draws them.
      if (!code) return;
      addShape(ui, f.geometry, {
        code: code, name: codes.names[code], parent: "US", pane: "states",
      });
    });
  }

  function addShape(ui, geometry, shape) {
    const polygons = splitAtAntimeridian(geometry);
    if (!polygons.length) return;
    const latlngs = polygons.map(function (rings) {
      return rings.map(function (ring) {
        return ring.map(function (p) { return [p[1], p[0]]; });
      });
    });
    const layer = L.polygon(latlngs, {
      pane: shape.pane,
      className: "region" + (shape.parent ? " state" : ""),
      weight: shape.parent ? 0.4 : 0.6,
      smoothFactor: 0.5,
    });
    layer.shape = shape;
    layer.anchor = L.latLngBounds(largestRing(latlngs)).getCenter();
    layer.addTo(ui.map);
    const element = layer.getElement();
    if (shape.code) element.dataset.region = shape.code;
    if (!shape.code) return;
    if (!ui.layers.has(shape.code)) ui.layers.set(shape.code, []);
    ui.layers.get(shape.code).push(layer);

    layer.bindTooltip(function () { return describe(ui, layer); }, {
      sticky: true, direction: "top", offset: [0, -10], className: "map-tip",
    });
    layer.on("mouseover", function () { layer.bringToFront(); });
    layer.on("click", function () { choose(ui, layer, false); });
    ui.byElement.set(element, layer);
  }

  /* Keyboard: only shaded shapes are in the Tab order (see restyle); the
     others get tabindex -1, since Chromium puts any SVG shape with a focus
     listener (Leaflet adds one for tooltips) in it. A focused shape is not
     brought to front: moving it would drop the focus. */
  function connectKeyboard(ui) {
    const container = ui.map.getContainer();
    container.addEventListener("focusin", function (event) {
      const layer = ui.byElement.get(event.target);
      if (layer) layer.openTooltip(layer.anchor);
    });
    container.addEventListener("focusout", function (event) {
      const layer = ui.byElement.get(event.target);
      if (layer) layer.closeTooltip();
    });
    container.addEventListener("keydown", function (event) {
      const layer = ui.byElement.get(event.target);
      if (layer && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        choose(ui, layer, true);
      }
    });
  }

  /* world-atlas stitches shapes across the antimeridian (Russia's Chukotka,
     Fiji), so a ring may jump from 179.9 to -179.9. Drawn as they are, such
     rings streak across the whole map. Each ring is unwrapped into one
     continuous run of longitudes, then cut into copies that fall within
     -180..180. Rings around a pole cannot be unwrapped and are dropped. */
  function splitAtAntimeridian(geometry) {
    const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
    const out = [];
    polygons.forEach(function (polygon) {
      const rings = polygon.map(unwrap);
      if (rings.some(function (r) { return Math.abs(r[0][0] - r[r.length - 1][0]) > 1e-9; })) return;
      const lons = rings[0].map(function (p) { return p[0]; });
      const west = Math.min.apply(null, lons), east = Math.max.apply(null, lons);
      if (west >= -180 && east <= 180) {
        out.push(rings);
        return;
      }
      [-360, 0, 360].forEach(function (offset) {
        const outer = clip(shift(rings[0], offset));
        if (outer.length < 4) return;
        const holes = rings.slice(1).map(function (r) { return clip(shift(r, offset)); })
          .filter(function (r) { return r.length >= 4; });
        out.push([outer].concat(holes));
      });
    });
    return out;
  }

  function unwrap(ring) {
    const out = [ring[0].slice()];
    let offset = 0;
    for (let i = 1; i < ring.length; i++) {
      const step = ring[i][0] - ring[i - 1][0];
      if (step > 180) offset -= 360;
      else if (step < -180) offset += 360;
      out.push([ring[i][0] + offset, ring[i][1]]);
    }
    return out;
  }

  function shift(ring, offset) {
    return ring.map(function (p) { return [p[0] + offset, p[1]]; });
  }

  // Sutherland-Hodgman against the two edges of the world.
  function clip(ring) {
    return clipAt(clipAt(ring, 180, true), -180, false);
  }

  function clipAt(ring, edge, keepWest) {
    const out = [];
    function inside(p) { return keepWest ? p[0] <= edge : p[0] >= edge; }
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i], b = ring[i + 1];
      if (inside(a)) out.push(a);
      if (inside(a) !== inside(b)) {
        const t = (edge - a[0]) / (b[0] - a[0]);
        out.push([edge, a[1] + t * (b[1] - a[1])]);
      }
    }
    if (out.length) out.push(out[0]);
    return out;
  }

  function largestRing(latlngs) {
    let best = latlngs[0][0];
    let bestArea = -1;
    latlngs.forEach(function (rings) {
      const area = Math.abs(ringArea(rings[0]));
      if (area > bestArea) { best = rings[0]; bestArea = area; }
    });
    return best;
  }

  function ringArea(ring) {
    let sum = 0;
    for (let i = 0; i + 1 < ring.length; i++) {
      sum += ring[i][1] * ring[i + 1][0] - ring[i + 1][1] * ring[i][0];
    }
    return sum / 2;
  }

  /* Data */

  function update(ui, data) {
    ui.byCode = new Map(data.regions.map(function (r) { return [r.code, r]; }));
    ui.layers.forEach(function (layers) { layers.forEach(function (l) { restyle(ui, l); }); });
    renderRows(ui, data.regions);
    renderTime(ui, data.at);
    if (ui.selected) fillPanel(ui, ui.selected);
  }

  function isElevated(region) {
    return Boolean(region) && region.level !== "ok";
  }

  // 0 for no shade, 1 to 4 by reports against normal (see the legend).
  function shadeOf(region) {
    if (!isElevated(region)) return 0;
    const ratio = region.ratio;
    // No ratio: nothing at all is normal there, so any report stands out.
    if (ratio === null || ratio === undefined || ratio >= 30) return 4;
    if (ratio >= 10) return 3;
    if (ratio >= 3) return 2;
    return 1;
  }

  function restyle(ui, layer) {
    const region = ui.byCode.get(layer.shape.code);
    const shade = shadeOf(region);
    const element = layer.getElement();
    for (let i = 1; i <= 4; i++) element.classList.toggle("shade-" + i, shade === i);
    element.dataset.level = region ? region.level : "none";
    if (shade) {
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "button");
      element.setAttribute("aria-label", describeText(ui, layer));
    } else {
      element.setAttribute("tabindex", "-1");
      element.removeAttribute("role");
      element.removeAttribute("aria-label");
    }
  }

  // What a shape stands for: its own numbers, or for a US state with nothing
  // unusual of its own, those of the whole country when it is elevated.
  function shown(ui, layer) {
    const own = ui.byCode.get(layer.shape.code);
    const parent = layer.shape.parent && ui.byCode.get(layer.shape.parent);
    if (!isElevated(own) && isElevated(parent)) return parent;
    return own || null;
  }

  function fmt(n) {
    return String(Math.round(n * 10) / 10);
  }

  function numbers(region) {
    let text = fmt(region.observed) + " reports vs " + fmt(region.expected) + " expected";
    if (region.ratio !== null && region.ratio !== undefined) text += " (" + fmt(region.ratio) + "×)";
    return text;
  }

  function describeLines(ui, layer) {
    const region = shown(ui, layer);
    const lines = [layer.shape.name];
    if (!region) {
      lines.push(ui.service ? "No reports" : "No unusual reports");
      return lines;
    }
    const prefix = region.code === layer.shape.code ? "" : region.name + ", ";
    lines.push(prefix + LEVEL_WORDS[region.level] + ": " + numbers(region));
    return lines;
  }

  function describeText(ui, layer) {
    return describeLines(ui, layer).join(". ");
  }

  function describe(ui, layer) {
    const box = document.createElement("div");
    describeLines(ui, layer).forEach(function (line, i) {
      const row = document.createElement(i === 0 ? "strong" : "div");
      row.textContent = line;
      box.appendChild(row);
    });
    return box;
  }

  function renderTime(ui, at) {
    const target = ui.scope.querySelector("[data-map-updated]");
    if (!target) return;
    target.textContent = "";
    if (!at) {
      target.textContent = "No detection has run lately.";
      return;
    }
    const time = document.createElement("time");
    time.dateTime = at;
    time.textContent = new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    target.append("Updated ", time, ".");
  }

  function renderRows(ui, regions) {
    const body = ui.scope.querySelector("[data-map-rows]");
    if (!body) return;
    body.replaceChildren.apply(body, regions.map(function (region) {
      return ui.service ? serviceRow(region) : regionRow(region);
    }));
    const summary = ui.scope.querySelector("[data-map-summary]");
    if (summary) {
      const n = regions.length;
      summary.textContent = n
        ? "Problems in " + n + " region" + (n === 1 ? "" : "s") + "."
        : "No region has more reports than normal right now.";
      body.closest("table").hidden = !n;
    }
  }

  function cell(tag, text) {
    const element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    return element;
  }

  function countsCell(region) {
    const td = cell("td", fmt(region.observed) + " ");
    td.appendChild(cell("span", "vs " + fmt(region.expected) + " normal")).className = "muted";
    return td;
  }

  function regionRow(region) {
    const tr = cell("tr");
    tr.dataset.region = region.code;
    const th = cell("th", region.name);
    th.scope = "row";
    const services = cell("td");
    services.appendChild(serviceList(region.services));
    tr.append(th, countsCell(region), services);
    return tr;
  }

  function serviceRow(region) {
    const tr = cell("tr");
    tr.dataset.region = region.code;
    const th = cell("th", region.name);
    th.scope = "row";
    tr.append(th, cell("td", LEVEL_WORDS[region.level]), countsCell(region));
    return tr;
  }

  function serviceList(services) {
    const list = cell("ul");
    list.className = "map-services";
    services.forEach(function (service) {
      const item = cell("li");
      const link = cell("a", service.name);
      link.href = service.url;
      const badge = cell("span", LEVEL_WORDS[service.level]);
      badge.className = "badge level-" + service.level;
      item.append(link, " ", badge, " ", cell("span", fmt(service.observed) + " vs " + fmt(service.expected)));
      item.lastChild.className = "muted";
      list.appendChild(item);
    });
    return list;
  }

  /* Clicking a region */

  function choose(ui, layer, fromKeyboard) {
    if (!ui.panel) {
      // A service's map has no panel: the numbers are all there is to show,
      // and a tap on a phone cannot hover.
      layer.openTooltip(layer.anchor);
      return;
    }
    ui.selected = layer;
    ui.opener = fromKeyboard ? layer.getElement() : null;
    ui.panel.querySelector("h2").hidden = false;
    ui.panel.querySelector(".map-panel-close").hidden = false;
    document.querySelectorAll(".outage-map path.selected").forEach(function (p) {
      p.classList.remove("selected");
    });
    (ui.layers.get(layer.shape.code) || []).forEach(function (l) {
      l.getElement().classList.add("selected");
    });
    fillPanel(ui, layer);
    if (fromKeyboard) ui.panel.querySelector("h2").focus();
    else ui.panel.scrollIntoView({ block: "nearest" });
  }

  function fillPanel(ui, layer) {
    const region = shown(ui, layer);
    const title = ui.panel.querySelector("h2");
    const summary = ui.panel.querySelector(".map-panel-summary");
    const list = ui.panel.querySelector(".map-services");
    title.textContent = layer.shape.name;
    if (!isElevated(region)) {
      summary.textContent = "No service has more reports than normal here right now.";
      list.replaceChildren();
      return;
    }
    const where = region.code === layer.shape.code ? "" : "Across " + region.name + ". ";
    summary.textContent = where + LEVEL_WORDS[region.level] + ": " + numbers(region)
      + " in the last 15 minutes.";
    list.replaceWith(serviceList(region.services));
  }

  function connectPanel(ui) {
    const hint = ui.panel.querySelector(".map-panel-summary").textContent;
    function close() {
      ui.selected = null;
      ui.panel.querySelector("h2").hidden = true;
      ui.panel.querySelector(".map-panel-close").hidden = true;
      ui.panel.querySelector(".map-panel-summary").textContent = hint;
      ui.panel.querySelector(".map-services").replaceChildren();
      document.querySelectorAll(".outage-map path.selected").forEach(function (p) {
        p.classList.remove("selected");
      });
      const back = ui.opener && ui.opener.isConnected ? ui.opener : ui.map.getContainer();
      back.focus({ preventScroll: true });
    }
    ui.panel.querySelector(".map-panel-close").addEventListener("click", close);
    ui.figure.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && ui.selected) close();
    });
  }
})();
