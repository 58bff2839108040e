/**
 * The dashboard page's script, served as /dashboard/assets/dashboard.js (a file of its own, so
 * the page's Content-Security-Policy allows no inline script). It reads the view the page carries
 * as JSON and draws the charts with Chart.js (loaded before it); when done it sets
 * `data-ready="true"` on <html>, which the browser test and the load bench wait for.
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('dashboard-data').textContent);
  var view = payload.view, t = payload.text;
  var palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var percentAxis = { beginAtZero: true, ticks: { callback: function (value) { return Math.round(value * 1000) / 10 + ' %'; } } };
  var base = { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: 'bottom' } } };
  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas) return;
    config.options = Object.assign({}, base, config.options || {});
    new Chart(canvas, config);
  }
  var emails = view.emails;
  draw('chart-funnel', {
    type: 'bar',
    data: {
      labels: [t.sent, t.delivered, t.openers, t.clickers],
      datasets: emails.map(function (panel, index) {
        var c = panel.total.counts;
        return { label: panel.messageId, data: [c.sent, c.delivered, c.openers, c.clickers], backgroundColor: palette[index % palette.length] };
      })
    },
    options: { scales: { y: { beginAtZero: true } } }
  });
  var runLabels = [];
  emails.forEach(function (panel) { panel.runs.forEach(function (run) { var day = run.firstAt.slice(0, 10); if (runLabels.indexOf(day) < 0) runLabels.push(day); }); });
  runLabels.sort();
  function rateSeries(panel, rate) {
    return runLabels.map(function (day) {
      var runs = panel.runs.filter(function (run) { return run.firstAt.slice(0, 10) === day; });
      if (runs.length === 0) return null;
      var sum = function (name) { return runs.reduce(function (total, run) { return total + run.counts[name]; }, 0); };
      var over = sum('delivered') || sum('sent');
      return over === 0 ? 0 : sum(rate === 'openRate' ? 'openers' : 'clickers') / over;
    });
  }
  draw('chart-rates', {
    type: 'line',
    data: {
      labels: runLabels,
      datasets: emails.reduce(function (all, panel, index) {
        var color = palette[index % palette.length];
        all.push({ label: panel.messageId + ' · ' + t.openRate, data: rateSeries(panel, 'openRate'), borderColor: color, backgroundColor: color, spanGaps: true });
        all.push({ label: panel.messageId + ' · ' + t.clickRate, data: rateSeries(panel, 'clickRate'), borderColor: color, backgroundColor: color, borderDash: [5, 4], spanGaps: true });
        return all;
      }, [])
    },
    options: { scales: { y: percentAxis } }
  });
  view.webinars.forEach(function (panel) {
    var key = panel.webinarId + '-' + panel.sessionId;
    draw('chart-dropoff-' + key, {
      type: 'line',
      data: { labels: panel.kpis.dropOff.map(function (_, minute) { return minute; }), datasets: [{ label: t.people, data: panel.kpis.dropOff, borderColor: palette[0], backgroundColor: 'rgba(31,119,180,0.15)', fill: true, pointRadius: 0 }] },
      options: { scales: { x: { title: { display: true, text: t.minute } }, y: { beginAtZero: true } } }
    });
    draw('chart-watch-' + key, {
      type: 'bar',
      data: { labels: ['0-25 %', '25-50 %', '50-75 %', '75-100 %'], datasets: [{ label: t.attended, data: panel.kpis.watchShareQuartiles, backgroundColor: palette[2] }] },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  });
  function trend(id, field, list) {
    if (list.length === 0) return;
    draw(id, {
      type: 'line',
      data: {
        labels: list[0].trend.map(function (point) { return point.at.slice(0, 10); }),
        datasets: list.map(function (entry, index) {
          return { label: entry.accountName || entry.accountId, data: entry.trend.map(function (point) { return point[field]; }), borderColor: palette[index % palette.length], backgroundColor: palette[index % palette.length] };
        })
      },
      options: { scales: { y: { beginAtZero: true } } }
    });
  }
  trend('chart-score-trend', 'score', view.csql.list);
  trend('chart-health-trend', 'health', view.csql.list);
  trend('chart-rising-trend', 'score', view.risingAccounts);
  draw('chart-revenue', {
    type: 'bar',
    data: {
      labels: view.revenue.map(function (row) { return row.key; }),
      datasets: [
        { label: t.newMrr, data: view.revenue.map(function (row) { return row.newMrr; }), backgroundColor: palette[0] },
        { label: t.expansion, data: view.revenue.map(function (row) { return row.expansionMrr; }), backgroundColor: palette[2] },
        { label: t.contraction, data: view.revenue.map(function (row) { return -row.contractionMrr; }), backgroundColor: palette[1] },
        { label: t.churned, data: view.revenue.map(function (row) { return -row.churnedMrr; }), backgroundColor: palette[3] }
      ]
    }
  });
  document.documentElement.setAttribute('data-ready', 'true');
})();
`;
