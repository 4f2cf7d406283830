// The coordinator's dashboard: draws each chart from the figures the server put beside its table (data-chart), and
// keeps the figures live. The tables are the truth and work without JavaScript; the charts only draw them.
(function () {
  'use strict';
  // Colours with at least 3:1 contrast on white, told apart by the legend and the tables, never by colour alone.
  var PALETTE = ['#1d4f91', '#00703c', '#942514', '#6f2c91', '#b35900', '#005a70', '#484949', '#8a1a5b'];
  var charts = [];

  function option(spec, label) {
    var base = {
      color: PALETTE,
      // The server's label, in the page's language: left to itself ECharts writes an English one over it.
      aria: { enabled: true, decal: { show: true }, label: label ? { description: label } : { enabled: false } },
      animation: false,
      // the tooltip is drawn on the canvas: the page's Content Security Policy allows no inline styles
      tooltip: { renderMode: 'richText', trigger: spec.type === 'bars' ? 'axis' : 'item' },
      textStyle: { fontFamily: 'system-ui, Arial, sans-serif', fontSize: 14 }
    };
    if (spec.type === 'bars') {
      base.legend = { top: 0, type: 'scroll' };
      base.grid = { left: 8, right: 8, top: 40, bottom: 8, containLabel: true };
      base.xAxis = { type: 'category', data: spec.categories, axisLabel: { interval: 0, hideOverlap: true } };
      base.yAxis = { type: 'value', minInterval: 1 };
      base.series = spec.series.map(function (s) {
        return { name: s.name, type: 'bar', data: s.data, stack: spec.stacked ? 'all' : undefined };
      });
    } else if (spec.type === 'funnel') {
      base.series = [{ type: 'funnel', sort: 'none', gap: 2, left: '10%', width: '80%', data: spec.data.filter(function (d) {
        return d.value !== null;
      }), label: { position: 'inside', color: '#fff', formatter: '{b}: {c}' } }];
    } else if (spec.type === 'sankey') {
      base.series = [{ type: 'sankey', data: spec.nodes, links: spec.links, nodeAlign: 'justify',
        emphasis: { focus: 'adjacency' }, lineStyle: { color: 'gradient', opacity: 0.4 },
        label: { color: '#0b0c0c' },
        edgeLabel: { show: true, formatter: function (p) { return p.data.label || String(p.data.value); } } }];
    }
    return base;
  }

  function draw(root) {
    charts.forEach(function (chart) { chart.dispose(); });
    charts = [];
    if (typeof echarts === 'undefined') {
      return;
    }
    root.querySelectorAll('[data-chart]').forEach(function (element) {
      var spec;
      try {
        spec = JSON.parse(element.getAttribute('data-chart'));
      } catch (e) {
        return;
      }
      var empty = (spec.type === 'sankey' && spec.links.length === 0)
        || (spec.type === 'bars' && spec.categories.length === 0);
      element.classList.toggle('empty', empty);
      if (empty) {
        return;
      }
      var chart = echarts.init(element, null, { renderer: 'canvas' });
      chart.setOption(option(spec, element.getAttribute('aria-label')));
      charts.push(chart);
    });
  }

  function live(status) {
    if (!status || typeof EventSource === 'undefined' || typeof htmx === 'undefined') {
      return;
    }
    var pending = null;
    var source = new EventSource(status.getAttribute('data-live-url'));
    var connected = false;
    var paused = null;
    source.addEventListener('ready', function () {
      connected = true;
      clearTimeout(paused);
      status.textContent = status.getAttribute('data-connected');
    });
    // The person opened the dashboard again elsewhere (another tab, a reload): this page stops listening, so that
    // it does not take the stream back from the newer one.
    source.addEventListener('replaced', function () {
      source.close();
      clearTimeout(paused);
      status.textContent = status.getAttribute('data-replaced');
    });
    // Not connected (the server busy or restarting, the network gone): say so rather than "Connecting…" for ever,
    // unless the browser's own reconnection (after a stream's normal end) answers within a few seconds. The browser
    // tries again by itself unless the answer was an error; then this page tries again in a while.
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        status.textContent = status.getAttribute('data-unavailable');
        // Refused (the token expired: the refresh then signs the person in again) or the web app away: in a
        // while, the figures missed meanwhile are asked for, and the live updates again. At most once in ten
        // minutes: a stream refused again right after that (a token the live updates alone refuse) must not take
        // the page round the sign-in again and again; it only tries the live updates again.
        setTimeout(function () {
          if (mayRefreshAfterRefusal()) {
            refresh(status, false);
          }
          live(status);
        }, 30000);
        return;
      }
      clearTimeout(paused);
      paused = setTimeout(function () {
        status.textContent = status.getAttribute('data-unavailable');
      }, connected ? 20000 : 5000);
    });
    source.addEventListener('changed', function () {
      // several changes in a moment make one refresh
      if (pending) {
        return;
      }
      pending = setTimeout(function () {
        pending = null;
        refresh(status, true);
      }, 300);
    });
  }

  function mayRefreshAfterRefusal() {
    var key = 'pathways.dashboard.refreshedAfterRefusal';
    try {
      var last = Number(window.sessionStorage.getItem(key) || 0);
      if (Date.now() - last < 600000) {
        return false;
      }
      window.sessionStorage.setItem(key, String(Date.now()));
    } catch (storageRefused) {
      // no session storage (a privacy setting): refresh, as the page's own reload would
    }
    return true;
  }

  // The figures asked for again and swapped in place. Refused because the person's access token expired, htmx is
  // told to take the whole page through the issuer's sign-in and back (HX-Redirect). Announced after a change the
  // live updates told of; not after a reconnection, which may not have been answered at all.
  function refresh(status, announce) {
    htmx.ajax('GET', status.getAttribute('data-figures-url'), { target: '#figures', swap: 'outerHTML' })
      .then(function () {
        if (!announce) {
          return;
        }
        var now = new Date();
        var time = ('0' + now.getHours()).slice(-2) + ':' + ('0' + now.getMinutes()).slice(-2) + ':'
          + ('0' + now.getSeconds()).slice(-2);
        status.textContent = status.getAttribute('data-updated').replace('{0}', time);
        status.setAttribute('data-refreshed', String(Number(status.getAttribute('data-refreshed') || 0) + 1));
      });
  }

  document.addEventListener('DOMContentLoaded', function () {
    var figures = document.getElementById('figures');
    if (!figures) {
      return;
    }
    draw(figures);
    live(document.getElementById('live-status'));
    document.body.addEventListener('htmx:afterSettle', function (event) {
      var swapped = document.getElementById('figures');
      if (swapped && (event.target === swapped || swapped.contains(event.target))) {
        draw(swapped);
      }
    });
    window.addEventListener('resize', function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
    window.addEventListener('beforeprint', function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  });
})();
