// The status page's script: fetches `GET /migration` with the admin bearer token every few
// seconds and draws it (services, routes, a chart per route's ledger history). Data only ever
// reaches the page through textContent and attributes, never as markup. Served as
// `/status.js` by the admin API (`status_page.rs`), under a policy that forbids inline code.
'use strict';

(function () {
  const REFRESH_MS = 5000;
  const TOKEN_KEY = 'ficus-admin-token';
  const SVG = 'http://www.w3.org/2000/svg';

  // ---- script errors: recorded in the page, where a test (or a person) can see them ----

  function recordScriptError(message) {
    const list = document.getElementById('script-errors');
    if (!list) {
      return;
    }
    const item = document.createElement('li');
    item.textContent = String(message);
    list.appendChild(item);
    list.dataset.count = String(list.childElementCount);
    list.hidden = false;
  }

  window.addEventListener('error', function (event) {
    recordScriptError('error: ' + (event.message || 'unknown') + ' at ' +
      (event.filename || '?') + ':' + (event.lineno || 0));
  });
  // What the Content-Security-Policy blocked: the page asks for nothing it forbids.
  document.addEventListener('securitypolicyviolation', function (event) {
    recordScriptError('blocked by the policy (' + event.violatedDirective + '): ' +
      (event.blockedURI || 'inline'));
  });
  window.addEventListener('unhandledrejection', function (event) {
    const reason = event.reason;
    recordScriptError('unhandled rejection: ' +
      (reason && reason.message ? reason.message : String(reason)));
  });

  // ---- the token: from the fragment, the form, or this tab's sessionStorage ----

  let memoryToken = null; // when sessionStorage is unavailable

  function storedToken() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY) || memoryToken;
    } catch (_) {
      return memoryToken;
    }
  }

  function storeToken(token) {
    memoryToken = token;
    try {
      if (token === null) {
        window.sessionStorage.removeItem(TOKEN_KEY);
      } else {
        window.sessionStorage.setItem(TOKEN_KEY, token);
      }
    } catch (_) {
      // Kept in memory only: this tab loses it on reload.
    }
  }

  /** Takes `#token=...` out of the address, so it is neither shown nor kept in history. */
  function tokenFromFragment() {
    if (!window.location.hash) {
      return;
    }
    // Not URLSearchParams: it reads `+` as a space, and base64 tokens hold `+`.
    for (const part of window.location.hash.slice(1).split('&')) {
      if (part.startsWith('token=')) {
        let token = part.slice('token='.length);
        try {
          token = decodeURIComponent(token);
        } catch (_) {
          // Not percent-encoded after all: taken as written.
        }
        if (token.trim()) {
          storeToken(token.trim());
        }
      }
    }
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
  }

  // ---- fetching ----

  let timer = null;

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, REFRESH_MS);
  }

  async function refresh() {
    window.clearTimeout(timer);
    const token = storedToken();
    if (!token) {
      askForToken(null);
      return;
    }
    if (!/^[\x21-\x7e]+$/.test(token)) {
      storeToken(null);
      askForToken('A bearer token is visible ASCII characters only: enter it again.');
      return;
    }
    let response;
    try {
      response = await window.fetch('migration', {
        headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch (error) {
      showError('Cannot reach the admin API: ' + error.message + '. Retrying every ' +
        REFRESH_MS / 1000 + ' s.', 'unreachable');
      schedule();
      return;
    }
    if (response.status === 401) {
      storeToken(null);
      askForToken('The admin API refused the token (401 Unauthorized): enter the right one.');
      return;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      const why = body && typeof body.error === 'string' ? body.error : response.statusText;
      showError('GET /migration answered ' + response.status + ': ' + why, 'error');
      schedule();
      return;
    }
    if (!body || !Array.isArray(body.services) || !Array.isArray(body.routes)) {
      showError('GET /migration answered something that is not a migration status.', 'error');
      schedule();
      return;
    }
    const serverNow = Date.parse(response.headers.get('date') || '');
    try {
      render(body, Number.isNaN(serverNow) ? Date.now() : serverNow);
    } catch (error) {
      recordScriptError('render: ' + error.message);
      showError('Cannot draw the status: ' + error.message, 'error');
      schedule();
      return;
    }
    clearError();
    document.body.dataset.state = 'ready';
    schedule();
  }

  // ---- page state ----

  let lastRendered = null;

  function showError(message, state) {
    const box = document.getElementById('error');
    box.textContent = lastRendered === null ? message : message + ' What is shown below is from ' +
      new Date(lastRendered).toLocaleTimeString() + '.';
    box.hidden = false;
    document.body.dataset.state = state;
  }

  function clearError() {
    const box = document.getElementById('error');
    box.textContent = '';
    box.hidden = true;
  }

  function askForToken(message) {
    window.clearTimeout(timer);
    if (message) {
      showError(message, 'unauthorized');
    } else {
      clearError();
      document.body.dataset.state = 'token';
    }
    document.getElementById('summary').textContent = 'The admin API needs its bearer token.';
    const form = document.getElementById('token-form');
    form.hidden = false;
    document.getElementById('token-input').focus();
  }

  function onTokenSubmitted(event) {
    event.preventDefault();
    const input = document.getElementById('token-input');
    const token = input.value.trim();
    if (!token) {
      return;
    }
    input.value = '';
    storeToken(token);
    document.getElementById('token-form').hidden = true;
    clearError();
    refresh();
  }

  // ---- rendering ----

  function render(status, now) {
    const main = document.getElementById('status');
    renderServices(status.services);
    renderRoutes(status.routes, now);
    renderCharts(status.routes, now);
    const routes = status.routes.length;
    const moved = status.services.reduce(function (sum, service) {
      return sum + (Number(service.routes_moved) || 0);
    }, 0);
    document.getElementById('summary').textContent = routes + ' route' + (routes === 1 ? '' : 's') +
      ' in the plan, ' + moved + ' moved to ' + (moved === 1 ? 'its service' : 'their services') +
      '. Ledger: ' + String(status.ledger || '?');
    document.getElementById('updated').textContent = 'Updated ' + new Date(now).toLocaleTimeString() + '.';
    main.hidden = false;
    lastRendered = now;
    main.dataset.renders = String(Number(main.dataset.renders || '0') + 1);
  }

  function renderServices(services) {
    const body = document.querySelector('#services tbody');
    body.replaceChildren();
    for (const service of services) {
      const share = clamp(Number(service.traffic_moved) || 0, 0, 1);
      const row = body.insertRow();
      row.dataset.service = String(service.service);
      cell(row, String(service.service));
      cell(row, String(service.routes), 'number');
      cell(row, String(service.routes_moved), 'number');
      const barCell = cell(row, '');
      barCell.appendChild(shareBar(share));
      const label = document.createElement('span');
      label.className = 'share';
      label.textContent = percentText(share);
      barCell.appendChild(label);
    }
    if (services.length === 0) {
      emptyRow(body, 4, 'The plan has no services.');
    }
  }

  function shareBar(share) {
    const width = 200;
    const svg = svgElement('svg', {
      class: 'bar', viewBox: '0 0 ' + width + ' 12', width: width, height: 12,
      role: 'img', 'aria-label': percentText(share) + ' of the traffic moved',
      'data-share': share.toFixed(4),
    });
    svg.appendChild(svgElement('rect', { class: 'bar-track', x: 0, y: 0, width: width, height: 12, rx: 3 }));
    svg.appendChild(svgElement('rect', {
      class: 'bar-fill', x: 0, y: 0, width: (share * width).toFixed(1), height: 12, rx: 3,
    }));
    return svg;
  }

  function renderRoutes(routes, now) {
    const body = document.querySelector('#routes tbody');
    body.replaceChildren();
    for (const route of routes) {
      const row = body.insertRow();
      row.dataset.route = String(route.route);
      const name = document.createElement('code');
      name.textContent = String(route.route);
      cell(row, '').appendChild(name);
      cell(row, String(route.service));
      const state = cell(row, String(route.state));
      state.className = 'state state-' + String(route.state).split(' ')[0];
      const since = cell(row, route.since_ms == null ? '—' : ago(now - route.since_ms));
      if (route.since_ms != null) {
        since.title = new Date(route.since_ms).toLocaleString();
      }
      const rollout = route.rollout;
      if (rollout) {
        const steps = Array.isArray(rollout.steps) ? rollout.steps.length : 0;
        cell(row, String(rollout.status) + ' · step ' + (Number(rollout.step) + 1) + ' of ' + steps +
          ' (' + rollout.percent + '%)');
        cell(row, String(rollout.last));
      } else {
        cell(row, '—');
        cell(row, '—');
      }
    }
    if (routes.length === 0) {
      emptyRow(body, 6, 'The plan has no routes.');
    }
  }

  function renderCharts(routes, now) {
    const box = document.getElementById('charts');
    box.replaceChildren();
    let drawn = 0;
    for (const route of routes) {
      const history = Array.isArray(route.history) ? route.history : [];
      if (history.length === 0) {
        continue;
      }
      const figure = document.createElement('figure');
      figure.className = 'chart';
      const caption = document.createElement('figcaption');
      const name = document.createElement('code');
      name.textContent = String(route.route);
      caption.appendChild(name);
      caption.appendChild(document.createTextNode(' · ' + String(route.service) + ' · ' +
        history.length + ' change' + (history.length === 1 ? '' : 's')));
      figure.appendChild(caption);
      figure.appendChild(chart(route, history, now));
      figure.appendChild(historyList(history));
      box.appendChild(figure);
      drawn += 1;
    }
    if (drawn === 0) {
      const note = document.createElement('p');
      note.className = 'empty';
      note.textContent = 'No route has a history in the ledger yet.';
      box.appendChild(note);
    }
    box.dataset.charts = String(drawn);
  }

  // ---- the chart: percent on the service, then the gates' figures, over time ----

  const WIDTH = 760;
  const LEFT = 70;
  const RIGHT = 16;
  const PANEL = 96;
  const GAP = 30;
  const TOP = 14;

  function chart(route, history, now) {
    // The gates' figures at the rollout's recent judgements, when it runs one.
    const samples = route.rollout && Array.isArray(route.rollout.samples) ? route.rollout.samples : [];
    const first = Math.min(history[0].at_ms,
      samples.length > 0 && typeof samples[0].at_ms === 'number' ? samples[0].at_ms : Infinity);
    const last = history[history.length - 1].at_ms;
    const end = Math.max(now, last, first + 1000);
    const plotWidth = WIDTH - LEFT - RIGHT;
    const pad = 10;
    const x = function (at) {
      return LEFT + pad + (at - first) / (end - first) * (plotWidth - 2 * pad);
    };
    const panels = [
      { title: 'traffic on the service', unit: 'percent', series: [] },
      { title: 'error rate', unit: 'rate', series: gateSeries(history, samples, 'service_error_rate', 'monolith_error_rate') },
      { title: 'p99 latency', unit: 'ms', series: gateSeries(history, samples, 'service_p99_ms', 'monolith_p99_ms') },
    ];
    const height = TOP + panels.length * (PANEL + GAP) + 8;
    const svg = svgElement('svg', {
      class: 'history-chart', viewBox: '0 0 ' + WIDTH + ' ' + height, role: 'img',
      'aria-label': 'history of ' + String(route.route),
      'data-route': String(route.route), 'data-entries': history.length,
      'data-gate-points': panels[1].series.concat(panels[2].series)
        .reduce(function (sum, series) { return sum + series.points.length; }, 0),
    });
    panels.forEach(function (panel, index) {
      const top = TOP + index * (PANEL + GAP);
      const max = panel.unit === 'percent' ? 100 : niceMax(panel.series, panel.unit);
      const y = function (value) { return top + PANEL - value / max * PANEL; };
      drawFrame(svg, panel, top, max, index === panels.length - 1, first, end, x);
      // A faint line across the panel at each change.
      for (const entry of history) {
        svg.appendChild(svgElement('line', {
          class: 'change-guide', x1: x(entry.at_ms), x2: x(entry.at_ms), y1: top, y2: top + PANEL,
        }));
      }
      if (panel.unit === 'percent') {
        drawPercent(svg, history, x, y, end);
      } else if (panel.series.every(function (series) { return series.points.length === 0; })) {
        svg.appendChild(text(LEFT + plotWidth / 2, top + PANEL / 2, 'none recorded: a rollout\u2019s changes and judgements carry gate figures', 'no-data', 'middle'));
      } else {
        for (const series of panel.series) {
          drawSeries(svg, series, panel.unit, x, y);
        }
      }
    });
    return svg;
  }

  /** The service's and the monolith's value of a gate at each change whose evidence has it,
   *  and at each recent judgement of the running rollout, in time order. */
  function gateSeries(history, samples, serviceKey, monolithKey) {
    const pick = function (key) {
      const points = [];
      const add = function (at, value) {
        if (typeof at === 'number' && typeof value === 'number' && Number.isFinite(value)) {
          points.push({ at: at, value: value });
        }
      };
      for (const entry of history) {
        add(entry.at_ms, entry.evidence ? entry.evidence[key] : null);
      }
      for (const sample of samples) {
        add(sample.at_ms, sample[key]);
      }
      points.sort(function (a, b) { return a.at - b.at; });
      return points;
    };
    return [
      { side: 'service', points: pick(serviceKey) },
      { side: 'monolith', points: pick(monolithKey) },
    ];
  }

  function drawFrame(svg, panel, top, max, withTimeAxis, first, end, x) {
    svg.appendChild(svgElement('rect', {
      class: 'panel', x: LEFT, y: top, width: WIDTH - LEFT - RIGHT, height: PANEL,
    }));
    svg.appendChild(text(LEFT, top - 4, panel.title, 'panel-title', 'start'));
    svg.appendChild(text(LEFT - 6, top + PANEL + 4, valueText(0, panel.unit), 'tick', 'end'));
    svg.appendChild(text(LEFT - 6, top + 8, valueText(max, panel.unit), 'tick', 'end'));
    if (withTimeAxis) {
      const span = end - first;
      const ticks = [first, first + span / 2, end];
      ticks.forEach(function (at, index) {
        const anchor = index === 0 ? 'start' : index === ticks.length - 1 ? 'end' : 'middle';
        svg.appendChild(text(x(at), top + PANEL + 16, timeText(at, span), 'tick', anchor));
      });
    }
  }

  function drawPercent(svg, history, x, y, end) {
    // Before the first change the route was in the state that change left.
    let path = 'M' + x(history[0].at_ms).toFixed(1) + ' ' + y(percentOf(history[0].from)).toFixed(1);
    for (const entry of history) {
      path += ' H' + x(entry.at_ms).toFixed(1) + ' V' + y(percentOf(entry.to)).toFixed(1);
    }
    path += ' H' + x(end).toFixed(1);
    svg.appendChild(svgElement('path', { class: 'line service percent-line', d: path }));
    for (const entry of history) {
      const who = author(entry.by);
      const mark = svgElement('g', { class: 'mark by-' + who, tabindex: 0, 'data-by': who });
      const cx = x(entry.at_ms);
      const cy = y(percentOf(entry.to));
      if (who === 'admin') {
        mark.appendChild(svgElement('rect', { x: cx - 5, y: cy - 5, width: 10, height: 10 }));
      } else if (who === 'plan') {
        mark.appendChild(svgElement('path', { d: 'M' + cx + ' ' + (cy - 6) + ' l6 6 l-6 6 l-6 -6 z' }));
      } else {
        mark.appendChild(svgElement('circle', { cx: cx, cy: cy, r: 5 }));
      }
      const title = svgElement('title', {});
      title.textContent = entryText(entry);
      mark.appendChild(title);
      svg.appendChild(mark);
    }
  }

  function drawSeries(svg, series, unit, x, y) {
    if (series.points.length === 0) {
      return;
    }
    const points = series.points.map(function (point) {
      return x(point.at).toFixed(1) + ',' + y(point.value).toFixed(1);
    }).join(' ');
    svg.appendChild(svgElement('polyline', { class: 'line ' + series.side, points: points }));
    for (const point of series.points) {
      const dot = svgElement('circle', {
        class: 'dot ' + series.side, cx: x(point.at), cy: y(point.value), r: 3,
      });
      const title = svgElement('title', {});
      title.textContent = series.side + ' ' + valueText(point.value, unit) + ' at ' +
        new Date(point.at).toLocaleString();
      dot.appendChild(title);
      svg.appendChild(dot);
    }
  }

  function historyList(history) {
    const details = document.createElement('details');
    const summary = document.createElement('summary');
    summary.textContent = 'Ledger entries';
    details.appendChild(summary);
    const list = document.createElement('ol');
    list.className = 'entries';
    for (const entry of history) {
      const item = document.createElement('li');
      item.textContent = entryText(entry);
      list.appendChild(item);
    }
    details.appendChild(list);
    return details;
  }

  // ---- words and numbers ----

  function entryText(entry) {
    let line = new Date(entry.at_ms).toLocaleString() + ' · ' + stateText(entry.from) + ' \u2192 ' +
      stateText(entry.to) + ' · by ' + String(entry.by) + ': ' + String(entry.reason);
    if (entry.rollout) {
      line += ' (rollout step ' + (Number(entry.rollout.step) + 1) + ' of ' + entry.rollout.steps + ')';
    }
    const evidence = entry.evidence;
    if (evidence) {
      line += '\nservice: ' + evidence.service_requests + ' requests, errors ' +
        valueText(evidence.service_error_rate, 'rate') + ', p99 ' + valueText(evidence.service_p99_ms, 'ms') +
        '\nmonolith: ' + evidence.monolith_requests + ' requests, errors ' +
        valueText(evidence.monolith_error_rate, 'rate') + ', p99 ' + valueText(evidence.monolith_p99_ms, 'ms');
      if (typeof evidence.mismatch_rate === 'number') {
        line += '\nshadow mismatches ' + valueText(evidence.mismatch_rate, 'rate');
      }
    }
    return line;
  }

  function author(by) {
    const word = String(by).split(' ')[0];
    return word === 'rollout' || word === 'admin' || word === 'plan' ? word : 'other';
  }

  function percentOf(state) {
    if (!state) {
      return 0;
    }
    switch (state.state) {
      case 'canary':
        return clamp(Number(state.percent) || 0, 0, 100);
      case 'service':
      case 'retired':
        return 100;
      default:
        return 0; // monolith, and shadow: copies only, every answer from the monolith
    }
  }

  function stateText(state) {
    if (!state) {
      return '?';
    }
    return String(state.state) + (state.percent == null ? '' : ' ' + state.percent + '%');
  }

  function valueText(value, unit) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return '—';
    }
    if (unit === 'percent') {
      return Math.round(value) + '%';
    }
    if (unit === 'rate') {
      return (value * 100).toFixed(value < 0.1 ? 2 : 1) + '%';
    }
    return (value < 10 ? value.toFixed(1) : Math.round(value)) + ' ms';
  }

  function percentText(share) {
    return (share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0) + '%';
  }

  function niceMax(seriesList, unit) {
    let max = unit === 'rate' ? 0.01 : 1;
    for (const series of seriesList) {
      for (const point of series.points) {
        max = Math.max(max, point.value);
      }
    }
    return unit === 'rate' ? Math.min(1, max * 1.15) : max * 1.15;
  }

  function timeText(at, span) {
    const date = new Date(at);
    return span > 86400000 ? date.toLocaleDateString() + ' ' + date.toLocaleTimeString() : date.toLocaleTimeString();
  }

  function ago(milliseconds) {
    const seconds = Math.max(0, Math.round(milliseconds / 1000));
    if (seconds < 60) {
      return seconds + ' s ago';
    }
    if (seconds < 3600) {
      return Math.round(seconds / 60) + ' min ago';
    }
    if (seconds < 172800) {
      return Math.round(seconds / 3600) + ' h ago';
    }
    return Math.round(seconds / 86400) + ' days ago';
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  // ---- DOM helpers ----

  function cell(row, content, className) {
    const td = row.insertCell();
    td.textContent = content;
    if (className) {
      td.className = className;
    }
    return td;
  }

  function emptyRow(body, columns, message) {
    const td = body.insertRow().insertCell();
    td.colSpan = columns;
    td.className = 'empty';
    td.textContent = message;
  }

  function svgElement(name, attributes) {
    const element = document.createElementNS(SVG, name);
    for (const key of Object.keys(attributes)) {
      element.setAttribute(key, String(attributes[key]));
    }
    return element;
  }

  function text(x, y, content, className, anchor) {
    const element = svgElement('text', { x: x, y: y, class: className, 'text-anchor': anchor });
    element.textContent = content;
    return element;
  }

  // ---- start ----

  function start() {
    document.getElementById('token-form').addEventListener('submit', onTokenSubmitted);
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && document.body.dataset.state !== 'token' &&
        document.body.dataset.state !== 'unauthorized') {
        refresh();
      }
    });
    tokenFromFragment();
    refresh();
  }

  start();
})();
