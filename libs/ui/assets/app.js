// The pages of `nasx ui`: plain browser JavaScript over the server's JSON API; charts are the
// server's Vega-Lite specs rendered by vega-embed (a live page inserts new points into the chart's
// dataset instead of redrawing it).
'use strict';
(function () {
  const $ = (sel) => document.querySelector(sel);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  };
  const json = async (url) => {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const fmt = (v) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, '')) : v === undefined || v === null ? '' : String(v);
  const when = (ms) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');
  const seconds = (ms) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`);
  const embed = (target, spec, opts) => window.vegaEmbed(target, spec, { actions: false, renderer: 'svg', ...(opts || {}) });

  /** A table whose columns sort on a click of their header (numbers as numbers). */
  function sortableTable(table, columns, rows, onSort) {
    table.replaceChildren();
    const head = el('tr');
    for (const c of columns) {
      const th = el('th', { 'data-key': c.key, text: c.title });
      th.addEventListener('click', () => onSort(c.key));
      head.append(th);
    }
    table.append(el('thead', {}, head));
    const body = el('tbody');
    for (const r of rows) {
      const tr = el('tr');
      for (const c of columns) {
        const td = el('td');
        const v = c.get(r);
        if (v instanceof Node) td.append(v);
        else td.textContent = fmt(v);
        tr.append(td);
      }
      body.append(tr);
    }
    table.append(body);
  }

  function runsPage() {
    let runs = [];
    let sort = { key: 'createdAt', desc: true };
    const chosen = new Set();
    const columns = [
      {
        key: 'pick',
        title: '',
        get: (r) =>
          el('input', {
            type: 'checkbox',
            onchange: (e) => {
              if (e.target.checked) chosen.add(r.id);
              else chosen.delete(r.id);
              $('#compare').disabled = chosen.size < 2;
            },
          }),
      },
      { key: 'id', title: 'run', get: (r) => el('a', { href: `/runs/${encodeURIComponent(r.id)}`, text: r.id }) },
      { key: 'status', title: 'status', get: (r) => r.status },
      { key: 'space', title: 'space', get: (r) => r.space },
      { key: 'searcher', title: 'searcher', get: (r) => r.searcher },
      { key: 'estimator', title: 'estimator', get: (r) => r.estimator },
      { key: 'evaluations', title: 'evaluations', get: (r) => r.evaluations },
      { key: 'best', title: 'best', get: (r) => (r.best ? r.best.value : r.multi ? '(front)' : '') },
      { key: 'createdAt', title: 'started', get: (r) => when(r.createdAt) },
    ];
    const value = (r, key) => (key === 'best' ? (r.best ? r.best.value : -Infinity) : key === 'id' ? r.id : r[key]);
    const render = () => {
      const f = $('#filter').value.trim().toLowerCase();
      const shown = runs
        .filter((r) => !f || [r.id, r.name, r.space, r.searcher, r.estimator, r.status].some((x) => (x || '').toLowerCase().includes(f)))
        .sort((a, b) => {
          const x = value(a, sort.key);
          const y = value(b, sort.key);
          const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''));
          return sort.desc ? -c : c;
        });
      sortableTable($('#runs'), columns, shown, (key) => {
        sort = { key, desc: sort.key === key ? !sort.desc : true };
        render();
      });
    };
    $('#filter').addEventListener('input', render);
    $('#compare').addEventListener('click', () => (location.href = `/compare?ids=${[...chosen].map(encodeURIComponent).join(',')}`));
    const load = async () => {
      runs = await json('/api/runs');
      render();
    };
    load();
    setInterval(load, 5000);
  }

  function runPage(id) {
    const base = `/api/runs/${encodeURIComponent(id)}`;
    let run;
    let view;
    let points = [];
    let sort = { key: 'trial', desc: false };
    const summary = () => {
      const rows = [
        ['status', run.status + (run.outcome ? ` (${run.outcome}${run.reason ? `: ${run.reason}` : ''})` : '')],
        ['space / searcher / estimator', `${run.space} / ${run.searcher} / ${run.estimator}`],
        ['objective', run.objective],
        [
          'evaluations',
          `${run.evaluations}${run.budget && run.budget.evaluations ? ` of ${run.budget.evaluations}` : ''} (${run.trials} trials, ${run.failures} failed)`,
        ],
        ['best', run.best ? `${fmt(run.best.value)} (trial ${run.best.trial}, ${run.best.arch.key})` : ''],
        ['seed, sessions, search time', `${run.seed}, ${run.sessions}, ${seconds(run.elapsedMs)}`],
      ];
      $('#summary').replaceChildren(el('dl', {}, ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v || '' })])));
      $('#summary').setAttribute('data-status', run.status);
    };
    const trialColumns = [
      { key: 'trial', title: 'trial', get: (t) => t.trial },
      { key: 'value', title: 'objective', get: (t) => (t.value !== undefined ? t.value : t.objective !== undefined ? JSON.stringify(t.objective) : '') },
      { key: 'status', title: 'status', get: (t) => t.status + (t.cached ? ' (cached)' : '') },
      { key: 'seconds', title: 'seconds', get: (t) => t.seconds },
      {
        key: 'metrics',
        title: 'metrics',
        get: (t) =>
          t.metrics
            ? Object.entries(t.metrics)
                .map(([k, v]) => `${k} ${fmt(v)}`)
                .join(', ')
            : t.error || '',
      },
      {
        key: 'arch',
        title: 'architecture',
        get: (t) => (t.arch ? el('a', { href: '#cell', text: t.arch.key, onclick: () => drawCell(t.trial) }) : ''),
      },
    ];
    const loadTrials = async () => {
      const q = new URLSearchParams({
        sort: sort.key === 'value' || sort.key === 'seconds' ? sort.key : 'trial',
        order: sort.desc ? 'desc' : 'asc',
        limit: '500',
      });
      if ($('#arch-filter').value) q.set('arch', $('#arch-filter').value);
      if ($('#status-filter').value) q.set('status', $('#status-filter').value);
      const trials = await json(`${base}/trials?${q}`);
      sortableTable($('#trials'), trialColumns, trials, (key) => {
        if (!['trial', 'value', 'seconds'].includes(key)) return;
        sort = { key, desc: sort.key === key ? !sort.desc : key !== 'trial' };
        loadTrials();
      });
      $('#trials').setAttribute('data-sort', `${sort.key} ${sort.desc ? 'desc' : 'asc'}`);
    };
    const drawCell = async (trial) => {
      const r = await fetch(`${base}/cell${trial !== undefined ? `?trial=${trial}` : ''}`);
      if (!r.ok) {
        $('#cell').textContent = (await r.json()).error;
        return;
      }
      const c = await r.json();
      $('#cell').setAttribute('data-arch', c.arch);
      await embed('#cell', c.spec);
    };
    const start = async () => {
      run = await json(base);
      summary();
      const t = await json(`${base}/trajectory`);
      points = t.points;
      const result = await embed('#trajectory', t.spec);
      view = result.view;
      view.insert('points', points).run();
      $('#trajectory').setAttribute('data-points', String(points.length));
      if (run.multi) {
        const f = await json(`${base}/front`);
        const r = await embed('#front', f.spec);
        r.view.insert('points', f.points).run();
        $('#front').setAttribute('data-front', String(f.points.filter((p) => p.front).length));
      }
      drawCell();
      await loadTrials();
      // Live: new points and trials while the run goes on.
      const live = new EventSource(`${base}/live?after=${run.lastSeq}`);
      live.onmessage = (m) => {
        const d = JSON.parse(m.data);
        const changed = !run.best || !d.run.best || d.run.best.trial !== run.best.trial;
        run = d.run;
        summary();
        if (d.points.length) {
          points = points.concat(d.points);
          view.insert('points', d.points).run();
          $('#trajectory').setAttribute('data-points', String(points.length));
        }
        if (d.trials.length) loadTrials();
        if (changed) drawCell();
      };
    };
    $('#arch-filter').addEventListener('input', loadTrials);
    $('#status-filter').addEventListener('change', loadTrials);
    start();
  }

  async function comparePage(ids) {
    const c = await json(`/api/compare?ids=${ids.map(encodeURIComponent).join(',')}`);
    const rows = [
      ['status', (r) => r.status],
      ['space', (r) => r.space],
      ['searcher', (r) => r.searcher],
      ['estimator', (r) => r.estimator],
      ['objective', (r) => r.objective],
      ['evaluations', (r) => r.evaluations],
      ['search time', (r) => seconds(r.elapsedMs)],
      ['best', (r) => (r.best ? fmt(r.best.value) : '')],
      ['best architecture', (r) => (r.best ? r.best.arch.key : '')],
      ...c.at.map((n, i) => [`best after ${n}`, (_r, k) => fmt(c.best[k][i])]),
    ];
    const table = $('#compare-table');
    table.append(
      el('thead', {}, el('tr', {}, el('th'), ...c.runs.map((r) => el('th', {}, el('a', { href: `/runs/${encodeURIComponent(r.id)}`, text: r.id }))))),
    );
    table.append(
      el('tbody', {}, ...rows.map(([label, f]) => el('tr', {}, el('th', { text: label }), ...c.runs.map((r, k) => el('td', { text: fmt(f(r, k)) }))))),
    );
    await embed('#compare-chart', c.spec);
  }

  window.nasx = { runsPage, runPage, comparePage };
})();
