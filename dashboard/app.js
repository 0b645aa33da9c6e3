// The actuator dashboard. It reads the actuator's endpoints relative to the
// page's <base href> (the discovery index's path), with the browser's
// credentials and, when pasted, a bearer token held in `token` only.
// Nothing is stored outside this tab's memory; nothing is fetched from
// anywhere but the service.
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);

  // ---- settings -----------------------------------------------------------
  // ?refresh=500ms|2s|1m sets the poll interval (default 5s, at least 200ms);
  // ?window=10m how much history the charts keep (default 10m).
  function parseDuration(s, dflt) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(s || '');
    if (!m) return dflt;
    return Number(m[1]) * { ms: 1, s: 1000, m: 60000 }[m[2]];
  }
  const params = new URLSearchParams(location.search);
  const refreshMs = Math.max(200, parseDuration(params.get('refresh'), 5000));
  const windowMs = Math.max(refreshMs * 2, parseDuration(params.get('window'), 10 * 60000));

  let token = ''; // the pasted bearer token: this variable is its only home

  // ---- fetching -----------------------------------------------------------
  // get fetches one endpoint below the base and resolves to {status, body};
  // it rejects only when the service could not be reached at all.
  async function get(path) {
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), Math.max(10000, refreshMs * 2));
    try {
      const resp = await fetch(new URL(path, document.baseURI), {
        headers, credentials: 'same-origin', cache: 'no-store', signal: ctl.signal,
      });
      let body = null;
      try { body = await resp.json(); } catch (e) { body = null; }
      return { status: resp.status, body };
    } finally {
      clearTimeout(timer);
    }
  }

  // ---- small DOM helpers --------------------------------------------------
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) if (c != null) e.append(c);
    return e;
  }
  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    return e;
  }
  const KNOWN = ['UP', 'DOWN', 'OUT_OF_SERVICE', 'UNKNOWN'];
  const SYMBOL = { UP: '✓', DOWN: '✗', OUT_OF_SERVICE: '⏸', UNKNOWN: '?' };
  // statusTag shows a status as a symbol and a word: never by colour alone.
  function statusTag(status, cls) {
    const s = String(status || 'UNKNOWN');
    const kind = KNOWN.includes(s) ? s : 'OTHER';
    return el('span', { class: cls || 'st', 'data-status': kind },
      el('span', { class: 'sym', 'aria-hidden': 'true' }, SYMBOL[kind] || '•'), ' ', s);
  }
  function setBadge(node, status, text) {
    const s = String(status || 'UNKNOWN');
    // Only changes are written: the badge is a live region, and a screen
    // reader should hear a new status, not every refresh.
    const kind = KNOWN.includes(s) ? s : 'OTHER';
    const words = text || s;
    if (node.getAttribute('data-status') === kind && node.querySelector('.txt').textContent === words) return;
    node.setAttribute('data-status', kind);
    node.querySelector('.sym').textContent = SYMBOL[kind] || '•';
    node.querySelector('.txt').textContent = words;
  }
  function text(v) {
    if (v == null) return '—';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function refusal(status) {
    if (status === 0) return 'no answer';
    if (status === 401 || status === 403) return 'needs authorisation';
    if (status === 404) return 'not exposed';
    return 'HTTP ' + status;
  }

  // ---- health -------------------------------------------------------------
  function healthNode(name, c) {
    const details = (c && c.details) || {};
    const head = el('div', { class: 'node' }, el('span', { class: 'name' }, name), statusTag(c && c.status));
    if (details.duration) head.append(el('span', { class: 'dur', title: 'check duration' }, details.duration));
    const li = el('li', { 'data-component': name, 'data-status': (c && c.status) || 'UNKNOWN' }, head);
    const keys = Object.keys(details).filter((k) => k !== 'duration');
    if (keys.length) {
      const dl = el('dl', { class: 'details' });
      for (const k of keys) dl.append(el('dt', {}, k), el('dd', {}, text(details[k])));
      li.append(dl);
    }
    const kids = c && c.components;
    if (kids && typeof kids === 'object') {
      const ul = el('ul');
      for (const k of Object.keys(kids)) ul.append(healthNode(k, kids[k]));
      li.append(ul);
    }
    return li;
  }
  function renderHealth(h) {
    const box = $('health');
    if (!h.body || !h.body.status) {
      box.replaceChildren(el('p', { class: 'muted' }, 'Health: ' + refusal(h.status) + '.'));
      setBadge($('overall'), 'UNKNOWN', 'Health ' + refusal(h.status));
      return;
    }
    setBadge($('overall'), h.body.status);
    const tree = el('ul', { class: 'tree', 'aria-label': 'health components' }, healthNode('overall', h.body));
    box.replaceChildren(tree);
    if (!h.body.components) {
      box.append(el('p', { class: 'small muted' }, 'Components are hidden from this viewer.'));
    } else if (!Object.values(h.body.components).some((c) => c && c.details)) {
      box.append(el('p', { class: 'small muted' }, 'Details (durations, errors) show only to authorised viewers.'));
    }
  }
  function renderProbe(id, r) {
    const dd = $(id);
    dd.replaceChildren(r.body && r.body.status ? statusTag(r.body.status) : el('span', { class: 'muted' }, refusal(r.status)));
  }
  function renderPhase(h, readiness) {
    const rs = h.body && h.body.components && h.body.components.readinessState;
    const phase = rs && rs.details && rs.details.phase;
    let shown;
    if (phase) shown = phase;
    else if (readiness.body && readiness.body.status === 'UP') shown = 'serving (ready)';
    else shown = 'not ready (the phase shows to authorised viewers)';
    $('phase').textContent = shown;
    return phase;
  }

  // ---- info ---------------------------------------------------------------
  function pick(o, path) {
    return path.split('.').reduce((v, k) => (v && typeof v === 'object' ? v[k] : undefined), o);
  }
  function renderInfo(r) {
    const dl = $('info');
    if (!r.body) {
      dl.replaceChildren(el('dt', {}, 'Info'), el('dd', { class: 'muted' }, refusal(r.status)));
      return;
    }
    const rows = [
      ['Name', 'build.name'], ['Version', 'build.version'], ['Commit', 'git.commit.id'],
      ['Commit time', 'git.commit.time'], ['Branch', 'git.branch'], ['Build time', 'build.time'],
      ['Module', 'build.module'], ['Go', 'go.version'], ['Platform', null],
    ];
    const out = [];
    for (const [label, path] of rows) {
      let v = path ? pick(r.body, path) : null;
      if (!path && r.body.go) v = [r.body.go.os, r.body.go.arch].filter(Boolean).join('/');
      out.push(el('dt', {}, label), el('dd', { 'data-info': path || 'platform' }, v == null || v === '' ? 'not known' : text(v)));
    }
    dl.replaceChildren(...out);
    const name = pick(r.body, 'build.name');
    if (name) {
      $('app-name').textContent = name;
      document.title = name + ' · Actuator dashboard';
    }
  }

  // ---- endpoints ----------------------------------------------------------
  function renderLinks(r) {
    const ul = $('links');
    const links = r.body && r.body._links;
    if (!links) {
      ul.replaceChildren(el('li', { class: 'muted' }, 'Discovery index: ' + refusal(r.status)));
      return;
    }
    const items = [];
    for (const [name, l] of Object.entries(links)) {
      if (!l || typeof l.href !== 'string') continue;
      let url;
      try { url = new URL(l.href, document.baseURI); } catch (e) { continue; }
      if (l.templated || !/^https?:$/.test(url.protocol)) {
        items.push(el('li', {}, name + ': ', el('code', {}, l.href)));
      } else {
        items.push(el('li', {}, el('a', { href: url.href }, name)));
      }
    }
    ul.replaceChildren(...items);
  }

  // ---- charts -------------------------------------------------------------
  // Each chart keeps its own samples {t, v: [..]} for the last windowMs.
  const fmtBytes = (v) => (v / 1048576).toFixed(1) + ' MiB';
  const charts = [
    { id: 'memory', title: 'Memory', legend: ['heap', 'resident'], fmt: fmtBytes },
    { id: 'goroutines', title: 'Goroutines', legend: ['goroutines'], fmt: (v) => v.toFixed(0) },
    { id: 'cpu', title: 'CPU', legend: ['process', 'system'], fmt: (v) => (v * 100).toFixed(1) + ' %', max: 1 },
    { id: 'gc', title: 'GC pauses', legend: ['pause ms per s'], fmt: (v) => v.toFixed(3) + ' ms/s' },
    { id: 'rate', title: 'Request rate', legend: ['requests per s'], fmt: (v) => v.toFixed(2) + ' /s' },
    { id: 'latency', title: 'Request latency', legend: ['mean ms'], fmt: (v) => v.toFixed(2) + ' ms' },
  ];
  const W = 300, H = 100;
  function buildCharts() {
    const box = $('charts');
    for (const c of charts) {
      c.samples = [];
      c.now = el('span', { class: 'now' }, '…');
      c.svg = svg('svg', { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': c.title + ': no data yet' });
      for (const y of [0, H / 2, H]) c.svg.append(svg('line', { class: 'grid', x1: 0, x2: W, y1: y, y2: y }));
      c.lines = c.legend.map((_, i) => { const p = svg('polyline', { class: 'l' + i, points: '' }); c.svg.append(p); return p; });
      c.fig = el('figure', { class: 'chart', 'data-chart': c.id, 'data-points': '0' },
        el('figcaption', {}, el('span', {}, c.title), c.now), c.svg,
        el('p', { class: 'legend' }, el('span', {}, c.legend.map((l, i) => (i ? '- - ' : '— ') + l).join('   ')),
          c.scale = el('span', { class: 'scale' }, '')));
      box.append(c.fig);
    }
    $('window').textContent = '(last ' + Math.round(windowMs / 60000 * 10) / 10 + ' min)';
  }
  function push(id, t, values) {
    const c = charts.find((x) => x.id === id);
    // A refresh the token button started may finish after a later one:
    // samples stay in time order.
    if (c.samples.length && c.samples[c.samples.length - 1].t >= t) return;
    c.samples.push({ t, v: values });
    while (c.samples.length && c.samples[0].t < t - windowMs) c.samples.shift();
  }
  function draw(c) {
    const pts = c.samples;
    let top = c.max || 0;
    for (const s of pts) for (const v of s.v) if (v != null && v > top) top = v;
    top = top > 0 ? top * (c.max ? 1 : 1.15) : 1;
    // The x axis spans the samples kept (at most windowMs): a young page
    // uses the whole width too.
    const t0 = pts.length ? pts[0].t : 0;
    const span = Math.max(1, pts.length ? pts[pts.length - 1].t - t0 : 1);
    let n = 0;
    c.lines.forEach((line, i) => {
      const coords = [];
      for (const s of pts) {
        const v = s.v[i];
        if (v == null) continue;
        coords.push(((s.t - t0) / span * W).toFixed(1) + ',' + (H - v / top * H).toFixed(1));
      }
      n = Math.max(n, coords.length);
      line.setAttribute('points', coords.join(' '));
    });
    c.fig.setAttribute('data-points', String(n));
    c.scale.textContent = pts.length ? 'top ' + c.fmt(top) : '';
    const last = pts.length ? pts[pts.length - 1].v : [];
    const now = last.map((v, i) => (v == null ? null : c.legend[i] + ' ' + c.fmt(v))).filter(Boolean).join(', ');
    c.now.textContent = last.length && last[0] != null ? c.fmt(last[0]) : '—';
    c.svg.setAttribute('aria-label', c.title + (now ? ': ' + now : ': no data yet') + ', ' + n + ' points');
  }

  // prev holds the counters of the previous poll, to turn totals into rates.
  let prev = null;
  function measurement(body, stat) {
    const m = body && Array.isArray(body.measurements) && body.measurements.find((x) => x.statistic === stat);
    return m ? Number(m.value) : 0;
  }
  function recordMetrics(t, m, req) {
    if (!m.body || !m.body.memory) {
      for (const c of charts) c.now.textContent = refusal(m.status);
      return;
    }
    const b = m.body;
    push('memory', t, [b.memory.heapAllocBytes ?? null, b.memory.residentBytes ?? null]);
    push('goroutines', t, [b.goroutines ?? null]);
    push('cpu', t, [b.cpu ? b.cpu.usage ?? null : null, b.cpu ? b.cpu.systemUsage ?? null : null]);
    // http.server.requests is 404 until the first request: no request yet.
    const cur = {
      t,
      gc: b.gc ? b.gc.pauseTotalSeconds ?? 0 : 0,
      count: req.status === 200 ? measurement(req.body, 'COUNT') : 0,
      total: req.status === 200 ? measurement(req.body, 'TOTAL_TIME') : 0,
    };
    if (prev && cur.count >= prev.count && cur.gc >= prev.gc && t > prev.t) {
      const dt = (t - prev.t) / 1000;
      const dn = cur.count - prev.count;
      push('gc', t, [(cur.gc - prev.gc) * 1000 / dt]);
      push('rate', t, [dn / dt]);
      push('latency', t, [dn > 0 ? (cur.total - prev.total) * 1000 / dn : null]);
    }
    prev = cur; // a counter that went down means a restart: start over
    for (const c of charts) draw(c);
  }

  // ---- connection ---------------------------------------------------------
  let downSince = null;
  let backTimer = null;
  function showBanner(msg, kind) {
    const b = $('connection');
    b.textContent = msg;
    b.setAttribute('data-kind', kind || 'bad');
    b.hidden = false;
  }
  function hideBanner() {
    $('connection').hidden = true;
  }
  function unreachable() {
    if (!downSince) downSince = new Date();
    clearTimeout(backTimer);
    showBanner('The service is unreachable since ' + downSince.toLocaleTimeString() +
      ' (shut down or restarting). Retrying every ' + (refreshMs / 1000) + ' s…');
    setBadge($('overall'), 'UNKNOWN', 'Unreachable');
    prev = null;
  }
  function reachable(phase, readiness) {
    if (downSince) {
      downSince = null;
      showBanner('The service is back.', 'ok');
      clearTimeout(backTimer);
      backTimer = setTimeout(hideBanner, 5000);
    } else if (phase && ['delaying', 'draining', 'cleanup', 'stopped'].includes(phase)) {
      showBanner('The service is shutting down (phase: ' + phase + ').');
    } else if (readiness.body && readiness.body.status === 'OUT_OF_SERVICE') {
      showBanner('The service is not ready: starting, shutting down, or taken out of service.');
    } else if ($('connection').getAttribute('data-kind') === 'bad') {
      hideBanner(); // ready again; a "back" banner goes by its timer
    }
  }

  // ---- the loop -----------------------------------------------------------
  async function tick() {
    const t = Date.now();
    // One endpoint that does not answer (a slow check timed out) is shown
    // as such; the service is unreachable only when none answers.
    const settled = await Promise.allSettled([
      get(''), get('health'), get('health/liveness'), get('health/readiness'),
      get('info'), get('metrics'), get('metrics/http.server.requests'),
    ]);
    if (settled.every((s) => s.status === 'rejected')) {
      unreachable();
      return;
    }
    const r = settled.map((s) => (s.status === 'fulfilled' ? s.value : { status: 0, body: null }));
    const [index, health, liveness, readiness, info, metrics, requests] = r;
    renderLinks(index);
    renderHealth(health);
    renderProbe('liveness', liveness);
    renderProbe('readiness', readiness);
    const phase = renderPhase(health, readiness);
    renderInfo(info);
    recordMetrics(t, metrics, requests);
    reachable(phase, readiness);
    const when = new Date(t);
    $('updated').textContent = when.toLocaleTimeString();
    $('updated').setAttribute('datetime', when.toISOString());
    document.body.setAttribute('data-ticks', String(Number(document.body.getAttribute('data-ticks') || 0) + 1));
  }
  async function loop() {
    await tick();
    setTimeout(loop, refreshMs);
  }

  function start() {
    $('every').textContent = refreshMs >= 1000 ? refreshMs / 1000 + ' s' : refreshMs + ' ms';
    buildCharts();
    $('token-use').addEventListener('click', () => {
      token = $('token').value.trim();
      $('token').value = '';
      $('token-state').textContent = token ? 'Using the pasted token (in this tab only).' : 'No token.';
      prev = null;
      tick();
    });
    $('token-forget').addEventListener('click', () => {
      token = '';
      $('token').value = '';
      $('token-state').textContent = 'Token forgotten.';
      tick();
    });
    loop();
  }
  start();
})();
