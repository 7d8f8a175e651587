// Draws reports against the usual range with uPlot, from the numbers the
// page embeds. Without JavaScript the page's text summary says the same.
(function () {
  "use strict";
  const holder = document.getElementById("chart");
  const source = document.getElementById("chart-data");
  if (!holder || !source || typeof uPlot === "undefined") return;
  const data = JSON.parse(source.textContent);
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();

  function options(width) {
    return {
      width: width,
      height: 220,
      legend: { live: true },
      cursor: { drag: { x: false, y: false } },
      scales: { y: { range: (u, min, max) => [0, Math.max(max, 1)] } },
      series: [
        // Without tzDate, uPlot writes times in the reader's own zone.
        { label: "Time" },
        { label: "Reports", stroke: color("--outage"), width: 2, fill: "rgba(198,40,40,.08)" },
        { label: "Normal", stroke: color("--muted"), width: 1, dash: [4, 4] },
        { label: "Usual from", stroke: "transparent" },
        { label: "to", stroke: "rgba(87,96,106,.35)", width: 1 },
      ],
      bands: [{ series: [4, 3], fill: "rgba(87,96,106,.12)" }],
      axes: [{}, { label: "People per " + (holder.dataset.step || "15 min") }],
    };
  }

  const columns = [data.t, data.reporters, data.expected, data.low, data.high];
  holder.textContent = "";
  let plot = new uPlot(options(holder.clientWidth || 600), columns, holder);
  window.addEventListener("resize", function () {
    plot.setSize({ width: holder.clientWidth || 600, height: 220 });
  });
})();
