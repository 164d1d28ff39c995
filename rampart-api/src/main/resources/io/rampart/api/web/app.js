// The page of `rampart serve`: plain DOM and SVG, no framework and nothing loaded from elsewhere.
'use strict';

const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
const TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'];
const SVG = 'http://www.w3.org/2000/svg';
const BOX = { w: 150, h: 52, gapX: 24, gapY: 14, bus: 40, left: 90, top: 34 };
const USER_COLUMNS = 3;
const NAT_TARGETS = /-j (DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP)\b/;

const state = { info: null, ruleset: null, chains: new Map(), selected: null, trace: null };

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

async function call(method, path, body, token) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers['Authorization'] = 'Bearer ' + token;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || response.statusText);
  return json;
}

function family() { return $('family').value; }

function shorten(text, length) {
  return text.length > length ? text.slice(0, length - 1) + '…' : text;
}

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

async function loadRuleset() {
  try {
    state.ruleset = await call('GET', '/api/ruleset?family=' + family());
    showError(null);
  } catch (e) {
    showError(e.message);
    return;
  }
  state.chains = new Map();
  let rules = 0;
  for (const table of state.ruleset.tables) {
    for (const chain of table.chains) {
      state.chains.set(table.table + '/' + chain.name, { table: table.table, ...chain });
      rules += chain.rules.length;
    }
  }
  $('ruleset-summary').textContent = state.ruleset.tables.length + ' tables, ' + state.chains.size + ' chains, '
    + rules + ' rules';
  drawGraph();
  if (state.selected && state.chains.has(state.selected)) showChain(state.selected);
  if (state.trace) markTrace(state.trace);
}

async function loadStatus() {
  const badge = $('status');
  if (!state.info.file) { badge.textContent = ''; return; }
  try {
    const status = await call('GET', '/api/status');
    badge.textContent = status.inSync ? 'in sync with ' + status.file : 'drift from ' + status.file;
    badge.className = 'badge ' + (status.inSync ? 'in-sync' : 'drift');
  } catch (e) {
    badge.textContent = e.message;
    badge.className = 'badge drift';
  }
}

/**
 * Lays the tables out as lanes: built-in chains under their hook, user chains to the right. A jump
 * leaves its chain at the bottom and runs along the gap under the row to the chain it enters.
 */
function drawGraph() {
  const graph = $('graph');
  graph.replaceChildren();
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8c959f' }));
  defs.append(marker);
  graph.append(defs);
  const position = new Map();
  const colX = (i) => BOX.left + i * (BOX.w + BOX.gapX);
  const rowHeight = BOX.h + BOX.bus;
  HOOKS.forEach((hook, i) => graph.append(svg('text', { x: colX(i) + BOX.w / 2, y: 20, 'text-anchor': 'middle',
    class: 'hook-label' }, hook)));
  const tables = TABLES.map((name) => state.ruleset.tables.find((t) => t.table === name)).filter(Boolean);
  const userColumns = Math.max(1, Math.min(USER_COLUMNS, ...tables.map((t) => t.chains.filter((c) => !c.hook).length)));
  const width = colX(HOOKS.length + userColumns);
  let y = BOX.top;
  const lanes = [];
  for (const table of tables) {
    const users = table.chains.filter((c) => !c.hook);
    const rows = Math.max(1, Math.ceil(users.length / userColumns));
    const height = rows * rowHeight + BOX.gapY;
    lanes.push({ table, y, height });
    graph.append(svg('rect', { x: 0, y, width, height, class: 'lane' }));
    graph.append(svg('text', { x: 10, y: y + 20, class: 'lane-label' }, table.table));
    const top = y + BOX.gapY;
    for (const chain of table.chains) {
      if (chain.hook) position.set(table.table + '/' + chain.name, { x: colX(HOOKS.indexOf(chain.hook)), y: top });
    }
    users.forEach((chain, i) => position.set(table.table + '/' + chain.name, {
      x: colX(HOOKS.length + (i % userColumns)), y: top + Math.floor(i / userColumns) * rowHeight }));
    y += height + 4;
  }
  graph.setAttribute('width', width);
  graph.setAttribute('height', y + 10);
  // The way a packet goes down through the tables at each hook.
  const flows = svg('g', { id: 'flows' });
  HOOKS.forEach((hook) => {
    const at = lanes.map((l) => l.table.table + '/' + hook).filter((key) => position.has(key))
      .map((key) => ({ key, ...position.get(key) }));
    for (let i = 1; i < at.length; i++) {
      flows.append(svg('line', { x1: at[i - 1].x + BOX.w / 2, y1: at[i - 1].y + BOX.h, x2: at[i].x + BOX.w / 2,
        y2: at[i].y, class: 'flow', 'data-from': at[i - 1].key, 'data-to': at[i].key }));
    }
  });
  graph.append(flows);
  const edges = svg('g', { id: 'edges' });
  for (const lane of lanes) {
    let lanesEdges = 0;
    const entering = new Map();
    for (const chain of lane.table.chains) {
      let chainEdges = 0;
      const counts = new Map();
      for (const rule of chain.rules) {
        if (!rule.jump) continue;
        const key = rule.target + '|' + rule.jump;
        counts.set(key, (counts.get(key) || 0) + 1);
      }
      for (const [key, n] of counts) {
        const [target, kind] = key.split('|');
        const from = position.get(lane.table.table + '/' + chain.name);
        const to = position.get(lane.table.table + '/' + target);
        if (!from || !to) continue;
        const x1 = from.x + BOX.w / 2 + (lanesEdges % 3) * 12 - 12;
        const bus = from.y + BOX.h + 8 + (lanesEdges % 4) * 5;
        const arriving = entering.get(target) || 0;
        entering.set(target, arriving + 1);
        const x2 = to.x, y2 = to.y + BOX.h / 2 - 8 + (arriving % 3) * 8;
        lanesEdges++;
        edges.append(svg('path', { d: `M${x1},${from.y + BOX.h} V${bus} H${x2 - 14 - arriving * 4} V${y2} H${x2}`,
          class: 'edge ' + kind, 'data-edge': lane.table.table + '/' + chain.name + '->' + target }));
        // Labelled where the edge leaves its chain: one label per chain and target, none on top of another.
        edges.append(svg('text', { x: from.x + BOX.w + 4, y: from.y + BOX.h + 14 + (chainEdges++) * 12,
          class: 'edge-label' }, (kind === 'goto' ? '-g ' : '-j ') + target + (n > 1 ? ' ×' + n : '')));
      }
    }
  }
  graph.append(edges);
  for (const [key, at] of position) {
    const chain = state.chains.get(key);
    const g = svg('g', { class: 'chain ' + (chain.hook ? 'builtin policy-' + chain.policy : 'user'),
      'data-chain': key, id: 'chain-' + key.replace('/', '-'), transform: `translate(${at.x},${at.y})` });
    g.append(svg('rect', { width: BOX.w, height: BOX.h, rx: 6 }));
    g.append(svg('text', { x: 8, y: 17, class: 'name' }, shorten(chain.name, 20)));
    const packets = chain.hook ? chain.packets : chain.rules.reduce((sum, r) => sum + r.packets, 0);
    const rules = chain.rules.length + ' rule' + (chain.rules.length === 1 ? '' : 's');
    g.append(svg('text', { x: 8, y: 33, class: 'counts' }, rules));
    if (chain.policy) {
      g.append(svg('text', { x: BOX.w - 8, y: 33, 'text-anchor': 'end', class: 'policy' }, chain.policy));
    }
    g.append(svg('text', { x: 8, y: 46, class: 'counts' }, packets + ' pkts' + (chain.hook ? '' : ' matched')));
    g.addEventListener('click', () => showChain(key));
    graph.append(g);
  }
}

/** The rules of one chain, with counters and the file line each came from. */
function showChain(key) {
  state.selected = key;
  const chain = state.chains.get(key);
  document.querySelectorAll('#graph .chain.selected').forEach((n) => n.classList.remove('selected'));
  document.querySelector(`#graph .chain[data-chain="${key}"]`)?.classList.add('selected');
  $('chain-title').textContent = chain.table + ' ' + chain.name;
  const list = $('rules');
  list.replaceChildren();
  for (const rule of chain.rules) {
    const item = el('li', { 'data-rule': key + '/' + rule.number, value: rule.number });
    item.append(document.createTextNode(rule.text));
    const where = rule.source ? '  ' + rule.source.split('/').pop() : '';
    item.append(el('span', { class: 'meta' }, `[${rule.packets} pkts, ${rule.bytes} bytes]${where}`));
    list.append(item);
  }
  if (chain.policy) {
    list.append(el('li', { class: 'policy', 'data-rule': key + '/policy' },
      `policy ${chain.policy} [${chain.packets} pkts, ${chain.bytes} bytes]`));
  }
  if (state.trace) markRules(state.trace);
}

function packetRequest() {
  const packet = {};
  for (const input of document.querySelectorAll('#trace-form input[name]')) {
    if (input.type === 'checkbox') {
      if (input.checked) packet[input.name] = 'true';
    } else if (input.value.trim()) {
      packet[input.name] = input.value.trim();
    }
  }
  return { packet, explain: $('pkt-explain').checked, family: family() };
}

/**
 * The step that gave the verdict. A dropped packet stops at it; an accepted one passes every table's
 * accepting policies too, and the filter table's ACCEPT is the one that decided.
 */
function decidingStep(trace) {
  const steps = trace.steps;
  const last = (match) => {
    for (let i = steps.length - 1; i >= 0; i--) if (match(steps[i])) return steps[i];
    return null;
  };
  if (trace.verdict === 'ACCEPT') {
    return last((s) => s.table === 'filter' && s.verdict === 'ACCEPT') || last((s) => s.verdict === 'ACCEPT')
      || steps[steps.length - 1];
  }
  return steps[steps.length - 1];
}

function stepKey(step) {
  return step.table + '/' + step.chain + '/' + (step.rule === null || step.rule === undefined ? 'policy' : step.rule);
}

async function runTrace(event) {
  event.preventDefault();
  const out = $('trace-result');
  out.replaceChildren(el('p', {}, 'tracing…'));
  try {
    state.trace = await call('POST', '/api/trace', packetRequest());
  } catch (e) {
    state.trace = null;
    out.replaceChildren(el('p', { class: 'error' }, e.message));
    clearTrace();
    return;
  }
  renderTrace(state.trace);
  markTrace(state.trace);
}

function renderTrace(trace) {
  const out = $('trace-result');
  const p = trace.packet;
  const ports = (port) => (port === undefined ? '' : ':' + port);
  out.replaceChildren(el('p', { class: 'verdict ' + trace.verdict, id: 'trace-verdict' }, trace.verdict),
    el('p', {}, `leaves as ${p.src}${ports(p.sport)} → ${p.dst}${ports(p.dport)}${p.out ? ' out ' + p.out : ''}`));
  const decided = decidingStep(trace);
  const list = el('ol', { id: 'trace-steps' });
  for (const step of trace.steps) {
    const nat = step.text && NAT_TARGETS.test(step.text);
    const classes = (step === decided ? 'decided-step ' : '') + (nat ? 'nat' : '');
    const item = el('li', { 'data-step': stepKey(step), class: classes },
      `${step.table} ${step.chain} ${step.rule ? '#' + step.rule + ' ' : 'policy '}${step.verdict}`
      + (step.text ? '  ' + step.text : '') + (nat ? '  (NAT rewrite here)' : ''));
    list.append(item);
    for (const miss of step.passed || []) {
      list.append(el('li', { class: 'miss' }, `  ${miss.table} ${miss.chain} #${miss.rule} no match: ${miss.failed}`));
    }
  }
  out.append(list);
  for (const note of trace.notes) out.append(el('p', { class: 'hint' }, 'note: ' + note));
}

function clearTrace() {
  document.querySelectorAll('#graph .on-path, #graph .decided-chain')
    .forEach((n) => n.classList.remove('on-path', 'decided-chain'));
  document.querySelectorAll('#graph .nat-note').forEach((n) => n.remove());
  document.querySelectorAll('#rules .on-path, #rules .decided')
    .forEach((n) => n.classList.remove('on-path', 'decided'));
}

/** Draws the path on the graph: chains passed, jumps taken, NAT rewrites, and the deciding chain open. */
function markTrace(trace) {
  clearTrace();
  const visited = [];
  for (const step of trace.steps) {
    const key = step.table + '/' + step.chain;
    if (visited[visited.length - 1] !== key) visited.push(key);
    const node = document.querySelector(`#graph .chain[data-chain="${key}"]`);
    if (!node) continue;
    node.classList.add('on-path');
    if (step.verdict.startsWith('JUMP:') || step.verdict.startsWith('GOTO:')) {
      const edge = `#graph .edge[data-edge="${key}->${step.verdict.substring(5)}"]`;
      document.querySelector(edge)?.classList.add('on-path');
    }
    if (step.text && NAT_TARGETS.test(step.text)) {
      const rewrite = step.text.replace(/^.*-j /, '');
      node.append(svg('text', { x: 0, y: -3, class: 'nat-note' }, shorten(rewrite, 30)));
    }
  }
  // A hook's tables are drawn top to bottom: light the lines between the chains the packet passed.
  const passed = new Set(visited);
  document.querySelectorAll('#graph .flow').forEach((line) => {
    if (passed.has(line.dataset.from) && passed.has(line.dataset.to)) line.classList.add('on-path');
  });
  const decided = decidingStep(trace);
  if (decided) {
    const key = decided.table + '/' + decided.chain;
    document.querySelector(`#graph .chain[data-chain="${key}"]`)?.classList.add('decided-chain');
    showChain(key);
  }
}

/** Marks the rules of the open chain that the packet matched, and the one that decided. */
function markRules(trace) {
  const decided = decidingStep(trace);
  for (const step of trace.steps) {
    const item = document.querySelector(`#rules [data-rule="${stepKey(step)}"]`);
    if (!item) continue;
    item.classList.add('on-path');
    if (step === decided) item.classList.add('decided');
  }
}

function rulesetRequest() {
  return { text: $('plan-text').value, family: family() };
}

/** The apply request: the ruleset and, when given, the time within which it must be confirmed. */
function applyRequest() {
  const within = $('confirm-within').value.trim();
  return within ? { ...rulesetRequest(), confirm: within } : rulesetRequest();
}

/** A plan as a coloured diff: per chain, + added, - removed, ~ replaced. */
function renderPlan(plan, out, heading) {
  out.replaceChildren();
  if (heading) out.append(el('span', { class: 'head' }, heading + '\n'));
  if (!plan.changes.length) {
    out.append(el('span', {}, 'nothing to change\n'));
    return;
  }
  for (const change of plan.changes) {
    const policy = change.policyAfter && change.policyAfter !== change.policyBefore
      ? ` (policy ${change.policyBefore || '-'} -> ${change.policyAfter})` : '';
    const chain = `${change.table.toLowerCase()} ${change.chain}`;
    out.append(el('span', { class: 'head' }, `${chain}: ${change.action.toLowerCase()}${policy}\n`));
    for (const rule of change.rules) {
      const where = rule.source ? `   [${rule.source}]` : '';
      if (rule.kind === 'ADDED') {
        out.append(el('span', { class: 'add' }, `  + ${rule.position}: ${rule.rule}${where}\n`));
      }
      if (rule.kind === 'REMOVED') out.append(el('span', { class: 'del' }, `  - ${rule.position}: ${rule.rule}\n`));
      if (rule.kind === 'REPLACED') {
        out.append(el('span', { class: 'del' }, `  ~ ${rule.position}: was ${rule.replaced}\n`));
        out.append(el('span', { class: 'add' }, `  ~ ${rule.position}: ${rule.rule}${where}\n`));
      }
    }
  }
}

async function planAction(kind) {
  const out = $('plan-out');
  out.replaceChildren(el('span', {}, '…'));
  try {
    if (kind === 'check') {
      const result = await call('POST', '/api/check', rulesetRequest());
      out.replaceChildren(el('span', { class: result.ok ? 'add' : 'del' },
        result.ok ? 'no errors\n' : result.diagnostics.map((d) => d.located).join('\n') + '\n'));
    } else if (kind === 'plan') {
      renderPlan(await call('POST', '/api/plan', rulesetRequest()), out);
    } else if (kind === 'confirm' || kind === 'rollback') {
      const result = await call('POST', `/api/${kind}?family=${family()}`, undefined, $('token').value.trim());
      out.replaceChildren(el('span', { class: 'head' }, result.outcome === 'confirmed'
        ? `confirmed: keeping ${result.source}\n` : `rolled back ${result.source}: the rules are as before\n`));
      loadRuleset();
      loadStatus();
    } else {
      const result = await call('POST', '/api/apply', applyRequest(), $('token').value.trim());
      const heading = result.changed ? `applied in ${result.milliseconds} ms (${result.backend})` : 'nothing to change';
      const pending = result.confirmation
        ? `; rolls back at ${new Date(result.confirmation.rollsBackAt).toLocaleTimeString()} unless confirmed` : '';
      renderPlan(result.plan, out, heading + pending);
      loadRuleset();
      loadStatus();
    }
  } catch (e) {
    out.replaceChildren(el('span', { class: 'del' }, e.message + '\n'));
  }
}

function listenForEvents() {
  const source = new EventSource('/api/events');
  const list = $('events');
  source.onopen = () => { $('events-state').textContent = 'live'; };
  source.onerror = () => { $('events-state').textContent = 'reconnecting…'; };
  for (const kind of ['applied', 'changed', 'drift', 'repaired', 'confirmed', 'rolled-back', 'error']) {
    source.addEventListener(kind, (message) => {
      const event = JSON.parse(message.data);
      const item = el('li', { class: kind, 'data-event': kind });
      item.append(el('strong', {}, kind), document.createTextNode(' ' + new Date(event.time).toLocaleTimeString()
        + (event.message ? ' ' + event.message : '')));
      if (event.plan && event.plan.changes.length) {
        const pre = el('pre');
        renderPlan(event.plan, pre);
        item.append(pre);
      }
      list.prepend(item);
      if (kind !== 'error') {
        loadRuleset();
        loadStatus();
      }
    });
  }
}

async function start() {
  state.info = await call('GET', '/api/info');
  $('family').value = state.info.family;
  $('where').textContent = (state.info.netns ? 'netns ' + state.info.netns : 'host')
    + (state.info.file ? ' · ' + state.info.file : '');
  $('family').addEventListener('change', loadRuleset);
  $('refresh').addEventListener('click', () => { loadRuleset(); loadStatus(); });
  $('trace-form').addEventListener('submit', runTrace);
  $('check-run').addEventListener('click', () => planAction('check'));
  $('plan-run').addEventListener('click', () => planAction('plan'));
  $('apply-run').addEventListener('click', () => planAction('apply'));
  $('confirm-run').addEventListener('click', () => planAction('confirm'));
  $('rollback-run').addEventListener('click', () => planAction('rollback'));
  await loadRuleset();
  await loadStatus();
  listenForEvents();
  document.body.dataset.ready = 'true';
}

start().catch((e) => showError(e.message));
