// Times are written on the server in UTC, which suits nobody in particular:
// rewrite each <time data-local> in the reader's own zone and language. The
// UTC time stays in the element's title.
(function () {
  "use strict";
  const styles = {
    time: { hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
    datetime: { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" },
  };
  for (const element of document.querySelectorAll("time[data-local]")) {
    const at = new Date(element.dateTime);
    const style = styles[element.dataset.local];
    if (!style || isNaN(at)) continue;
    element.textContent = new Intl.DateTimeFormat(undefined, style).format(at);
  }
})();
