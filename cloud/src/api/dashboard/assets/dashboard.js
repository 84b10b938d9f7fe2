// The floor dashboard in the browser: one snapshot, then deltas over server-sent events.
// Data is only ever written with textContent/attributes, never parsed as HTML. The session is an
// HttpOnly cookie this script cannot read; the operator token, if typed, is sent once and dropped.

const SVG = 'http://www.w3.org/2000/svg';
const STALE_AFTER_MS = 10_000;
const SECTIONS = ['kpis', 'machines', 'players', 'shufflers', 'alerts', 'pipeline'];

const $ = (id) => document.getElementById(id);
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const moneyCents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

const dollars = (cents) => (Math.abs(cents) < 100_000 ? moneyCents : money).format(cents / 100);
const compactDollars = (cents) => {
  const d = cents / 100;
  if (Math.abs(d) >= 1e6) return `$${decimal.format(d / 1e6)}M`;
  if (Math.abs(d) >= 1e4) return `$${decimal.format(d / 1e3)}k`;
  return money.format(d);
};
const percent = (share) => (share === null || share === undefined ? '—' : `${decimal.format(share * 100)}%`);
const duration = (ms) => {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${count.format(ms)} ms`;
  if (ms < 60_000) return `${decimal.format(ms / 1000)} s`;
  if (ms < 3_600_000) return `${decimal.format(ms / 60_000)} min`;
  return `${decimal.format(ms / 3_600_000)} h`;
};
const timeOfDay = (ms) =>
  new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTime = (ms) =>
  new Date(ms).toLocaleString('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Creates an element with a class and text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const cell of cells) tr.append(cell);
  return tr;
}

function td(content, className) {
  const cell = el('td', className);
  if (content instanceof Node) cell.append(content);
  else cell.textContent = content;
  return cell;
}

/** Sets a KPI's text and flashes it when the value changed. */
function setKpi(id, text) {
  const node = $(id);
  if (node.textContent === text) return;
  node.textContent = text;
  node.classList.add('bump');
  requestAnimationFrame(() => requestAnimationFrame(() => node.classList.remove('bump')));
}

const HEAT_STOPS = [
  [0, [23, 34, 47]],
  [0.15, [31, 78, 121]],
  [0.4, [42, 161, 152]],
  [0.65, [228, 184, 73]],
  [0.85, [255, 122, 61]],
  [1, [255, 61, 90]],
];

/** The heatmap colour of a share of the hottest machine's coin-in. */
function heat(share) {
  const s = Math.max(0, Math.min(1, share));
  for (let i = 1; i < HEAT_STOPS.length; i += 1) {
    const [hi, to] = HEAT_STOPS[i];
    const [lo, from] = HEAT_STOPS[i - 1];
    if (s <= hi) {
      const t = (s - lo) / (hi - lo);
      const c = from.map((v, k) => Math.round(v + (to[k] - v) * t));
      return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    }
  }
  return 'rgb(255, 61, 90)';
}

function renderMachines(machines, kpis) {
  const map = $('floor-map');
  map.replaceChildren();
  if (machines.length === 0) {
    map.append(el('p', 'empty', 'No slot machines on this floor.'));
    return;
  }
  const cabinetW = 0.72;
  const cabinetH = 1.3;
  const xs = machines.map((m) => m.x);
  const ys = machines.map((m) => m.y);
  const minX = Math.min(...xs) - 1.6;
  const minY = Math.min(...ys) - 2.4;
  const width = Math.max(...xs) - Math.min(...xs) + 3.2;
  const height = Math.max(...ys) - Math.min(...ys) + 4;
  // Labels keep one on-screen size whatever the floor's size in metres.
  const labelSize = Math.max(width / 62, height / 22);
  const root = svg('svg', {
    viewBox: `${minX} ${minY} ${width} ${height}`,
    preserveAspectRatio: 'xMidYMid meet',
    'data-testid': 'heatmap',
  });
  const zones = new Map();
  for (const m of machines) {
    const z = zones.get(m.zone) ?? {
      minX: Infinity,
      maxX: -Infinity,
      minY: Infinity,
      maxY: -Infinity,
      banks: new Map(),
    };
    z.minX = Math.min(z.minX, m.x);
    z.maxX = Math.max(z.maxX, m.x);
    z.minY = Math.min(z.minY, m.y);
    z.maxY = Math.max(z.maxY, m.y);
    const bank = z.banks.get(m.bank) ?? { minX: Infinity, y: m.y };
    bank.minX = Math.min(bank.minX, m.x);
    z.banks.set(m.bank, bank);
    zones.set(m.zone, z);
  }
  for (const [zone, z] of zones) {
    root.append(
      svg('rect', {
        class: 'zone-bg',
        x: z.minX - 0.9,
        y: z.minY - 1.3,
        width: z.maxX - z.minX + 1.8,
        height: z.maxY - z.minY + 2.8,
        rx: 0.3,
        'stroke-width': 0.05,
        'stroke-dasharray': '0.3 0.2',
      }),
    );
    const label = svg('text', { class: 'zone-label', x: z.minX - 0.8, y: z.minY - 1.55, 'font-size': labelSize });
    const perMinute = kpis.coinInPerMinuteByZone[zone];
    label.textContent = perMinute === undefined ? zone : `${zone} · ${compactDollars(perMinute)}/min`;
    root.append(label);
  }
  const hottest = Math.max(1, ...machines.map((m) => m.coinInCents));
  for (const m of machines) {
    const group = svg('g', { 'data-machine': m.machineId, 'data-coin-in': m.coinInCents });
    const title = svg('title', {});
    title.textContent = `${m.machineId} · ${m.gameId} · ${dollars(m.denominationCents)} denom\nCoin-in ${dollars(
      m.coinInCents,
    )} · ${count.format(m.games)} games${m.occupied ? ' · carded play now' : ''}`;
    group.append(title);
    group.append(
      svg('rect', {
        class: `cabinet${m.occupied ? ' occupied' : ''}`,
        x: m.x - cabinetW / 2,
        y: m.y - cabinetH / 2,
        width: cabinetW,
        height: cabinetH,
        rx: 0.08,
        'stroke-width': m.occupied ? 0.07 : 0.03,
        // A square-root scale: one hot machine does not leave the rest of the floor looking cold.
        fill: m.coinInCents > 0 ? heat(Math.sqrt(m.coinInCents / hottest)) : '#141d27',
      }),
    );
    const id = svg('text', {
      class: 'machine-id',
      x: m.x,
      y: m.y,
      transform: `rotate(-90 ${m.x} ${m.y})`,
      'dominant-baseline': 'middle',
      'font-size': 0.26,
    });
    id.textContent = m.machineId.replace(/^SM-0*/, '');
    group.append(id);
    if (m.occupied) group.append(svg('circle', { class: 'seat', cx: m.x, cy: m.y + cabinetH / 2 + 0.3, r: 0.1 }));
    root.append(group);
  }
  map.append(root);
  $('legend-max').textContent = dollars(hottest);
  const zonesLine = $('zones');
  zonesLine.replaceChildren();
  for (const [zone] of zones) {
    const inZone = machines.filter((m) => m.zone === zone);
    const coinIn = inZone.reduce((sum, m) => sum + m.coinInCents, 0);
    const busy = inZone.filter((m) => m.occupied).length;
    const item = el('span');
    item.append(el('b', '', zone), ` ${dollars(coinIn)} · ${busy}/${inZone.length} occupied`);
    zonesLine.append(item);
  }
}

function renderKpis(kpis, machines, shufflers, pipeline) {
  setKpi('kpi-coin-in', compactDollars(kpis.coinInCents));
  $('kpi-games').textContent = `${count.format(kpis.games)} rated games`;
  setKpi('kpi-theo', compactDollars(kpis.theoCents));
  $('kpi-theo-hold').textContent = `theoretical hold ${percent(kpis.theoHoldPct)}`;
  setKpi('kpi-hold', percent(kpis.holdPct));
  $('kpi-win').textContent = `paid out ${compactDollars(kpis.winCents)}`;
  setKpi('kpi-gpm', count.format(kpis.gamesPerMinute));
  setKpi('kpi-players', count.format(kpis.activePlayers));
  const occupied = machines.filter((m) => m.occupied).length;
  $('kpi-occupancy').textContent = machines.length ? `${occupied} of ${machines.length} machines carded` : '—';
  setKpi('kpi-alerts', count.format(kpis.openAlerts));
  const riskiest = shufflers.find((s) => s.failureRisk !== null);
  $('kpi-risk').textContent = riskiest
    ? `highest risk ${riskiest.deviceId} ${percent(riskiest.failureRisk)}`
    : 'no prediction yet';
  if (pipeline.available) {
    setKpi('kpi-eps', decimal.format(pipeline.eventsPerSecond));
    const latency = Math.max(-1, ...pipeline.streams.map((s) => s.endToEndLatencyMs ?? -1));
    $('kpi-latency').textContent = latency >= 0 ? `end-to-end ≤ ${duration(latency)}` : 'latency: measuring';
  } else {
    setKpi('kpi-eps', '—');
    $('kpi-latency').textContent = pipeline.reason;
  }
}

function renderPlayers(players) {
  const body = $('players-body');
  body.replaceChildren(
    ...players.map((p) => {
      const offers = el('span');
      if (p.offers.length === 0) offers.append(el('span', 'panel-note', '—'));
      for (const o of p.offers) {
        const chip = el(
          'span',
          `offer offer-${o.status}`,
          `${o.kind.replace('_', ' ')} ${compactDollars(o.valueCents)}`,
        );
        chip.title = `${o.status} · decided ${dateTime(o.decidedAt)}`;
        offers.append(chip);
      }
      return row([
        td(p.player, 'mono'),
        td(el('span', `tier tier-${p.tier}`, p.tier)),
        td(p.machineId, 'mono'),
        td(dollars(p.sessionCoinInCents), 'num'),
        td(dollars(p.sessionTheoCents), 'num'),
        td(dollars(p.adtCents), 'num'),
        td(offers),
      ]);
    }),
  );
  $('players-empty').hidden = players.length > 0;
}

function riskCell(risk) {
  const wrap = el('div', 'risk');
  const bar = el('div', 'risk-bar');
  const fill = el(
    'div',
    `risk-fill ${risk === null ? '' : risk >= 0.7 ? 'risk-high' : risk >= 0.4 ? 'risk-mid' : 'risk-low'}`,
  );
  fill.style.width = `${Math.round((risk ?? 0) * 100)}%`;
  bar.append(fill);
  wrap.append(bar, el('span', 'risk-value', risk === null ? '—' : percent(risk)));
  return wrap;
}

function deviceCell(shuffler) {
  const cell = el('span');
  cell.append(el('span', 'mono', shuffler.deviceId));
  const where = [shuffler.game, shuffler.tableId].filter(Boolean).join(' · ');
  if (where) cell.append(el('span', 'device-where', where));
  return cell;
}

function renderShufflers(shufflers) {
  $('shufflers-body').replaceChildren(
    ...shufflers.map((s) =>
      row([
        td(deviceCell(s)),
        td(el('span', `state state-${s.state}`, s.openAlerts > 0 ? `${s.state} · ${s.openAlerts} alert` : s.state)),
        td(riskCell(s.failureRisk)),
        td(s.temperatureCelsius === null ? '—' : `${decimal.format(s.temperatureCelsius)} °C`, 'num'),
        td(s.motorCurrentAmps === null ? '—' : `${decimal.format(s.motorCurrentAmps)} A`, 'num'),
        td(s.hoursSinceService === null ? '—' : `${count.format(s.hoursSinceService)} h`, 'num'),
      ]),
    ),
  );
  $('shufflers-empty').hidden = shufflers.length > 0;
}

function renderAlerts(alerts) {
  $('alerts-list').replaceChildren(
    ...alerts.slice(0, 6).map((a) => {
      const item = el('li', `alert ${a.severity}`);
      const top = el('div', 'alert-top');
      top.append(el('span', 'mono', a.deviceId), el('span', 'sev', `${a.severity} · ${a.cause.replaceAll('_', ' ')}`));
      item.append(top, el('div', 'alert-msg', a.message));
      const meta = [`raised ${dateTime(a.raisedAt)}`, a.state];
      if (a.probability !== null) meta.push(`p = ${percent(a.probability)}`);
      item.append(el('div', 'alert-meta', meta.join(' · ')));
      return item;
    }),
  );
  $('alerts-empty').hidden = alerts.length > 0;
  $('alerts-count').textContent = alerts.length ? `${alerts.length} open` : '';
}

function renderPipeline(pipeline) {
  const note = $('pipeline-note');
  if (!pipeline.available) {
    note.textContent = pipeline.reason;
    for (const id of ['pipe-eps', 'pipe-latency', 'pipe-age', 'pipe-spool']) $(id).textContent = '—';
    $('streams-body').replaceChildren();
    $('components').replaceChildren();
    return;
  }
  note.textContent = 'Kinesis → processors, CoreHealth from the edge';
  $('pipe-eps').textContent = decimal.format(pipeline.eventsPerSecond);
  const latencies = pipeline.streams.map((s) => s.endToEndLatencyMs).filter((v) => v !== null);
  $('pipe-latency').textContent = latencies.length ? duration(Math.max(...latencies)) : 'measuring';
  $('pipe-age').textContent = duration(Math.max(0, ...pipeline.streams.map((s) => s.iteratorAgeMs)));
  $('pipe-spool').textContent =
    pipeline.spoolDepth === null
      ? 'awaiting'
      : `${count.format(pipeline.spoolDepth)}${pipeline.spoolDepth > 0 ? ` · ${duration(pipeline.spoolOldestAgeMs)}` : ''}`;
  $('streams-body').replaceChildren(
    ...pipeline.streams.map((s) =>
      row([
        td(s.processor),
        td(s.stream, 'mono'),
        td(count.format(s.recordsProcessed), 'num'),
        td(duration(s.iteratorAgeMs), 'num'),
        td(duration(s.endToEndLatencyMs), 'num'),
      ]),
    ),
  );
  const components = $('components');
  components.replaceChildren(
    ...pipeline.components.map((c) => {
      const chip = el('span', 'component');
      chip.append(el('span', `state state-${c.state}`, c.component.replace('com.croupier.', '')));
      chip.title = `${c.core} · ${c.state} · reported ${timeOfDay(c.reportedAt)}`;
      return chip;
    }),
  );
  if (pipeline.components.length === 0)
    components.append(el('span', 'panel-note', 'awaiting the first CoreHealth reports'));
}

let state;
let lastUpdate = 0;

function render(changed) {
  $('floor-time').textContent = dateTime(state.floorTime);
  $('window').textContent = `last ${duration(state.windowMs)}`;
  if (changed.has('machines') || changed.has('kpis')) renderMachines(state.machines, state.kpis);
  renderKpis(state.kpis, state.machines, state.shufflers, state.pipeline);
  if (changed.has('players')) renderPlayers(state.players);
  if (changed.has('shufflers')) renderShufflers(state.shufflers);
  if (changed.has('alerts')) renderAlerts(state.alerts);
  if (changed.has('pipeline')) renderPipeline(state.pipeline);
  lastUpdate = Date.now();
  document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
}

function setLive(mode, text) {
  $('live').dataset.state = mode;
  $('live-text').textContent = text;
}

setInterval(() => {
  if (!state) return;
  const age = Date.now() - lastUpdate;
  if (age > STALE_AFTER_MS) setLive('stale', `Stale · ${duration(age)}`);
  else setLive('live', `Live · ${Math.round(age / 1000)} s ago`);
}, 1000);

function showSignIn(reason) {
  $('dashboard').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  if (reason) $('sign-in-reason').textContent = reason;
  setLive('connecting', 'Signed out');
}

function show(snapshot) {
  state = snapshot;
  $('sign-in').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = false;
  render(new Set(SECTIONS));
}

function connect() {
  const events = new EventSource('/dashboard/api/stream');
  events.addEventListener('snapshot', (event) => show(JSON.parse(event.data)));
  events.addEventListener('delta', (event) => {
    const delta = JSON.parse(event.data);
    const changed = new Set(SECTIONS.filter((section) => section in delta));
    state = { ...state, ...delta };
    render(changed);
  });
  events.addEventListener('error', async () => {
    if (events.readyState !== EventSource.CLOSED) return;
    // The stream was refused: find out whether the session ended, else retry.
    const probe = await fetch('/dashboard/api/snapshot', { credentials: 'same-origin' }).catch(() => undefined);
    if (probe?.status === 401) showSignIn('Your dashboard session has ended. Sign in again.');
    else setTimeout(connect, 3000);
  });
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('token');
  const token = input.value.trim();
  input.value = '';
  const response = await fetch('/dashboard/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
  if (response?.status === 204) {
    $('sign-in-error').textContent = '';
    connect();
  } else {
    $('sign-in-error').textContent =
      response?.status === 401 ? 'That token is not valid.' : 'Sign-in failed; try again.';
  }
});

$('sign-out').addEventListener('click', async () => {
  await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin' });
  window.location.replace('/dashboard');
});

async function start() {
  const params = new URLSearchParams(window.location.search);
  if (params.get('sign-in') === 'expired') {
    window.history.replaceState(null, '', '/dashboard');
    showSignIn('That sign-in link has been used or has expired. Paste the operator token instead.');
    return;
  }
  const probe = await fetch('/dashboard/api/snapshot', { credentials: 'same-origin' }).catch(() => undefined);
  if (probe?.status === 401) {
    showSignIn();
    return;
  }
  if (probe?.ok) show(await probe.json());
  connect();
}

start();
