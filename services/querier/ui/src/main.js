// The querier's UI: Prometheus' query experience (CodeMirror 6 with codemirror-promql, uPlot graphs, /graph?g0.expr=…
// links) plus Thanos' controls (deduplication, partial response, downsampling, replica labels) and pages for stores,
// rules, alerts and status. Plain modules, no framework: the DOM is built with el().
import 'uplot/dist/uPlot.min.css';
import './style.css';

// uPlot is fetched with the first graph (its own chunk): a table, the stores or the rules page never need it
let uPlotLoading = null;
function loadUPlot() {
  uPlotLoading ??= import('uplot').then((module) => module.default);
  return uPlotLoading;
}

// the editor (CodeMirror + codemirror-promql, most of the bundle) is its own chunk, fetched once the query page is
// drawn: until it arrives each panel's expression is a plain text area that already runs queries
let editorLoading = null;
function loadEditor() {
  editorLoading ??= import('./editor.js');
  return editorLoading;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const HISTORY_KEY = 'gauntlet.query.history';
const main = document.getElementById('main');
const localTime = document.getElementById('local-time');
localTime.checked = localStorage.getItem('gauntlet.localTime') === '1';

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
  return node;
}

function parseDuration(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)?$/.exec(String(text).trim());
  if (!m) return null;
  return parseFloat(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 }[m[2] || 's'];
}

/** An end or evaluation time typed by the user (RFC 3339, "2026-12-01 10:00", Unix seconds); empty means now. */
function parseTime(text) {
  const t = String(text || '').trim();
  if (!t) return Date.now() / 1000;
  if (/^\d+(\.\d+)?$/.test(t)) return parseFloat(t);
  const ms = Date.parse(localTime.checked ? t : (/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : t.replace(' ', 'T') + 'Z'));
  return isNaN(ms) ? Date.now() / 1000 : ms / 1000;
}

function formatTime(seconds) {
  if (seconds === undefined || seconds === null || !isFinite(seconds)) return '';
  const d = new Date(seconds * 1000);
  return localTime.checked ? d.toLocaleString() : d.toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
}

function seriesName(metric) {
  const labels = Object.keys(metric).filter((k) => k !== '__name__').sort().map((k) => `${k}="${metric[k]}"`);
  return (metric.__name__ || '') + '{' + labels.join(', ') + '}';
}

async function getJson(path, init) {
  const response = await fetch(path, init);
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch (e) {
    return { status: response.status, body: { status: 'error', errorType: 'http', error: `HTTP ${response.status}: ${text.slice(0, 200)}` } };
  }
}

// ------------------------------------------------------------------ URL state

/** Panels from Prometheus' /graph?g0.expr=… parameters, or from the old #expr=…&view=… links. */
function panelsFromUrl() {
  const params = new URLSearchParams(location.search);
  const panels = [];
  for (let i = 0; params.has(`g${i}.expr`) || params.has(`g${i}.tab`); i++) {
    const g = (name, fallback) => (params.has(`g${i}.${name}`) ? params.get(`g${i}.${name}`) : fallback);
    panels.push({
      expr: g('expr', ''), tab: g('tab', '0') === '1' ? 'table' : 'graph', range: g('range_input', '1h'), end: g('end_input', ''),
      moment: g('moment_input', ''), step: g('step_input', ''), stacked: g('stacked', '0') === '1', dedup: g('deduplicate', '1') !== '0',
      partial: g('partial_response', '1') !== '0', resolution: g('max_source_resolution', 'auto'), replicaLabels: g('replica_labels', ''),
      run: g('expr', '') !== '',
    });
  }
  const hash = new URLSearchParams(location.hash.slice(1));
  if (panels.length === 0 && hash.has('expr')) {
    const graph = hash.get('view') === 'graph';
    panels.push({ expr: hash.get('expr'), tab: graph ? 'graph' : 'table', range: hash.get('range') || '1h', end: graph ? hash.get('end') || '' : '',
      moment: graph ? '' : hash.get('end') || '', step: hash.get('step') || '', stacked: false, dedup: hash.get('dedup') !== 'false',
      partial: hash.get('partial_response') !== 'false', resolution: 'auto', replicaLabels: '', run: true });
  }
  if (panels.length === 0) panels.push(newPanelState());
  return panels;
}

function newPanelState() {
  return { expr: '', tab: 'table', range: '1h', end: '', moment: '', step: '', stacked: false, dedup: true, partial: true, resolution: 'auto',
    replicaLabels: '', run: false };
}

function writeUrl(panels) {
  const params = new URLSearchParams();
  panels.forEach((p, i) => {
    params.set(`g${i}.expr`, p.expr);
    params.set(`g${i}.tab`, p.tab === 'table' ? '1' : '0');
    params.set(`g${i}.range_input`, p.range);
    if (p.end) params.set(`g${i}.end_input`, p.end);
    if (p.moment) params.set(`g${i}.moment_input`, p.moment);
    if (p.step) params.set(`g${i}.step_input`, p.step);
    params.set(`g${i}.stacked`, p.stacked ? '1' : '0');
    params.set(`g${i}.deduplicate`, p.dedup ? '1' : '0');
    params.set(`g${i}.partial_response`, p.partial ? '1' : '0');
    params.set(`g${i}.max_source_resolution`, p.resolution);
    if (p.replicaLabels) params.set(`g${i}.replica_labels`, p.replicaLabels);
  });
  history.replaceState(null, '', '/graph?' + params.toString());
}

// ------------------------------------------------------------------ query panels

function remember(expr) {
  const list = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]').filter((e) => e !== expr);
  list.unshift(expr);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(list.slice(0, 50)));
}

function recalled() {
  return JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
}

/**
 * A panel's expression until the editor chunk arrives: a text area where Enter runs the query (Shift+Enter: newline),
 * which records its edits so that the editor replacing it can replay them into its undo history.
 */
class PlainExpression {
  constructor(text, parent, { onEnter, onChange }) {
    this.initialText = text;
    this.edits = [];
    this.onChange = onChange;
    this.value = text;
    this.area = el('textarea', { class: 'plain-expression', rows: Math.max(1, text.split('\n').length), spellcheck: 'false',
      placeholder: 'Expression (press Shift+Enter for newlines)', 'aria-label': 'Expression',
      onkeydown: (e) => {
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
          e.preventDefault();
          onEnter();
        }
      },
      oninput: () => this.changed() });
    this.area.value = text;
    parent.append(this.area);
  }

  /** Records the edit that made the area's text what it is now: the span between the unchanged start and end. */
  changed() {
    const before = this.value;
    const after = this.area.value;
    let start = 0;
    while (start < before.length && start < after.length && before[start] === after[start]) start++;
    let end = 0;
    while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
    this.edits.push({ change: { from: start, to: before.length - end, insert: after.slice(start, after.length - end) }, at: performance.now() });
    this.value = after;
    this.area.rows = Math.max(1, after.split('\n').length);
    this.onChange(after);
  }

  setText(text) {
    this.area.value = text;
    this.changed();
  }

  focus() {
    this.area.focus();
  }

  /** Until the editor can mark the error's range, the area is outlined and shows the message as its tooltip. */
  mark(error) {
    this.area.title = error ? error.message : '';
    this.area.classList.toggle('invalid', !!error);
  }
}

class Panel {
  constructor(state, panels) {
    this.state = state;
    this.panels = panels;
    this.chart = null;
    this.node = el('div', { class: 'panel' });
    this.build();
  }

  build() {
    const s = this.state;
    const editorHost = el('div', { class: 'editor' });
    this.expression = new PlainExpression(s.expr, editorHost, { onEnter: () => this.execute(), onChange: (text) => { this.state.expr = text; } });
    this.errorMark = null;
    this.upgrading = false;
    const historySelect = el('select', { title: 'Expression history', onchange: (e) => {
      if (e.target.value) this.expression.setText(e.target.value);
      e.target.value = '';
    } }, el('option', { value: '' }, 'History'), recalled().map((q) => el('option', { value: q }, q.length > 80 ? q.slice(0, 77) + '…' : q)));
    const input = (key, attrs = {}) => el('input', { type: 'text', value: s[key], ...attrs, onchange: (e) => { s[key] = e.target.value; this.execute(); } });
    const check = (key, label) => el('label', {}, el('input', { type: 'checkbox', checked: s[key], onchange: (e) => { s[key] = e.target.checked; this.execute(); } }), ' ', label);
    this.tabs = el('span', { class: 'tabs' },
      el('button', { 'data-tab': 'table', onclick: () => this.setTab('table') }, 'Table'),
      el('button', { 'data-tab': 'graph', onclick: () => this.setTab('graph') }, 'Graph'));
    this.graphControls = el('span', { class: 'controls' },
      el('label', {}, 'Range ', input('range')), el('label', {}, 'End ', input('end', { class: 'wide', placeholder: 'now' })),
      el('label', {}, 'Resolution ', input('step', { placeholder: 'auto' })), check('stacked', 'Stacked'));
    this.tableControls = el('span', { class: 'controls' }, el('label', {}, 'Evaluation time ', input('moment', { class: 'wide', placeholder: 'now' })));
    const resolution = el('select', { onchange: (e) => { s.resolution = e.target.value; this.execute(); } },
      ['auto', '0s', '5m', '1h'].map((r) => el('option', { value: r, selected: s.resolution === r }, r === '0s' ? 'raw' : r)));
    this.error = el('div', { class: 'error' });
    this.warnings = el('div', { class: 'warnings hidden' });
    this.stats = el('div', { class: 'stats' });
    this.output = el('div');
    this.node.append(
      el('div', { class: 'editor-row' }, editorHost, el('button', { class: 'primary', onclick: () => this.execute() }, 'Execute'), historySelect,
        el('button', { title: 'Remove this panel', onclick: () => this.remove() }, '✕')),
      el('div', { class: 'controls' }, this.tabs, this.graphControls, this.tableControls),
      el('div', { class: 'controls' }, check('dedup', 'Deduplication'), check('partial', 'Partial response'),
        el('label', {}, 'Max source resolution ', resolution),
        el('label', {}, 'Replica labels ', input('replicaLabels', { class: 'wide', placeholder: 'querier default' }))),
      this.error, this.warnings, this.stats, this.output);
    this.setTab(s.tab, false);
    if (editorLoading) this.upgradeEditor(); // a panel added once the editor is there gets it at once
  }

  /** Replaces the plain text area by the editor (fetched on first use). */
  upgradeEditor() {
    if (this.upgrading) return;
    this.upgrading = true;
    loadEditor().then((editor) => {
      this.expression = editor.replaceExpressionArea(this.expression, { onEnter: () => this.execute(),
        onChange: (text) => { this.state.expr = text; }, completionFetch, completionLookback });
      if (this.errorMark) this.expression.mark(this.errorMark);
      if (!performance.getEntriesByName('gauntlet:editor').length) performance.mark('gauntlet:editor'); // for the load figures
    }).catch((e) => { this.error.textContent = 'the expression editor failed to load (the plain text area stays): ' + e; });
  }

  setTab(tab, run = true) {
    this.state.tab = tab;
    for (const b of this.tabs.children) b.classList.toggle('active', b.dataset.tab === tab);
    this.graphControls.classList.toggle('hidden', tab !== 'graph');
    this.tableControls.classList.toggle('hidden', tab !== 'table');
    if (run) this.execute();
  }

  remove() {
    const i = this.panels.indexOf(this);
    if (i >= 0 && this.panels.length > 1) {
      this.panels.splice(i, 1);
      this.node.remove();
      writeUrl(this.panels.map((p) => p.state));
    }
  }

  async execute() {
    const s = this.state;
    writeUrl(this.panels.map((p) => p.state));
    this.error.textContent = '';
    this.warnings.classList.add('hidden');
    this.stats.textContent = '';
    this.markError(null);
    if (!s.expr.trim()) return;
    remember(s.expr);
    const params = new URLSearchParams({ query: s.expr, dedup: s.dedup, partial_response: s.partial, stats: 'all' });
    params.set('max_source_resolution', s.resolution);
    for (const label of s.replicaLabels.split(',').map((x) => x.trim()).filter(Boolean)) params.append('replicaLabels[]', label);
    let path;
    if (s.tab === 'graph') {
      loadUPlot(); // fetched while the query runs
      const range = parseDuration(s.range) || 3600;
      const end = parseTime(s.end);
      const step = parseDuration(s.step) || Math.max(1, Math.round(range / 250));
      params.set('start', end - range);
      params.set('end', end);
      params.set('step', step);
      path = '/api/v1/query_range';
    } else {
      params.set('time', parseTime(s.moment));
      path = '/api/v1/query';
    }
    const started = performance.now();
    let result;
    try {
      result = await getJson(path, { method: 'POST', body: params });
    } catch (e) {
      this.error.textContent = 'request failed: ' + e;
      return;
    }
    const body = result.body;
    if (body.warnings && body.warnings.length) {
      this.warnings.textContent = 'Warnings:\n' + body.warnings.join('\n');
      this.warnings.classList.remove('hidden');
    }
    if (body.status !== 'success') {
      this.error.textContent = `${body.errorType}: ${body.error}`;
      this.markParseError(body.error || '');
      this.output.replaceChildren();
      return;
    }
    const data = body.data;
    const count = data.resultType === 'scalar' || data.resultType === 'string' ? 1 : data.result.length;
    let stats = `Load time: ${Math.round(performance.now() - started)}ms, result type: ${data.resultType}, series: ${count}`;
    if (data.stats && data.stats.samples) stats += `, samples: ${data.stats.samples.totalQueryableSamples}`;
    if (path.endsWith('query_range')) stats += `, resolution: ${params.get('step')}s`;
    this.stats.textContent = stats;
    if (s.tab === 'graph') await this.renderGraph(data).catch((e) => { this.error.textContent = 'graph failed: ' + e; });
    else this.renderTable(data);
  }

  /** Puts the querier's own parse error ('invalid parameter "query": 1:5: parse error: …') on the expression at its position. */
  markParseError(message) {
    const m = /(\d+):(\d+): parse error: (.*)$/s.exec(message);
    if (!m) return;
    const text = this.state.expr;
    const lines = text.split('\n');
    const lineIndex = Math.min(Math.max(1, parseInt(m[1], 10)), lines.length) - 1;
    const lineFrom = lines.slice(0, lineIndex).reduce((sum, l) => sum + l.length + 1, 0);
    const lineTo = lineFrom + lines[lineIndex].length;
    // at least one character is marked: an error at the end of the input marks the last one
    const from = Math.max(0, Math.min(lineFrom + Math.max(0, parseInt(m[2], 10) - 1), lineTo, text.length - 1));
    this.markError({ from, to: Math.min(from + 1, text.length), message: m[3] });
  }

  markError(error) {
    this.errorMark = error;
    this.expression.mark(error);
  }

  renderTable(data) {
    const rows = [];
    if (data.resultType === 'scalar' || data.resultType === 'string') {
      rows.push([data.resultType, data.result[1]]);
    } else if (data.resultType === 'vector') {
      for (const s of data.result) rows.push([seriesName(s.metric), s.value ? s.value[1] : JSON.stringify(s.histogram)]);
    } else {
      for (const s of data.result) rows.push([seriesName(s.metric), (s.values || []).map((v) => `${v[1]} @${v[0]}`).join('\n')]);
    }
    this.output.replaceChildren(rows.length === 0 ? el('div', { class: 'empty' }, 'Empty query result')
      : el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Series'), el('th', {}, 'Value'))),
        el('tbody', {}, rows.map(([a, b]) => el('tr', {}, el('td', {}, a), el('td', { class: 'value' }, b))))));
  }

  async renderGraph(data) {
    const render = (this.renders = (this.renders || 0) + 1);
    const uPlot = await loadUPlot();
    if (render !== this.renders) return; // a newer answer is being drawn
    if (this.chart) {
      this.chart.destroy();
      this.chart = null;
    }
    if (data.resultType !== 'matrix') {
      this.output.replaceChildren(el('div', { class: 'empty' }, `A graph needs a range query result; this expression gives a ${data.resultType}.`));
      return;
    }
    if (data.result.length === 0) {
      this.output.replaceChildren(el('div', { class: 'empty' }, 'Empty query result'));
      return;
    }
    const times = [...new Set(data.result.flatMap((s) => (s.values || []).map((v) => v[0])))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const columns = data.result.map((s) => {
      const column = new Array(times.length).fill(null);
      for (const [t, v] of s.values || []) column[index.get(t)] = parseFloat(v);
      return column;
    });
    if (this.state.stacked) {
      for (let c = 1; c < columns.length; c++) {
        for (let i = 0; i < times.length; i++) {
          if (columns[c][i] !== null) columns[c][i] += columns[c - 1][i] ?? 0;
        }
      }
    }
    const host = el('div');
    this.output.replaceChildren(host);
    const width = Math.max(400, this.node.clientWidth - 24);
    this.chart = new uPlot({
      width, height: 360,
      tzDate: localTime.checked ? undefined : (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      series: [{}, ...data.result.map((s, i) => ({ label: seriesName(s.metric), stroke: COLORS[i % COLORS.length], width: 1.5,
        fill: this.state.stacked ? COLORS[i % COLORS.length] + '33' : undefined, spanGaps: false, points: { show: times.length < 60 } }))],
      axes: [{}, { size: 70 }],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    }, [times, ...columns], host);
  }
}

/**
 * How far back completion asks for metric names and labels: the whole time range the stores hold (long-term storage
 * is why one uses a querier), Prometheus' 12 hours when the stores cannot be read.
 */
let completionLookback = 12 * 3600 * 1000;

/** Completion's requests, their start moved back to the lookback known now (learnt after the page was drawn). */
function completionFetch(input, init) {
  const url = new URL(input, location.origin);
  if (url.searchParams.has('start')) url.searchParams.set('start', new Date(Date.now() - completionLookback).toISOString());
  return fetch(url, init);
}

async function learnLookback() {
  try {
    const { body } = await getJson('/api/v1/stores');
    const minTimes = Object.values(body.data || {}).flat().filter((s) => s.healthy && s.minTime > -9e15).map((s) => s.minTime);
    if (minTimes.length) completionLookback = Math.max(completionLookback, Date.now() - Math.min(...minTimes));
  } catch (e) {
    // keep Prometheus' default
  }
}

async function queryPage() {
  learnLookback(); // not awaited: nothing waits for a request before the panels are drawn
  const panels = [];
  const list = el('div');
  const add = (state) => {
    const panel = new Panel(state, panels);
    panels.push(panel);
    list.append(panel.node);
    return panel;
  };
  for (const state of panelsFromUrl()) add(state);
  main.replaceChildren(list, el('button', { onclick: () => add(newPanelState()).expression.focus() }, 'Add panel'));
  if (!performance.getEntriesByName('gauntlet:query-page').length) performance.mark('gauntlet:query-page'); // first render, for the load figures
  const firstAnswers = panels.filter((panel) => panel.state.run).map((panel) => panel.execute());
  // running the editor's chunk keeps the main thread busy for a while: it comes once the first answers are drawn (or
  // a second has passed), so that it does not hold them up; until then the plain text areas take the expressions
  Promise.race([Promise.allSettled(firstAnswers), new Promise((resolve) => setTimeout(resolve, 1000))])
    .then(() => { for (const panel of panels) panel.upgradeEditor(); });
}

// ------------------------------------------------------------------ stores, rules, alerts, status

function sortableTable(columns, rows) {
  let sortBy = -1;
  let ascending = true;
  const body = el('tbody');
  const draw = () => {
    const sorted = [...rows];
    if (sortBy >= 0) sorted.sort((a, b) => (ascending ? 1 : -1) * String(a.sort[sortBy]).localeCompare(String(b.sort[sortBy]), undefined, { numeric: true }));
    body.replaceChildren(...sorted.map((r) => r.node));
  };
  const head = el('tr', {}, columns.map((c, i) => el('th', { class: 'sortable', title: 'sort', onclick: () => {
    ascending = sortBy === i ? !ascending : true;
    sortBy = i;
    draw();
  } }, c)));
  draw();
  return el('table', {}, el('thead', {}, head), body);
}

async function storesPage() {
  const { body } = await getJson('/api/v1/stores');
  const filter = el('input', { type: 'search', placeholder: 'Filter by endpoint, type or label' });
  const groups = el('div');
  const draw = () => {
    const needle = filter.value.toLowerCase();
    groups.replaceChildren();
    for (const [type, stores] of Object.entries(body.data || {})) {
      const rows = stores.filter((s) => !needle || JSON.stringify(s).toLowerCase().includes(needle) || type.includes(needle)).map((s) => {
        const labels = (s.labelSets || []).map(seriesName);
        const damaged = s.corruptedBlocks || [];
        const health = s.healthy ? 'UP' : 'DOWN';
        return {
          sort: [s.name, health, labels.join(' '), (s.apis || []).join(' '), s.minTime, s.maxTime, s.lastCheck || '', s.lastError || '', damaged.length],
          node: el('tr', {}, el('td', {}, s.name), el('td', { class: s.healthy ? 'healthy' : 'unhealthy' }, health),
            el('td', { class: 'labels' }, labels.map((l) => el('code', {}, l))),
            // the APIs its last Info advertised: store, rules, metric_metadata, targets, exemplars, query
            el('td', { class: 'apis' }, (s.apis || []).join(', ')), el('td', {}, formatStoreTime(s.minTime)),
            el('td', {}, formatStoreTime(s.maxTime)), el('td', {}, s.lastCheck || ''), el('td', {}, s.lastError || ''),
            // blocks a store gateway found damaged and leaves out of its answers (from its last Info)
            el('td', { class: damaged.length ? 'unhealthy' : '' }, damaged.map((b) => el('div', { title: b.message || '' },
              `${b.ulid}: ${b.cause}${b.file ? ` (${b.file}${b.offset !== undefined ? ` at ${b.offset}` : ''})` : ''}`)))),
        };
      });
      if (rows.length) {
        groups.append(el('h2', {}, `${type || 'unknown'} (${rows.length})`),
          sortableTable(['Endpoint', 'Health', 'Label sets', 'APIs', 'Min time', 'Max time', 'Last check', 'Last error', 'Damaged blocks'], rows));
      }
    }
    if (!groups.children.length) groups.append(el('div', { class: 'empty' }, body.status === 'success' ? 'No store endpoints.' : `Stores unavailable: ${body.error}`));
  };
  filter.addEventListener('input', draw);
  draw();
  main.replaceChildren(el('div', { class: 'filter' }, filter), groups);
}

function formatStoreTime(ms) {
  if (ms === undefined || ms === null) return '';
  if (ms <= -9e15) return '-∞';
  if (ms >= 9e15) return '+∞';
  return formatTime(ms / 1000);
}

async function rulesPage() {
  const { body } = await getJson('/api/v1/rules');
  const groups = (body.data && body.data.groups) || [];
  if (body.status !== 'success' || groups.length === 0) {
    main.replaceChildren(el('div', { class: 'empty' }, body.status === 'success' ? 'No rule groups: no ruler is among the stores, or it has no rules.'
      : `Rules unavailable: ${body.error}`));
    return;
  }
  main.replaceChildren(...groups.map((g) => el('div', { class: 'panel' },
    el('h2', {}, `${g.name}`, el('span', { class: 'stats' }, ` ${g.file || ''} · every ${g.interval}s · last evaluation ${g.lastEvaluation || ''}`)),
    el('table', {}, el('thead', {}, el('tr', {}, ['Rule', 'State', 'Health', 'Last evaluation', 'Evaluation time', 'Error'].map((h) => el('th', {}, h)))),
      el('tbody', {}, (g.rules || []).map((r) => el('tr', {},
        el('td', { class: 'value' }, `${r.type === 'alerting' ? 'alert' : 'record'}: ${r.name}\nexpr: ${r.query}`),
        el('td', { class: r.state || '' }, r.state || ''), el('td', { class: r.health === 'ok' ? 'healthy' : 'unhealthy' }, r.health || ''),
        el('td', {}, r.lastEvaluation || ''), el('td', {}, r.evaluationTime !== undefined ? `${r.evaluationTime}s` : ''), el('td', {}, r.lastError || ''))))))));
}

async function alertsPage() {
  const { body } = await getJson('/api/v1/alerts');
  const alerts = (body.data && body.data.alerts) || [];
  if (body.status !== 'success' || alerts.length === 0) {
    main.replaceChildren(el('div', { class: 'empty' }, body.status === 'success' ? 'No active alerts.' : `Alerts unavailable: ${body.error}`));
    return;
  }
  const rows = alerts.map((a) => ({
    sort: [a.labels.alertname || '', a.state, seriesName(a.labels), a.activeAt || '', a.value],
    node: el('tr', {}, el('td', {}, a.labels.alertname || ''), el('td', { class: a.state }, a.state), el('td', { class: 'labels' }, el('code', {}, seriesName(a.labels))),
      el('td', {}, a.activeAt || ''), el('td', {}, a.value), el('td', { class: 'value' }, Object.entries(a.annotations || {}).map(([k, v]) => `${k}: ${v}`).join('\n'))),
  }));
  main.replaceChildren(sortableTable(['Alert', 'State', 'Labels', 'Active since', 'Value', 'Annotations'], rows));
}

async function statusPage() {
  const sections = [['Build information', '/api/v1/status/buildinfo'], ['Runtime information', '/api/v1/status/runtimeinfo'],
    ['Command-line flags', '/api/v1/status/flags'], ['Configuration', '/api/v1/status/config']];
  const nodes = [];
  for (const [title, path] of sections) {
    const { body } = await getJson(path);
    let content;
    if (body.status !== 'success') content = el('div', { class: 'empty' }, `Not offered by this querier (${body.error || 'no answer'}).`);
    else if (typeof body.data === 'object' && body.data !== null && typeof body.data.yaml === 'string') content = el('pre', {}, body.data.yaml);
    else content = el('table', {}, el('tbody', {}, Object.entries(body.data || {}).map(([k, v]) => el('tr', {}, el('th', {}, k),
      el('td', { class: 'value' }, typeof v === 'object' ? JSON.stringify(v) : String(v))))));
    nodes.push(el('h2', {}, title), content);
  }
  main.replaceChildren(...nodes);
}

// ------------------------------------------------------------------ routing

const PAGES = { graph: queryPage, stores: storesPage, rules: rulesPage, alerts: alertsPage, status: statusPage };

function currentPage() {
  const hashPage = new URLSearchParams(location.hash.slice(1)).get('page');
  if (hashPage && PAGES[hashPage]) return hashPage;
  const path = location.pathname.replace(/\/+$/, '').split('/').pop();
  if (path === 'flags' || path === 'config') return 'status';
  return PAGES[path] ? path : 'graph';
}

function show(page) {
  for (const a of document.querySelectorAll('header nav a')) a.classList.toggle('active', a.dataset.page === page);
  PAGES[page]().catch((e) => main.replaceChildren(el('div', { class: 'error' }, String(e))));
}

for (const a of document.querySelectorAll('header nav a')) {
  a.addEventListener('click', (e) => {
    e.preventDefault();
    history.pushState(null, '', a.getAttribute('href'));
    show(a.dataset.page);
  });
}
window.addEventListener('popstate', () => show(currentPage()));
localTime.addEventListener('change', () => {
  localStorage.setItem('gauntlet.localTime', localTime.checked ? '1' : '0');
  show(currentPage());
});
show(currentPage());
