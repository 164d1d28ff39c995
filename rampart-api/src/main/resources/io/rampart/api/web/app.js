// The page of `rampart serve`: plain DOM and SVG, no framework and nothing loaded from elsewhere.
'use strict';

const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'];
const TABLES = ['raw', 'mangle', 'nat', 'filter', 'security'];
const SVG = 'http://www.w3.org/2000/svg';
const BOX = { w: 150, h: 52, gapX: 24, rowGap: 46, left: 90, top: 34, laneGap: 14 };
const NAT_TARGETS = /-j (DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP)\b/;
/** A group this small is drawn open; a larger one is one box with counts until opened. */
const SMALL_GROUP = 8;
/** An opened group shows this many of its chains at a time. */
const GROUP_PAGE = 24;
/** More edges than this from one chain into one group are drawn as one, with the count. */
const EDGES_PER_GROUP = 6;
/** How often the counters of what is shown are read again. */
const REFRESH_MILLIS = 5000;
/** How often the fleet view, while shown, reads the fleet again. */
const FLEET_REFRESH_MILLIS = 5000;
/** Events wait this long for the rest of their burst, and the list keeps this many. */
const EVENT_BATCH_MILLIS = 250;
const MAX_EVENTS = 50;

const state = {
  info: null, outline: null, chains: new Map(), groups: new Map(), selected: null, selectedRule: null,
  trace: null, focus: null, opened: new Map(), showOwn: false, chainView: null,
};

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

const number = (n) => n.toLocaleString('en');
const plural = (n, word) => number(n) + ' ' + word + (n === 1 ? '' : 's');

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

function announce(text) { $('live').textContent = text; }

/** The chains and jumps, without rules: small whatever the size of the ruleset. */
async function loadOutline() {
  try {
    state.outline = await call('GET', '/api/chains?family=' + family());
    showError(null);
  } catch (e) {
    showError(e.message);
    return;
  }
  indexOutline();
  const { user, own } = state.outline;
  $('ruleset-summary').textContent = plural(state.outline.tables.length, 'table') + ', ' + plural(user.chains, 'chain')
    + ', ' + plural(user.rules, 'rule') + (own.chains ? ` · Rampart's own: ${plural(own.chains, 'chain')}, `
    + `${plural(own.rules, 'rule')}${state.showOwn ? '' : ' (hidden)'}` : '');
  drawGraph();
  if (state.selected && state.chains.has(state.selected)) await showChain(state.selected, state.selectedRule);
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
 * Indexes the outline: each chain with its callers, and each user chain in the group of the first
 * built-in chain (in hook order) that reaches it; chains no built-in chain reaches, and Rampart's
 * own chains, form groups of their own.
 */
function indexOutline() {
  state.chains = new Map();
  state.groups = new Map();
  for (const table of state.outline.tables) {
    for (const chain of table.chains) {
      state.chains.set(table.table + '/' + chain.name, { table: table.table, key: table.table + '/' + chain.name,
        callers: [], ...chain });
    }
  }
  for (const chain of state.chains.values()) {
    for (const jump of chain.jumps) state.chains.get(chain.table + '/' + jump.target)?.callers.push({ from: chain, ...jump });
  }
  for (const table of state.outline.tables) {
    const group = (id, label, own, from) => {
      const key = table.table + '/' + id;
      if (!state.groups.has(key)) state.groups.set(key, { key, table: table.table, label, own, from, members: [] });
      return state.groups.get(key);
    };
    const builtins = table.chains.filter((c) => c.hook);
    const placed = new Set();
    for (const builtin of builtins) {
      const queue = [table.table + '/' + builtin.name];
      while (queue.length) {
        const from = state.chains.get(queue.shift());
        for (const jump of from.jumps) {
          const key = table.table + '/' + jump.target;
          const target = state.chains.get(key);
          if (!target || target.hook || target.own || placed.has(key)) continue;
          placed.add(key);
          target.group = group('from-' + builtin.name, 'from ' + builtin.name, false, builtin.hook);
          queue.push(key);
        }
      }
    }
    for (const chain of table.chains) {
      const key = table.table + '/' + chain.name;
      const indexed = state.chains.get(key);
      if (chain.hook) continue;
      if (chain.own) indexed.group = group('own', "Rampart's own", true);
      else if (!placed.has(key)) indexed.group = group('unreached', 'not reached from a hook', false);
    }
  }
  // Members in the outline's order, which is natural order.
  for (const chain of state.chains.values()) chain.group?.members.push(chain);
}

/** The chains drawn one by one, beyond the built-in ones: the focus with its callers and callees, the trace's path. */
function pinned() {
  const pins = [];
  const add = (key) => { if (state.chains.has(key) && !pins.includes(key)) pins.push(key); };
  if (state.trace) pathOf(state.trace).forEach(add);
  if (state.focus) {
    const focus = state.chains.get(state.focus);
    if (focus) {
      focus.callers.forEach((c) => add(c.from.key));
      add(focus.key);
      focus.jumps.forEach((j) => add(focus.table + '/' + j.target));
    }
  }
  return pins.filter((key) => !state.chains.get(key).hook);
}

/** The chains a trace passed, in order, each once. */
function pathOf(trace) {
  const keys = [];
  for (const step of trace.steps) {
    const key = step.table + '/' + step.chain;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

function isOpen(group) {
  return state.opened.has(group.key) ? state.opened.get(group.key) > 0 : group.members.length <= SMALL_GROUP;
}

/**
 * Lays each table out as a lane: the built-in chains in a row under their hooks, then the pinned
 * chains (a trace's path, a search's focus), then the groups of user chains, wrapped to the width
 * of the page. A jump runs from the bottom of its chain along the gap above the row it enters.
 */
function drawGraph() {
  const graph = $('graph');
  const active = document.activeElement?.dataset?.chain || document.activeElement?.dataset?.group;
  graph.replaceChildren();
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8,
    markerUnits: 'userSpaceOnUse',
    orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#8c959f' }));
  defs.append(marker);
  graph.append(defs);
  const colX = (i) => BOX.left + i * (BOX.w + BOX.gapX);
  const width = Math.max(colX(HOOKS.length), $('graph-box').clientWidth - 2);
  const perRow = Math.max(1, Math.floor((width - BOX.left + BOX.gapX) / (BOX.w + BOX.gapX)));
  const position = new Map();
  const rowTops = [];
  const items = [];
  HOOKS.forEach((hook, i) => graph.append(svg('text', { x: colX(i) + BOX.w / 2, y: 20, 'text-anchor': 'middle',
    class: 'hook-label' }, hook)));
  const pins = pinned();
  const shownPins = new Set(pins);
  const tables = TABLES.map((name) => state.outline.tables.find((t) => t.table === name)).filter(Boolean);
  let y = BOX.top;
  const lanes = [];
  for (const table of tables) {
    const laneTop = y;
    const top = y + BOX.laneGap;
    rowTops.push(top);
    for (const chain of table.chains) {
      if (chain.hook) position.set(table.table + '/' + chain.name, { x: colX(HOOKS.indexOf(chain.hook)), y: top });
    }
    // The rest flows in rows below the built-in chains.
    let column = perRow;
    let rowY = top;
    // A new row starts under the hook its chains come from, when there is room for them there.
    const place = (item, newRow, under) => {
      if (column >= perRow || (newRow && column > 0)) {
        const hook = HOOKS.indexOf(under);
        column = hook > 0 && hook + (item.fill || 1) <= perRow ? hook : 0;
        rowY += BOX.h + BOX.rowGap;
        rowTops.push(rowY);
      }
      const at = { x: colX(column++), y: rowY };
      if (item.chain) position.set(item.chain, at);
      items.push({ ...item, ...at });
    };
    const tablePins = pins.filter((key) => key.startsWith(table.table + '/'));
    tablePins.forEach((key, i) => place({ chain: key, pin: i === 0 ? (state.trace ? 'path' : 'found') : null,
      fill: tablePins.length }, i === 0));
    const groups = [...state.groups.values()].filter((g) => g.table === table.table && (state.showOwn || !g.own));
    for (const group of groups) {
      const visible = group.members.filter((c) => !shownPins.has(c.key));
      if (!visible.length) continue;
      const small = group.members.length <= SMALL_GROUP;
      const count = !isOpen(group) ? 0
        : small ? visible.length : Math.min(visible.length, state.opened.get(group.key) || 0);
      const boxed = !small || group.own;
      if (boxed) place({ group, fill: 1 + count }, true, group.from);
      visible.slice(0, count).forEach((chain, i) => place({ chain: chain.key, fill: count }, !boxed && i === 0,
        group.from));
      if (count && count < visible.length) place({ more: group, left: visible.length - count });
    }
    y = rowY + BOX.h + BOX.laneGap;
    lanes.push({ table, y: laneTop, height: y - laneTop });
    y += 4;
  }
  graph.setAttribute('width', width);
  graph.setAttribute('height', y + 10);
  for (const lane of lanes) {
    graph.append(svg('rect', { x: 0, y: lane.y, width, height: lane.height, class: 'lane' }));
    graph.append(svg('text', { x: 10, y: lane.y + 20, class: 'lane-label' }, lane.table.table));
  }
  drawFlows(graph, lanes, position);
  drawEdges(graph, position, items, rowTops);
  for (const [key, at] of position) graph.append(chainBox(state.chains.get(key), at));
  for (const item of items) {
    if (item.group) graph.append(groupBox(item.group, item));
    if (item.more) graph.append(moreBox(item.more, item.left, item));
    if (item.pin) {
      graph.append(svg('text', { x: 10, y: item.y + BOX.h / 2 + 4, class: 'pin-label' }, item.pin));
    }
  }
  if (state.trace) markTrace(state.trace);
  if (state.focus) document.querySelector(chainSelector(state.focus))?.classList.add('focused');
  if (state.selected) document.querySelector(chainSelector(state.selected))?.classList.add('selected');
  $('clear-focus').hidden = !state.focus && !state.trace;
  if (active) document.querySelector(`#graph [data-chain="${active}"], #graph [data-group="${active}"]`)?.focus();
}

function chainSelector(key) {
  return `#graph .chain[data-chain="${CSS.escape(key)}"]`;
}

/** The way a packet goes down through the tables at each hook. */
function drawFlows(graph, lanes, position) {
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
}

/**
 * The jumps between what is drawn: to a chain drawn on its own, one arrow per chain and target;
 * to a closed group, or to more chains of a group than are worth an arrow each, one arrow with the
 * count, so labels never pile up into a column.
 */
function drawEdges(graph, position, items, rowTops) {
  const edges = svg('g', { id: 'edges' });
  const groupAt = new Map(items.filter((i) => i.group).map((i) => [i.group.key, i]));
  const entering = new Map();
  let drawn = 0;
  for (const [key, from] of position) {
    const chain = state.chains.get(key);
    const byGroup = new Map();
    const direct = [];
    for (const jump of chain.jumps) {
      const targetKey = chain.table + '/' + jump.target;
      const target = state.chains.get(targetKey);
      if (!target) continue;
      if (position.has(targetKey)) direct.push({ jump, to: position.get(targetKey), target: targetKey });
      else if (target.group && groupAt.has(target.group.key)) {
        if (!byGroup.has(target.group.key)) byGroup.set(target.group.key, []);
        byGroup.get(target.group.key).push(jump);
      }
    }
    // Many arrows from one chain into the same group become one.
    const perGroup = new Map();
    for (const d of direct) {
      const group = state.chains.get(d.target).group;
      if (group && groupAt.has(group.key)) perGroup.set(group.key, (perGroup.get(group.key) || 0) + 1);
    }
    const arrows = [];
    for (const d of direct) {
      const group = state.chains.get(d.target).group;
      if (group && groupAt.has(group.key) && perGroup.get(group.key) > EDGES_PER_GROUP) {
        if (!byGroup.has(group.key)) byGroup.set(group.key, []);
        byGroup.get(group.key).push(d.jump);
      } else {
        arrows.push({ to: d.to, kind: d.jump.kind, label: (d.jump.kind === 'goto' ? '-g' : '-j')
          + (d.jump.rules > 1 ? ' ×' + d.jump.rules : ''), edge: key + '->' + d.jump.target, target: d.target });
      }
    }
    for (const [groupKey, jumps] of byGroup) {
      const rules = jumps.reduce((n, j) => n + j.rules, 0);
      arrows.push({ to: groupAt.get(groupKey), kind: jumps.every((j) => j.kind === 'goto') ? 'goto' : 'jump',
        label: `-j ${plural(jumps.length, 'chain')}` + (rules > jumps.length ? `, ${number(rules)} rules` : ''),
        edge: key + '->' + groupKey, target: groupKey });
    }
    arrows.forEach((arrow, i) => {
      const arriving = entering.get(arrow.target) || 0;
      entering.set(arrow.target, arriving + 1);
      const x1 = from.x + BOX.w / 2 + ((i % 5) - 2) * 8;
      const x2 = arrow.to.x + BOX.w / 2 + ((arriving % 5) - 2) * 8;
      const lane = drawn++ % 4;
      let d;
      if (arrow.to.y > from.y) {
        const bus = arrow.to.y - 10 - lane * 5;
        d = `M${x1},${from.y + BOX.h} V${bus} H${x2} V${arrow.to.y}`;
      } else {
        const bus = from.y + BOX.h + 10 + lane * 5;
        d = `M${x1},${from.y + BOX.h} V${bus} H${x2} V${arrow.to.y + BOX.h}`;
      }
      edges.append(svg('path', { d, class: 'edge ' + arrow.kind, 'data-edge': arrow.edge }));
      const labelY = arrow.to.y > from.y ? arrow.to.y - 14 - lane * 5 : from.y + BOX.h + 8 + lane * 5;
      edges.append(svg('text', { x: x2 + 4, y: labelY, class: 'edge-label', 'data-edge': arrow.edge }, arrow.label));
    });
  }
  graph.append(edges);
}

/** One chain: name, rule count, policy, packets; focusable, Enter or a click opens its rules. */
function chainBox(chain, at) {
  const g = svg('g', { class: 'chain ' + (chain.hook ? 'builtin policy-' + chain.policy : 'user')
    + (chain.own ? ' own' : ''), 'data-chain': chain.key, id: 'chain-' + chain.key.replace('/', '-'),
    transform: `translate(${at.x},${at.y})`, tabindex: 0, role: 'button',
    'aria-label': `${chain.table} ${chain.name}: ${plural(chain.rules, 'rule')}` });
  g.append(svg('title', {}, chain.table + ' ' + chain.name));
  g.append(svg('rect', { width: BOX.w, height: BOX.h, rx: 6 }));
  g.append(svg('text', { x: 8, y: 17, class: 'name' }, shorten(chain.name, 20)));
  g.append(svg('text', { x: 8, y: 33, class: 'counts' }, plural(chain.rules, 'rule')));
  if (chain.policy) g.append(svg('text', { x: BOX.w - 8, y: 33, 'text-anchor': 'end', class: 'policy' }, chain.policy));
  g.append(svg('text', { x: 8, y: 46, class: 'counts packets' }, packetsText(chain)));
  activate(g, () => showChain(chain.key));
  return g;
}

function packetsText(chain) {
  return chain.hook ? number(chain.packets) + ' pkts' : number(chain.matched) + ' pkts matched';
}

/** A group of user chains: how many, with how many rules; opening it shows them a page at a time. */
function groupBox(group, at) {
  const open = isOpen(group);
  const rules = group.members.reduce((n, c) => n + c.rules, 0);
  const g = svg('g', { class: 'group' + (group.own ? ' own' : '') + (open ? ' open' : ''), 'data-group': group.key,
    transform: `translate(${at.x},${at.y})`, tabindex: 0, role: 'button', 'aria-expanded': String(open),
    'aria-label': `${group.label}: ${plural(group.members.length, 'chain')}, ${plural(rules, 'rule')}` });
  g.append(svg('rect', { width: BOX.w, height: BOX.h, rx: 6 }));
  g.append(svg('text', { x: 8, y: 17, class: 'name' }, (open ? '▾ ' : '▸ ') + shorten(group.label, 19)));
  g.append(svg('text', { x: 8, y: 33, class: 'counts' }, plural(group.members.length, 'chain')));
  g.append(svg('text', { x: 8, y: 46, class: 'counts' }, plural(rules, 'rule')));
  activate(g, () => {
    state.opened.set(group.key, open ? 0 : GROUP_PAGE);
    drawGraph();
  });
  return g;
}

function moreBox(group, left, at) {
  const g = svg('g', { class: 'more', 'data-group': group.key + '/more', transform: `translate(${at.x},${at.y})`,
    tabindex: 0, role: 'button', 'aria-label': `${plural(left, 'more chain')} of ${group.label}` });
  g.append(svg('rect', { width: BOX.w, height: BOX.h, rx: 6 }));
  g.append(svg('text', { x: 8, y: 22, class: 'name' }, '+ ' + number(left) + ' more'));
  g.append(svg('text', { x: 8, y: 40, class: 'counts' }, 'show ' + Math.min(left, GROUP_PAGE) + ' more'));
  activate(g, () => {
    state.opened.set(group.key, (state.opened.get(group.key) || GROUP_PAGE) + GROUP_PAGE);
    drawGraph();
  });
  return g;
}

/** A click, Enter or Space runs it. */
function activate(node, action) {
  node.addEventListener('click', action);
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      action();
    }
  });
}

/** The arrow keys move between the boxes of the graph, to the nearest one that way. */
function moveFocus(event) {
  const ways = { ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1] };
  const way = ways[event.key];
  const from = event.target.closest('#graph [tabindex]');
  if (!way || !from) return;
  event.preventDefault();
  const centre = (n) => { const r = n.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; };
  const [fx, fy] = centre(from);
  let best = null;
  let bestScore = Infinity;
  for (const node of document.querySelectorAll('#graph [tabindex]')) {
    if (node === from) continue;
    const [x, y] = centre(node);
    const along = (x - fx) * way[0] + (y - fy) * way[1];
    if (along <= 0) continue;
    const across = Math.abs((x - fx) * way[1]) + Math.abs((y - fy) * way[0]);
    const score = along + 3 * across;
    if (score < bestScore) { best = node; bestScore = score; }
  }
  best?.focus();
}

/** The rules of one chain, loaded when it is opened, with counters and the file line each came from. */
async function showChain(key, ruleNumber) {
  const chain = state.chains.get(key);
  if (!chain) return;
  state.selected = key;
  state.selectedRule = ruleNumber ?? null;
  document.querySelectorAll('#graph .chain.selected').forEach((n) => n.classList.remove('selected'));
  document.querySelector(chainSelector(key))?.classList.add('selected');
  $('chain-title').textContent = chain.table + ' ' + chain.name;
  let view;
  try {
    view = await call('GET', `/api/chain?family=${family()}&table=${encodeURIComponent(chain.table)}`
      + `&chain=${encodeURIComponent(chain.name)}`);
  } catch (e) {
    $('rules').replaceChildren(el('li', { class: 'error' }, e.message));
    return;
  }
  if (state.selected !== key) return; // another chain was opened meanwhile
  state.chainView = view;
  renderRules(key, view.chain);
  if (state.trace) markRules(state.trace);
  const found = ruleNumber ? document.querySelector(`#rules [data-rule="${CSS.escape(key + '/' + ruleNumber)}"]`) : null;
  if (found) {
    found.classList.add('found');
    found.scrollIntoView({ block: 'nearest' });
  }
}

function renderRules(key, chain) {
  const list = $('rules');
  const items = [];
  for (const rule of chain.rules) {
    const item = el('li', { 'data-rule': key + '/' + rule.number, value: rule.number });
    item.append(document.createTextNode(rule.text));
    const where = rule.source ? '  ' + rule.source.split('/').pop() : '';
    item.append(el('span', { class: 'meta' }, `[${number(rule.packets)} pkts, ${number(rule.bytes)} bytes]${where}`));
    if (rule.jump) {
      const target = chain.name === rule.target ? null : key.split('/')[0] + '/' + rule.target;
      const go = el('button', { type: 'button', class: 'link', 'aria-label': 'go to ' + rule.target }, '→');
      go.addEventListener('click', () => focusChain(target));
      item.append(go);
    }
    items.push(item);
  }
  if (chain.policy) {
    items.push(el('li', { class: 'policy', 'data-rule': key + '/policy' },
      `policy ${chain.policy} [${number(chain.packets)} pkts, ${number(chain.bytes)} bytes]`));
  }
  list.replaceChildren(...items);
}

/** Shows the chain with its callers and callees, marked and in view, and opens its rules. */
async function focusChain(key, ruleNumber) {
  if (!state.chains.has(key)) return;
  state.focus = key;
  drawGraph();
  const node = document.querySelector(chainSelector(key));
  node?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  node?.focus({ preventScroll: true });
  const chain = state.chains.get(key);
  announce(`${chain.table} ${chain.name}: ${plural(chain.callers.length, 'caller')}, ${plural(chain.jumps.length, 'callee')}`);
  await showChain(key, ruleNumber);
}

function clearFocus() {
  state.focus = null;
  state.trace = null;
  clearTrace();
  $('trace-result').replaceChildren();
  drawGraph();
}

/** Asks the server, which holds the ruleset; the page holds only what it shows. */
async function runSearch(event) {
  event?.preventDefault();
  const started = performance.now();
  const query = $('search').value.trim();
  const list = $('search-results');
  if (!query) { list.hidden = true; return; }
  let result;
  try {
    result = await call('GET', `/api/search?family=${family()}&limit=50&q=${encodeURIComponent(query)}`);
  } catch (e) {
    list.replaceChildren(el('li', { class: 'error' }, e.message));
    list.hidden = false;
    return;
  }
  if (query !== $('search').value.trim()) return; // typed on since
  const items = result.hits.map((hit, i) => {
    const item = el('li', { role: 'option', tabindex: -1, id: 'hit-' + i, 'data-hit': hit.table + '/' + hit.chain
      + (hit.rule ? '/' + hit.rule : '') });
    item.append(el('strong', {}, `${hit.table} ${hit.chain}`));
    if (hit.rule) item.append(document.createTextNode(` #${hit.rule}  ${hit.text}`));
    if (hit.source) item.append(el('span', { class: 'meta' }, '  ' + hit.source.split('/').pop()));
    activate(item, () => chooseHit(hit));
    item.addEventListener('keydown', (e) => stepHits(e, i));
    return item;
  });
  const what = { text: 'name or text', address: 'address', port: 'port', source: 'file line' }[result.as];
  const head = el('li', { class: 'hint' }, result.total === 0 ? `nothing found by ${what}`
    : `${plural(result.total, 'hit')} by ${what}` + (result.total > result.hits.length ? `, the first ${result.hits.length}` : ''));
  list.replaceChildren(head, ...items);
  list.hidden = false;
  if (result.hits.length) await chooseHit(result.hits[0]);
  // How long finding and focusing took, for the browser's performance tools (and the page's test).
  performance.measure('rampart-search', { start: started });
}

async function chooseHit(hit) {
  document.querySelectorAll('#search-results li.chosen').forEach((n) => n.classList.remove('chosen'));
  document.querySelector(`#search-results [data-hit="${CSS.escape(hit.table + '/' + hit.chain
    + (hit.rule ? '/' + hit.rule : ''))}"]`)?.classList.add('chosen');
  await focusChain(hit.table + '/' + hit.chain, hit.rule);
}

function stepHits(event, index) {
  const next = event.key === 'ArrowDown' ? index + 1 : event.key === 'ArrowUp' ? index - 1 : null;
  if (next === null) return;
  event.preventDefault();
  if (next < 0) { $('search').focus(); return; }
  $('hit-' + next)?.focus();
}

/** Counters change all the time: what is shown is read again, in place, while the page is visible. */
async function refreshCounters() {
  if (document.hidden || !state.outline) return;
  let outline;
  try {
    outline = await call('GET', '/api/chains?family=' + family());
  } catch (e) {
    return; // the next refresh, or a reload, reports what is wrong
  }
  for (const table of outline.tables) {
    for (const chain of table.chains) {
      const known = state.chains.get(table.table + '/' + chain.name);
      if (!known) continue;
      Object.assign(known, { packets: chain.packets, bytes: chain.bytes, matched: chain.matched });
      const text = document.querySelector(chainSelector(known.key) + ' .packets');
      if (text) text.textContent = packetsText(known);
    }
  }
  if (state.selected && state.chainView) {
    const chain = state.chains.get(state.selected);
    try {
      const view = await call('GET', `/api/chain?family=${family()}&table=${encodeURIComponent(chain.table)}`
        + `&chain=${encodeURIComponent(chain.name)}`);
      if (state.selected !== chain.key) return;
      const box = $('rules-box');
      const scrolled = box.scrollTop;
      renderRules(chain.key, view.chain);
      if (state.trace) markRules(state.trace);
      if (state.selectedRule) {
        document.querySelector(`#rules [data-rule="${CSS.escape(chain.key + '/' + state.selectedRule)}"]`)
          ?.classList.add('found');
      }
      box.scrollTop = scrolled;
    } catch (e) {
      // the chain is gone: the next change event reloads the outline
    }
  }
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
  const started = performance.now();
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
  drawGraph(); // the path's chains are drawn one by one, in order; markTrace marks them
  const decided = decidingStep(state.trace);
  if (decided) {
    const key = decided.table + '/' + decided.chain;
    document.querySelector(chainSelector(key))?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    await showChain(key);
  }
  performance.measure('rampart-trace', { start: started });
}

function renderTrace(trace) {
  const out = $('trace-result');
  const p = trace.packet;
  const ports = (port) => (port === undefined ? '' : ':' + port);
  const path = pathOf(trace).map((key) => key.replace('/', ' ')).join(' → ');
  out.replaceChildren(el('p', { class: 'verdict ' + trace.verdict, id: 'trace-verdict' }, trace.verdict),
    el('p', {}, `leaves as ${p.src}${ports(p.sport)} → ${p.dst}${ports(p.dport)}${p.out ? ' out ' + p.out : ''}`),
    el('p', { class: 'hint', id: 'trace-path' }, 'path: ' + path));
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
  clearPath();
  document.querySelectorAll('#rules .on-path, #rules .decided')
    .forEach((n) => n.classList.remove('on-path', 'decided'));
}

function clearPath() {
  document.querySelectorAll('#graph .on-path, #graph .decided-chain, #graph .dimmed')
    .forEach((n) => n.classList.remove('on-path', 'decided-chain', 'dimmed'));
  document.querySelectorAll('#graph .nat-note, #graph .step-number').forEach((n) => n.remove());
}

/**
 * Draws the path on the graph: the chains passed, numbered in the order the packet entered them,
 * the jumps taken and NAT rewrites; everything else dimmed.
 */
function markTrace(trace) {
  clearPath();
  const path = pathOf(trace);
  path.forEach((key, i) => {
    const node = document.querySelector(chainSelector(key));
    if (!node) return;
    node.classList.add('on-path');
    node.append(svg('circle', { cx: BOX.w, cy: 0, r: 9, class: 'step-number' }),
      svg('text', { x: BOX.w, y: 4, 'text-anchor': 'middle', class: 'step-number' }, String(i + 1)));
  });
  for (const step of trace.steps) {
    const key = step.table + '/' + step.chain;
    if (step.verdict.startsWith('JUMP:') || step.verdict.startsWith('GOTO:')) {
      const edge = `${key}->${step.verdict.substring(5)}`;
      document.querySelectorAll(`#graph [data-edge="${CSS.escape(edge)}"]`).forEach((n) => n.classList.add('on-path'));
    }
    if (step.text && NAT_TARGETS.test(step.text)) {
      const rewrite = step.text.replace(/^.*-j /, '');
      document.querySelector(chainSelector(key))?.append(svg('text', { x: 0, y: -3, class: 'nat-note' },
        shorten(rewrite, 30)));
    }
  }
  // A hook's tables are drawn top to bottom: light the lines between the chains the packet passed.
  const passed = new Set(path);
  document.querySelectorAll('#graph .flow').forEach((line) => {
    if (passed.has(line.dataset.from) && passed.has(line.dataset.to)) line.classList.add('on-path');
  });
  document.querySelectorAll('#graph .chain, #graph .group, #graph .more, #graph .edge, #graph .edge-label, #graph .flow')
    .forEach((n) => { if (!n.classList.contains('on-path')) n.classList.add('dimmed'); });
  const decided = decidingStep(trace);
  if (decided) document.querySelector(chainSelector(decided.table + '/' + decided.chain))?.classList.add('decided-chain');
}

/** Marks the rules of the open chain that the packet matched, and the one that decided, scrolled into view. */
function markRules(trace) {
  const decided = decidingStep(trace);
  for (const step of trace.steps) {
    const item = document.querySelector(`#rules [data-rule="${CSS.escape(stepKey(step))}"]`);
    if (!item) continue;
    item.classList.add('on-path');
    if (step === decided) {
      item.classList.add('decided');
      item.scrollIntoView({ block: 'nearest' });
    }
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
      loadOutline();
      loadStatus();
    } else {
      const result = await call('POST', '/api/apply', applyRequest(), $('token').value.trim());
      const heading = result.changed ? `applied in ${result.milliseconds} ms (${result.backend})` : 'nothing to change';
      const pending = result.confirmation
        ? `; rolls back at ${new Date(result.confirmation.rollsBackAt).toLocaleTimeString()} unless confirmed` : '';
      renderPlan(result.plan, out, heading + pending);
      loadOutline();
      loadStatus();
    }
  } catch (e) {
    out.replaceChildren(el('span', { class: 'del' }, e.message + '\n'));
  }
}

/**
 * The event stream: events wait a moment for the rest of their burst, then go into the list in one
 * change of the page; a run of the same kind without a plan is one line with a count, the list
 * keeps the newest few, and a burst reloads the ruleset once.
 */
function listenForEvents() {
  const source = new EventSource('/api/events');
  const pending = [];
  let timer = null;
  source.onopen = () => { $('events-state').textContent = 'live'; };
  source.onerror = () => { $('events-state').textContent = 'reconnecting…'; };
  for (const kind of ['applied', 'changed', 'drift', 'repaired', 'confirmed', 'rolled-back', 'error']) {
    source.addEventListener(kind, (message) => {
      pending.push({ kind, ...JSON.parse(message.data) });
      timer ??= setTimeout(() => { timer = null; showEvents(pending.splice(0)); }, EVENT_BATCH_MILLIS);
    });
  }
}

function showEvents(events) {
  const list = $('events');
  const fragment = document.createDocumentFragment();
  let reload = false;
  const newest = list.firstElementChild;
  for (const event of events) {
    reload ||= event.kind !== 'error';
    const time = new Date(event.time).toLocaleTimeString();
    const plain = !(event.plan && event.plan.changes.length);
    const top = fragment.firstChild || newest;
    if (plain && top && top.dataset.event === event.kind && top.dataset.plain === 'true'
        && (top.dataset.message || '') === (event.message || '')) {
      const count = Number(top.dataset.count) + 1;
      top.dataset.count = count;
      top.querySelector('.when').textContent = ` ${time}${event.message ? ' ' + event.message : ''} ×${count}`;
      continue;
    }
    const item = el('li', { class: event.kind, 'data-event': event.kind, 'data-plain': String(plain), 'data-count': 1,
      'data-message': event.message || '' });
    item.append(el('strong', {}, event.kind), el('span', { class: 'when' },
      ' ' + time + (event.message ? ' ' + event.message : '')));
    if (!plain) {
      const pre = el('pre');
      renderPlan(event.plan, pre);
      item.append(pre);
    }
    fragment.prepend(item);
  }
  list.prepend(fragment);
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  if (reload) {
    loadOutline();
    loadStatus();
  }
}

/** The page's views; each is a main element with its data-view, and a tab in the header. */
function showView(name) {
  document.querySelectorAll('main[data-view]').forEach((view) => { view.hidden = view.dataset.view !== name; });
  document.querySelectorAll('.view-tab').forEach((tab) => tab.setAttribute('aria-pressed',
    String(tab.dataset.view === name)));
  if (name === 'fleet') loadFleet();
}

/** The current (or last) rollout: its result, and each wave with its hosts and how each did. */
function drawRollout(rollout, controller) {
  $('fleet-rollout').hidden = !rollout;
  if (!rollout) return;
  $('fleet-rollout-summary').textContent = rollout.revision + ': ' + rollout.result + ', wave ' + rollout.wave + ' of '
    + rollout.plan.length + (rollout.reason ? ' (' + rollout.reason + ')' : '')
    + (rollout.result === 'running' ? (controller ? ', driven by ' + controller : ', no controller acts on it') : '');
  $('fleet-waves').replaceChildren(...rollout.plan.map((hosts, index) => {
    const wave = el('li', { 'data-wave': String(index + 1) });
    wave.append(el('span', {}, 'wave ' + (index + 1) + ': '));
    hosts.forEach((host, at) => {
      const outcome = rollout.hosts[host] || { outcome: 'pending' };
      const item = el('span', { class: 'state-' + outcome.outcome, title: outcome.error || '' },
        host + ' ' + outcome.outcome);
      wave.append(item, document.createTextNode(at + 1 < hosts.length ? ', ' : ''));
    });
    return wave;
  }));
}

/** The fleet view: each host of the fleet in etcd with its state, and the revisions in use. */
async function loadFleet() {
  let page;
  try {
    page = await call('GET', '/api/fleet');
  } catch (e) {
    $('fleet-error').hidden = false;
    $('fleet-error').textContent = e.message;
    return;
  }
  $('fleet-error').hidden = true;
  const status = page.status;
  $('fleet-summary').textContent = plural(status.hosts.length, 'host') + ': '
    + Object.entries(status.counts).map(([state, count]) => count + ' ' + state).join(', ');
  const hosts = $('fleet-hosts').tBodies[0];
  hosts.replaceChildren(...status.hosts.map((host) => {
    const row = el('tr', { 'data-host': host.host });
    row.append(el('td', {}, host.host), el('td', { class: 'state-' + host.state }, host.state),
      el('td', {}, host.revision || '-'), el('td', {}, host.assigned || '-'),
      el('td', {}, host.reportedSecondsAgo === null ? 'never' : host.reportedSecondsAgo + ' s ago'),
      el('td', {}, host.error ? host.error.split('\n')[0] : ''));
    return row;
  }));
  drawRollout(status.rollout, status.controller);
  const revisions = $('fleet-revisions').tBodies[0];
  revisions.replaceChildren(...page.revisions.map((revision) => {
    const row = el('tr', { 'data-revision': revision.id });
    const id = el('td');
    id.append(el('code', {}, revision.id));
    row.append(id, el('td', {}, revision.publishedAt ? revision.publishedAt + ' by ' + revision.publishedBy : 'not published'),
      el('td', {}, revision.message || ''), el('td', {}, revision.held.join(', ')),
      el('td', {}, revision.assigned.join(', ')));
    return row;
  }));
}

async function start() {
  state.info = await call('GET', '/api/info');
  $('family').value = state.info.family;
  $('where').textContent = (state.info.netns ? 'netns ' + state.info.netns : 'host')
    + (state.info.file ? ' · ' + state.info.file : '');
  document.querySelectorAll('.view-tab').forEach((tab) => tab.addEventListener('click', () => showView(tab.dataset.view)));
  document.querySelector('.view-tab[data-view="fleet"]').hidden = !state.info.fleet;
  if (state.info.fleet) {
    setInterval(() => { if (!$('fleet-view').hidden) loadFleet(); }, FLEET_REFRESH_MILLIS);
  }
  $('family').addEventListener('change', () => { state.selected = null; state.focus = null; state.trace = null; loadOutline(); });
  $('refresh').addEventListener('click', () => { loadOutline(); loadStatus(); });
  $('search-form').addEventListener('submit', runSearch);
  $('show-own').addEventListener('change', () => { state.showOwn = $('show-own').checked; loadOutline(); });
  $('clear-focus').addEventListener('click', clearFocus);
  $('graph').addEventListener('keydown', moveFocus);
  document.addEventListener('keydown', (event) => {
    const typing = event.target.closest('input, textarea, select');
    if (event.key === '/' && !typing) {
      event.preventDefault();
      $('search').focus();
    } else if (event.key === 'Escape') {
      $('search-results').hidden = true;
      if (!typing) clearFocus();
    } else if (event.key === 'ArrowDown' && event.target === $('search')) {
      event.preventDefault();
      $('hit-0')?.focus();
    }
  });
  let width = $('graph-box').clientWidth;
  window.addEventListener('resize', () => {
    if ($('graph-box').clientWidth !== width && state.outline) { width = $('graph-box').clientWidth; drawGraph(); }
  });
  $('trace-form').addEventListener('submit', runTrace);
  $('check-run').addEventListener('click', () => planAction('check'));
  $('plan-run').addEventListener('click', () => planAction('plan'));
  $('apply-run').addEventListener('click', () => planAction('apply'));
  $('confirm-run').addEventListener('click', () => planAction('confirm'));
  $('rollback-run').addEventListener('click', () => planAction('rollback'));
  await loadOutline();
  await loadStatus();
  listenForEvents();
  setInterval(refreshCounters, REFRESH_MILLIS);
  document.body.dataset.ready = 'true';
  performance.mark('rampart-ready');
}

start().catch((e) => showError(e.message));
