import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const tsx = import.meta.resolve('tsx');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = join(repositoryRoot, 'docs', 'dashboard.png');

/** The page's visible state the test waits on. */
interface PageState {
  readonly updates: number;
  readonly cells: number;
  readonly hotCells: number;
  readonly games: string;
  readonly live: string;
  readonly players: number;
  readonly shufflers: number;
  readonly risks: number;
  readonly streams: number;
  readonly components: number;
  readonly eps: string;
}

const PAGE_STATE = `(() => {
  const all = (selector) => [...document.querySelectorAll(selector)];
  const text = (id) => document.getElementById(id)?.textContent ?? '';
  return {
    updates: Number(document.body.dataset.updates ?? 0),
    cells: all('[data-machine]').length,
    hotCells: all('[data-machine]').filter((g) => Number(g.dataset.coinIn) > 0).length,
    games: text('kpi-games'),
    live: document.getElementById('live')?.dataset.state ?? '',
    players: all('#players-body tr').length,
    shufflers: all('#shufflers-body tr').length,
    risks: all('#shufflers-body .risk-value').filter((v) => v.textContent.endsWith('%')).length,
    streams: all('#streams-body tr').length,
    components: all('#components .component').length,
    eps: text('pipe-eps'),
  };
})()`;

interface FloorFile {
  readonly floorApi: { readonly url: string; readonly tokenPath: string };
  readonly components: readonly { readonly pid: number }[];
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('GIVEN `npm start` with the slot floor and a shuffler fleet, and Debian chromium driven by Playwright', () => {
  let stateDir: string;
  let userDataDir: string;
  let floor: ChildProcess;
  let floorFile: FloorFile | undefined;
  let output = '';
  let link: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  /** What the assertions read off the page, in one evaluation (a string: the test has no DOM types). */
  const pageState = () => page.evaluate(PAGE_STATE) as Promise<PageState>;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'croupier-dashboard-'));
    userDataDir = await mkdtemp(join(tmpdir(), 'croupier-chromium-'));
    floor = spawn(
      process.execPath,
      [
        '--import',
        tsx,
        join(repositoryRoot, 'scripts', 'start.ts'),
        '--state-dir',
        stateDir,
        '--ephemeral-ports',
        '--shufflers',
        '4',
        '--time-scale',
        '120',
        '--core',
        'dashboard-core-1',
      ],
      { cwd: repositoryRoot, env: { ...process.env, INIT_CWD: repositoryRoot }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    floor.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    floor.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // A fresh state folder trains the baseline failure model first; a busy 2-core machine needs its time.
    link = await until('the dashboard link and the ready line', 150_000, () => {
      if (floor.exitCode !== null) throw new Error(`start exited with ${floor.exitCode}:\n${output}`);
      const printed = /dashboard (http:\/\/\S+\/dashboard\/sign-in\?code=\S+)/.exec(output)?.[1];
      return printed && output.includes('Croupier local floor is running.') ? printed : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the start command said:\n${output.slice(-4_000)}`);
    });
    floorFile = JSON.parse(await readFile(join(stateDir, 'floor.json'), 'utf8')) as FloorFile;
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 900 },
      // Steady colours for the screenshot: the page drops its value-change flash for reduced motion.
      reducedMotion: 'reduce',
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    if (floor && floor.exitCode === null && floor.signalCode === null) {
      floor.kill('SIGINT');
      await until('the floor to stop', 40_000, () =>
        floor.exitCode !== null || floor.signalCode ? true : undefined,
      ).catch(() => floor.kill('SIGKILL'));
    }
    for (const c of floorFile?.components ?? []) if (alive(c.pid)) process.kill(c.pid, 'SIGKILL');
    await rm(stateDir, { recursive: true, force: true });
    await rm(userDataDir, { recursive: true, force: true });
  }, 60_000);

  it('WHEN the printed one-time link is opened THEN it signs in with a cookie and leaves the address bar', async () => {
    const token = (await readFile(floorFile!.floorApi.tokenPath, 'utf8')).trim();
    expect(output).not.toContain(token);
    await page.goto(link);
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(page.url()).not.toContain('code=');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({
      name: 'croupier_dashboard',
      httpOnly: true,
      sameSite: 'Strict',
      path: '/dashboard',
    });
    await expect(page.evaluate('document.cookie')).resolves.toBe('');
    // The link opens one session only.
    const again = await fetch(link, { redirect: 'manual' });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe('/dashboard?sign-in=expired');
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it('WHEN play reaches the cloud THEN the heatmap shows coin-in by machine and the KPIs update live over SSE', async () => {
    const shown = await until('the heatmap with coin-in', 90_000, async () => {
      const state = await pageState();
      return state.hotCells > 0 ? state : undefined;
    });
    expect(shown.cells).toBe(16);
    // After its first snapshot, only the event stream changes the page.
    await until('a KPI changed by a delta', 60_000, async () => {
      const state = await pageState();
      return state.updates > shown.updates && state.games !== shown.games ? state : undefined;
    });
    await until('the live indicator', 5_000, async () => ((await pageState()).live === 'live' ? true : undefined));
  }, 170_000);

  it('WHEN the floor has run a while THEN players, shufflers with failure risk and pipeline health show real figures', async () => {
    // CoreHealth comes once a minute from each component, through Uplink, IoT Core and Kinesis.
    const state = await until('players, shufflers and pipeline health', 100_000, async () => {
      const s = await pageState();
      return s.players > 0 && s.shufflers === 4 && s.risks > 0 && s.streams > 0 && s.components > 0 ? s : undefined;
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}; the page shows ${JSON.stringify(await pageState())}`);
    });
    expect(state.eps).toMatch(/^\d/);
    expect(pageErrors).toEqual([]);
    await page.screenshot({ path: SCREENSHOT });
    expect((await stat(SCREENSHOT)).size).toBeGreaterThan(50_000);
  }, 110_000);
});
