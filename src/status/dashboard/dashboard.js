// The dashboard's script, inlined into index.html by status/dashboard.ts: polls /status every
// second, keeps the last minutes of rates in memory and draws them as SVG. Plain ES2017, no modules:
// it runs as the page's one inline script.
(function () {
  'use strict';
  var POLL_MS = 1000, KEEP_S = 300, MIN_WINDOW_S = 30;
  var COLORS = ['#2456c9', '#e07a10', '#12805c', '#b83280', '#6b4fd8', '#0f8a9d', '#a15c2a', '#5d6b82'];
  var history = {};   // key -> [{t, cps, pps}]
  var previous = {};  // key -> {t, conns, packets}
  var main = document.getElementById('main');
  var dot = document.getElementById('dot');
  var liveText = document.getElementById('live-text');

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function num(n) {
    if (n === null || n === undefined) return '–';
    if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
    if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
    if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
    return String(Math.round(n * 10) / 10);
  }
  function duration(s) {
    s = Math.floor(s);
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    if (d > 0) return d + 'd ' + h + 'h';
    if (h > 0) return h + 'h ' + m + 'm';
    if (m > 0) return m + 'm ' + (s % 60) + 's';
    return (s % 60) + 's';
  }
  function badge(text, kind) { return '<span class="badge ' + kind + '">' + esc(text) + '</span>'; }
  function heartbeatDropped(h) {
    var n = h ? h.forged + h.replayed + h.refused : 0;
    return n > 0 ? '<div class="row meta" data-heartbeat-dropped><span>heartbeats dropped</span><span>' + num(n) + '</span></div>' : '';
  }
  function serviceKey(s) { return s.protocol.toUpperCase() + ' ' + (s.address.indexOf(':') >= 0 ? '[' + s.address + ']' : s.address) + ':' + s.port; }

  // Rates from counter differences between two documents, timed by the director's own clock.
  function record(key, t, stats) {
    var p = previous[key], point = null;
    previous[key] = { t: t, conns: stats.conns, packets: stats.inPackets };
    if (p && t > p.t) {
      var dt = (t - p.t) / 1000;
      point = { t: t, cps: Math.max(0, stats.conns - p.conns) / dt, pps: Math.max(0, stats.inPackets - p.packets) / dt };
      var h = history[key] || (history[key] = []);
      h.push(point);
      while (h.length && h[0].t < t - KEEP_S * 1000) h.shift();
    }
    return point;
  }
  function latest(key) { var h = history[key]; return h && h.length ? h[h.length - 1] : null; }

  function niceMax(v) {
    if (v <= 0) return 1;
    var e = Math.pow(10, Math.floor(Math.log(v) / Math.LN10)), f = v / e;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
  }
  // The SVG stretches to its box (lines keep their width); labels are HTML so they never stretch.
  function plot(series, field, now) {
    var W = 600, H = 150, T = 6, B = 4;
    var start = now - MIN_WINDOW_S * 1000, max = 0, i, j;
    for (i = 0; i < series.length; i++) {
      var pts = series[i].points;
      if (pts.length) start = Math.min(start, pts[0].t);
      for (j = 0; j < pts.length; j++) max = Math.max(max, pts[j][field]);
    }
    start = Math.max(start, now - KEEP_S * 1000);
    var top = niceMax(max), span = Math.max(1, now - start);
    function x(t) { return W * (t - start) / span; }
    function y(v) { return T + (H - T - B) * (1 - v / top); }
    var svg = '<svg viewBox="0 0 ' + W + ' ' + H + '" preserveAspectRatio="none" aria-hidden="true">', labels = '';
    for (i = 0; i <= 2; i++) {
      var v = top * i / 2, yy = y(v);
      svg += '<line x1="0" x2="' + W + '" y1="' + yy.toFixed(1) + '" y2="' + yy.toFixed(1) + '" style="stroke:var(--grid)" vector-effect="non-scaling-stroke"/>';
      labels += '<span class="ylabel" style="top:' + (yy / H * 100).toFixed(2) + '%">' + num(v) + '</span>';
    }
    for (i = 0; i < series.length; i++) {
      var s = series[i], d = '';
      for (j = 0; j < s.points.length; j++) d += (j ? 'L' : 'M') + x(s.points[j].t).toFixed(1) + ' ' + y(s.points[j][field]).toFixed(1);
      if (d) svg += '<path d="' + d + '" fill="none" style="stroke:' + s.color + '" stroke-width="' + (s.total ? 2.5 : 1.6) + '"' + (s.total ? ' stroke-dasharray="5 3"' : '') + ' stroke-linejoin="round" vector-effect="non-scaling-stroke"/>';
    }
    return '<div class="area">' + labels + svg + '</svg></div><div class="xaxis"><span>-' + duration(span / 1000) + '</span><span>now</span></div>';
  }

  function healthBadge(r) {
    if (r.health === null) return '<span class="meta">no check</span>';
    if (r.health.state === 'up') return badge('up', 'good');
    if (r.health.state === 'down') return badge('down', 'bad');
    return badge('unknown', 'idle');
  }
  function stateOf(r) {
    if (r.fallback) return badge('fallback', 'warn');
    if (r.weight.effective === null) return badge('removed', 'bad');
    if (!r.macResolved) return badge('no MAC', 'warn');
    if (r.overloaded) return badge('overloaded', 'warn');
    if (r.weight.effective === 0) return badge('quiescent', 'warn');
    return badge('in service', 'good');
  }
  function serviceState(s) {
    if (s.vrrpInstance === null) return badge(s.forwarding ? 'forwarding' : 'standby', s.forwarding ? 'good' : 'idle');
    if (s.forwarding) return badge('master here', 'good');
    return badge('backup', 'idle') + (s.master ? ' <span class="meta">master ' + esc(s.master) + '</span>' : '');
  }

  function tiles(doc) {
    var out = '<div class="tiles">';
    out += '<div class="tile wide"><h2>VRRP</h2>' + (doc.vrrp.length ? doc.vrrp.map(function (v) {
      var kind = v.state === 'master' ? 'good' : v.state === 'fault' ? 'bad' : 'idle';
      return '<div class="row" data-vrrp="' + esc(v.name) + '"><span>' + esc(v.name) + '</span>' + badge(v.state, kind) + '</div>'
        + '<div class="row meta"><span>vrid ' + v.virtualRouterId + ' · prio ' + v.effectivePriority + '</span><span>' + (v.master ? 'master ' + esc(v.master) : 'no master heard') + '</span></div>';
    }).join('') : '<div class="none">not configured</div>') + '</div>';
    out += '<div class="tile"><h2>Peers</h2>' + (doc.peers.length ? doc.peers.map(function (p) {
      var age = p.lastHeartbeatAgeSeconds === null ? 'never heard' : duration(p.lastHeartbeatAgeSeconds) + ' ago';
      var paths = p.paths.map(function (x) { return esc(x.link) + (x.alive ? ' ✓' : ' ✗'); }).join(' · ');
      return '<div class="row" data-peer="' + esc(p.name) + '"><span>' + esc(p.name) + '</span>' + badge(p.alive ? 'alive' : 'silent', p.alive ? 'good' : 'bad') + (p.fault ? badge('fault', 'bad') : '') + '</div>'
        + '<div class="row meta"><span>' + esc(age) + (paths ? ' · ' + paths : '') + '</span></div>';
    }).join('') : '<div class="none">none</div>') + heartbeatDropped(doc.heartbeat) + '</div>';
    out += '<div class="tile"><h2>Links</h2>' + (doc.links.length ? doc.links.map(function (l) {
      return '<div class="row" data-link="' + esc(l.name) + '"><span>' + esc(l.name) + '</span>' + badge(l.up ? 'up' : 'down', l.up ? 'good' : 'bad') + '</div>'
        + '<div class="row meta"><span>' + esc(l.interface) + (l.active ? ' · active' : '') + '</span></div>';
    }).join('') : '<div class="none">one interface</div>') + '</div>';
    var d = doc.dataplane;
    out += '<div class="tile"><h2>Dataplane</h2>' + (d ? '<div class="row"><span>received</span><b>' + num(d.rxPackets) + '</b></div>'
      + '<div class="row"><span>sent</span><b>' + num(d.txPackets) + '</b></div>'
      + '<div class="row"><span>dropped</span><b>' + num(d.dropped) + '</b></div>'
      + Object.keys(d.drops).filter(function (r) { return d.drops[r] > 0; }).map(function (r) {
        return '<div class="row meta" data-drop="' + esc(r) + '"><span>' + esc(r) + '</span><span>' + num(d.drops[r]) + '</span></div>';
      }).join('')
      + '<div class="row"><span>conns</span><b>' + num(d.connections) + '<span class="meta"> / ' + num(doc.director.connTableSize) + '</span></b></div>' : '<div class="none">no figures</div>') + '</div>';
    var y = doc.sync;
    out += '<div class="tile"><h2>Sync</h2>' + (y ? '<div class="row"><span>sent</span><b>' + num(y.sent) + '</b></div>'
      + '<div class="row"><span>received</span><b>' + num(y.received) + '</b></div>'
      + '<div class="row"><span>installed</span><b>' + num(y.installed) + '</b></div>'
      + '<div class="row"><span>refused</span><b>' + num(y.refused + y.forged + y.replayed) + '</b></div>' : '<div class="none">off</div>') + '</div>';
    return out + '</div>';
  }

  function service(doc, s, now) {
    var key = serviceKey(s), p = latest(key);
    var series = [{ points: history[key] || [], color: 'var(--ink)', total: true }];
    var legend = '<span><i style="background:var(--ink)"></i>service</span>';
    var rows = s.realServers.map(function (r, i) {
      var rk = key + ' > ' + r.address, rp = latest(rk), color = COLORS[i % COLORS.length];
      series.push({ points: history[rk] || [], color: color });
      legend += '<span><i style="background:' + color + '"></i>' + esc(r.address) + '</span>';
      var weight = r.weight.effective === r.weight.configured ? String(r.weight.configured)
        : (r.weight.effective === null ? '–' : r.weight.effective) + ' / ' + r.weight.configured;
      return '<tr data-real="' + esc(r.address) + '" data-health="' + (r.health ? r.health.state : 'none') + '">'
        + '<td><span class="sw" style="background:' + color + '"></span>' + esc(r.address) + '</td>'
        + '<td data-label="state">' + stateOf(r) + '</td>'
        + '<td data-label="health">' + healthBadge(r) + '</td>'
        + '<td data-label="weight">' + weight + '</td>'
        + '<td data-label="agent load">' + (r.agent === null || r.agent.loadIndex === null ? '–' : num(r.agent.loadIndex) + (r.agent.alive ? '' : ' (silent)')) + '</td>'
        + '<td data-label="active">' + num(r.activeConns) + '</td>'
        + '<td data-label="inactive">' + num(r.inactiveConns) + '</td>'
        + '<td data-label="conn/s">' + (rp ? num(rp.cps) : '–') + '</td>'
        + '<td data-label="pkt/s">' + (rp ? num(rp.pps) : '–') + '</td>'
        + '<td data-label="connections">' + num(r.stats.conns) + '</td></tr>';
    }).join('');
    return '<section class="service" data-service="' + esc(key) + '"><div class="head"><h2>' + esc(key) + '</h2>'
      + badge(s.scheduler, 'idle') + ' ' + serviceState(s)
      + '<div class="figures"><span>active <b>' + num(s.activeConns) + '</b></span><span>inactive <b>' + num(s.inactiveConns) + '</b></span>'
      + '<span>conn/s <b>' + (p ? num(p.cps) : '–') + '</b></span><span>pkt/s <b>' + (p ? num(p.pps) : '–') + '</b></span>'
      + '<span>total <b>' + num(s.stats.conns) + '</b></span></div></div>'
      + '<div class="plots"><div class="plot"><h3>connections / s</h3>' + plot(series, 'cps', now) + '</div>'
      + '<div class="plot"><h3>packets / s</h3>' + plot(series, 'pps', now) + '</div></div>'
      + '<div class="legend">' + legend + '</div>'
      + (s.realServers.length ? '<table><thead><tr><th>real server</th><th>state</th><th>health</th><th>weight</th><th>agent load</th><th>active</th><th>inactive</th><th>conn/s</th><th>pkt/s</th><th>connections</th></tr></thead><tbody>' + rows + '</tbody></table>'
        : '<div class="empty">No real servers: add one with pivsadm -a.</div>')
      + '</section>';
  }

  function render(doc, error) {
    var now = Date.parse(doc.generatedAt);
    document.getElementById('director').textContent = doc.director.name;
    document.getElementById('meta').textContent = 'pivs ' + doc.director.pivsVersion + ' · up ' + duration(doc.director.uptimeSeconds);
    document.title = doc.director.name + ' · pivs';
    var html = error ? '<div class="banner">' + esc(error) + '</div>' : '';
    html += tiles(doc);
    html += doc.virtualServices.length ? doc.virtualServices.map(function (s) { return service(doc, s, now); }).join('')
      : '<div class="empty">No virtual services yet: add one with pivsadm -A or in the configuration file.</div>';
    main.innerHTML = html;
  }

  var last = null;
  function poll() {
    fetch('status', { cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
      if (!res.ok) throw new Error('pivsd answered ' + res.status + ' ' + res.statusText);
      return res.json();
    }).then(function (doc) {
      var t = Date.parse(doc.generatedAt);
      doc.virtualServices.forEach(function (s) {
        var key = serviceKey(s);
        record(key, t, s.stats);
        s.realServers.forEach(function (r) { record(key + ' > ' + r.address, t, r.stats); });
      });
      last = doc;
      dot.className = 'dot';
      liveText.textContent = 'live · ' + new Date(t).toLocaleTimeString();
      render(doc, null);
    }).catch(function (e) {
      dot.className = 'dot stale';
      liveText.textContent = 'not updating';
      if (last) render(last, 'Cannot reach pivsd (' + e.message + '); showing the last figures.');
      else main.innerHTML = '<div class="banner">Cannot reach pivsd: ' + esc(e.message) + '</div>';
    }).then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
