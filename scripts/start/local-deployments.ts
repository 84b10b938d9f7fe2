/**
 * The local nucleus's deployments: how a new com.croupier.FailureModel version reaches the RUNNING
 * local floor, as a Greengrass deployment reaches a core. A deployment document dropped into
 * `<state>/deployments/` names the version and the folder holding its artifacts with their SHA-256
 * digests; the floor copies and checks them into `<state>/components/com.croupier.FailureModel/<version>/`
 * (Greengrass's layout: one folder per version), where the running FailurePredictor notices the new
 * version by itself and switches models live, no restart, exactly as on a core. The floor never
 * writes the predictor's configuration (the model deployment carries FailureModel only); it reads the
 * predictor's verdict from its log and writes the outcome next to the document. A refused version is
 * removed, so the previous version stays the newest valid one.
 *
 * Two sides: {@link startLocalDeployments} runs inside the floor (the nucleus); {@link releaseToLocalFloor}
 * is what the model loop calls (the "CreateDeployment").
 */
import { createHash, randomBytes } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { access, mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { nextComponentVersion, parseVersion } from '@croupier/cloud/ml/release/component-version';
import { readModelFolder } from '@croupier/cloud/ml/release/model-folder';
import { type ModelPackage, packageModel } from '@croupier/cloud/ml/release/model-package';
import { compareModelVersions, parseModelVersion } from '@croupier/failure-predictor';
import { MODEL_CARD_FILE, MODEL_FILE } from '@croupier/failure-predictor/model-contract';
import { z } from 'zod';

const FAILURE_MODEL = 'com.croupier.FailureModel';
/** FailureModel's major version: FailurePredictor's recipe accepts `>=0.1.0 <2.0.0`. */
const MODEL_MAJOR_VERSION = 1;
const STATUS_SUFFIX = '.status.json';
/** Written by the running applier, so a release can tell a running floor from a stopped one. */
const APPLIER_PID_FILE = '.applier.pid';

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** A deployment document: one FailureModel version, its artifacts folder and their digests. */
export const LocalDeployment = z.object({
  deploymentId: z.string().regex(/^[\w.-]{1,128}$/),
  component: z.literal(FAILURE_MODEL),
  componentVersion: z.string().refine((v) => parseVersion(v) !== undefined, 'MAJOR.MINOR.PATCH'),
  artifactsDir: z.string().refine((p) => p.startsWith('/'), 'an absolute path'),
  sha256: z.object({ [MODEL_FILE]: Sha256Hex, [MODEL_CARD_FILE]: Sha256Hex }),
});
export type LocalDeployment = z.infer<typeof LocalDeployment>;

/** The outcome of a deployment, written to `<state>/deployments/<id>.status.json`. */
export interface LocalDeploymentStatus {
  readonly deploymentId: string;
  readonly status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED';
  readonly componentVersion?: string;
  /** `modelVersion` from the model card. */
  readonly modelVersion?: string;
  readonly modelPath?: string;
  /** The model the last successful deployment installed, which ran before this one. */
  readonly previousModelPath?: string;
  /** FailurePredictor's pid when the predictor confirmed the switch (unchanged: it was not restarted). */
  readonly predictorPid?: number;
  readonly reason?: string;
  readonly updatedAt: string;
}

/** A deployment the floor refused, or that FailurePredictor refused; the running model stays. */
export class LocalDeploymentFailed extends Error {
  override readonly name = 'LocalDeploymentFailed';
  constructor(readonly status: LocalDeploymentStatus) {
    super(`local deployment ${status.deploymentId} failed: ${status.reason ?? 'no reason given'}`);
  }
}

/** Paths of the floor's deployment state, all under the state folder. */
function layout(stateDir: string) {
  const deploymentsDir = join(stateDir, 'deployments');
  return {
    deploymentsDir,
    applierPidFile: join(deploymentsDir, APPLIER_PID_FILE),
    versionsDir: join(stateDir, 'components', FAILURE_MODEL),
    /** The version the last successful deployment installed. */
    deployedRecord: join(stateDir, 'components', FAILURE_MODEL, 'deployed.json'),
  };
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes a file whole under a temporary name and renames it into place: watchers never see half of it. */
async function writeAtomically(path: string, text: string, mode = 0o644): Promise<void> {
  const draft = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(draft, text, { mode });
  await rename(draft, path);
}

const statusPath = (deploymentsDir: string, id: string) => join(deploymentsDir, `${id}${STATUS_SUFFIX}`);

async function readStatus(deploymentsDir: string, id: string): Promise<LocalDeploymentStatus | undefined> {
  return readFile(statusPath(deploymentsDir, id), 'utf8').then(
    (text) => JSON.parse(text) as LocalDeploymentStatus,
    () => undefined,
  );
}

/**
 * The FailureModel folder the predictor should start with: the version the last successful local
 * deployment installed, when it still fits this predictor's feature set, else `fallback` (the
 * baseline). The floor passes it as `FAILURE_MODEL_DIR`, so a deployed model survives a restart.
 */
export async function currentFailureModelDir(stateDir: string, fallback: string): Promise<string> {
  const { versionsDir } = layout(stateDir);
  const version = await deployedVersion(stateDir);
  if (!version) return fallback;
  const dir = join(versionsDir, version);
  try {
    packageModel(await readModelFolder(dir));
    return dir;
  } catch {
    return fallback;
  }
}

/** The version the last successful local deployment installed, if any. */
async function deployedVersion(stateDir: string): Promise<string | undefined> {
  const record = await readFile(layout(stateDir).deployedRecord, 'utf8').then(
    (text) => JSON.parse(text) as { componentVersion?: unknown },
    () => undefined,
  );
  const version = typeof record?.componentVersion === 'string' ? record.componentVersion : undefined;
  return version && parseVersion(version) ? version : undefined;
}

/** Reads a version's two files from `from`, checks them against the deployment's digests and the contract. */
async function verify(deployment: LocalDeployment, from: string): Promise<ModelPackage> {
  const files = await readModelFolder(from);
  for (const [name, bytes] of [
    [MODEL_FILE, files.model],
    [MODEL_CARD_FILE, files.card],
  ] as const) {
    const actual = sha256Hex(bytes);
    if (actual !== deployment.sha256[name]) {
      throw new Error(`${join(from, name)} has SHA-256 ${actual}, the deployment says ${deployment.sha256[name]}`);
    }
  }
  return packageModel(files);
}

/** Reads new lines of a log file from `offset` on, as JSON records (other lines skipped). */
async function readLogFrom(
  path: string,
  offset: number,
): Promise<{ records: Record<string, unknown>[]; offset: number }> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return { records: [], offset };
  try {
    const { size } = await handle.stat();
    if (size <= offset) return { records: [], offset };
    const buffer = Buffer.alloc(size - offset);
    await handle.read(buffer, 0, buffer.length, offset);
    const text = buffer.toString('utf8');
    // Only whole lines: a line being written is read on the next pass.
    const end = text.lastIndexOf('\n') + 1;
    const records: Record<string, unknown>[] = [];
    for (const line of text.slice(0, end).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // A stray non-JSON line (a native library's output) is not a status line.
      }
    }
    return { records, offset: offset + Buffer.byteLength(text.slice(0, end)) };
  } finally {
    await handle.close();
  }
}

/** The predictor as the floor runs it: where it logs, and its pid. */
export interface PredictorProcess {
  readonly pid: number | undefined;
  readonly logPath: string;
}

/** Options of the floor-side applier. */
export interface LocalDeploymentsOptions {
  readonly stateDir: string;
  readonly predictor: PredictorProcess;
  /** Operator-facing lines (the floor log). */
  readonly log: (message: string, fields?: Readonly<Record<string, unknown>>) => void;
  /** How long FailurePredictor gets to notice, load and confirm the new version. */
  readonly confirmTimeoutMs?: number;
}

/** The running applier. */
export interface LocalDeployments {
  /** Stops watching after the deployment in progress, if any, has its outcome. */
  close(): Promise<void>;
}

/**
 * Starts the floor's deployment applier: applies every document in `<state>/deployments/` that has
 * no status yet (left from before a restart too), then each new one as it arrives, one at a time.
 */
export async function startLocalDeployments(options: LocalDeploymentsOptions): Promise<LocalDeployments> {
  const paths = layout(options.stateDir);
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
  await mkdir(paths.deploymentsDir, { recursive: true });
  await mkdir(paths.versionsDir, { recursive: true });
  await writeFile(paths.applierPidFile, `${process.pid}\n`);
  let queue: Promise<void> = Promise.resolve();
  let closed = false;
  const seen = new Set<string>();

  const scanOnce = async () => {
    const names = await readdir(paths.deploymentsDir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (closed) return;
      if (!name.endsWith('.json') || name.endsWith(STATUS_SUFFIX)) continue;
      const id = name.slice(0, -'.json'.length);
      if (seen.has(id)) continue;
      seen.add(id);
      const earlier = await readStatus(paths.deploymentsDir, id);
      if (earlier?.status === 'IN_PROGRESS') {
        // Left by a floor that stopped mid-deployment: its version goes, or the predictor would pick it up.
        const version = earlier.componentVersion;
        if (version && parseVersion(version) && version !== (await deployedVersion(options.stateDir))) {
          await rm(join(paths.versionsDir, version), { recursive: true, force: true });
        }
        await record({ ...earlier, status: 'FAILED', reason: 'interrupted by a floor restart' });
      }
      if (!earlier) await applyDocument(join(paths.deploymentsDir, name), id);
    }
  };
  // One at a time, and a failure to record one outcome never stops the next deployment.
  const scan = () => {
    queue = queue
      .then(scanOnce)
      .catch((error: unknown) =>
        options.log('local deployment could not record its outcome', { error: String(error) }),
      );
  };

  const record = async (status: Omit<LocalDeploymentStatus, 'updatedAt'>) => {
    const full: LocalDeploymentStatus = { ...status, updatedAt: new Date().toISOString() };
    await writeAtomically(statusPath(paths.deploymentsDir, status.deploymentId), `${JSON.stringify(full, null, 2)}\n`);
    options.log(`local deployment ${status.status}`, { ...full });
    return full;
  };

  async function applyDocument(path: string, id: string): Promise<void> {
    let deployment: LocalDeployment;
    try {
      deployment = LocalDeployment.parse(JSON.parse(await readFile(path, 'utf8')));
      if (deployment.deploymentId !== id)
        throw new Error(`deploymentId ${deployment.deploymentId} is not the file name ${id}`);
    } catch (error) {
      await record({
        deploymentId: id,
        status: 'FAILED',
        reason: `invalid deployment document: ${(error as Error).message}`,
      });
      return;
    }
    await record({ deploymentId: id, status: 'IN_PROGRESS', componentVersion: deployment.componentVersion });
    const outcome = await apply(deployment).catch((error: unknown) => ({
      status: 'FAILED' as const,
      reason: (error as Error).message,
    }));
    await record({ deploymentId: id, componentVersion: deployment.componentVersion, ...outcome });
  }

  /** Checks the deployment's artifacts and copies them to a staging folder beside the versions; checked again there. */
  async function stage(deployment: LocalDeployment, dir: string): Promise<{ staging: string; model: ModelPackage }> {
    await verify(deployment, deployment.artifactsDir);
    // Not a version name, so the predictor never looks at a half-copied folder.
    const staging = `${dir}.staging`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    for (const file of [MODEL_FILE, MODEL_CARD_FILE]) {
      await writeFile(join(staging, file), await readFile(join(deployment.artifactsDir, file)), { mode: 0o644 });
    }
    // The copy, not the source, is what runs.
    return { staging, model: await verify(deployment, staging) };
  }

  /** Waits for FailurePredictor's verdict on the version folder just placed, reading its log from `offset`. */
  async function predictorVerdict(
    offset: number,
    modelPath: string,
  ): Promise<{ ok: true } | { ok: false; reason: string }> {
    const deadline = Date.now() + confirmTimeoutMs;
    let position = offset;
    while (Date.now() < deadline) {
      const read = await readLogFrom(options.predictor.logPath, position);
      position = read.offset;
      for (const line of read.records) {
        if (line.modelPath !== modelPath) continue;
        if (line.message === 'model switched') return { ok: true };
        if (line.message === 'model version refused') {
          const error = line.error as { message?: unknown } | undefined;
          return { ok: false, reason: `FailurePredictor refused the model: ${String(error?.message ?? 'no reason')}` };
        }
      }
      if (!isAlive(options.predictor.pid))
        return { ok: false, reason: 'FailurePredictor exited during the deployment' };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ok: false, reason: `FailurePredictor did not switch to the new version within ${confirmTimeoutMs} ms` };
  }

  /** The versions on the floor, newest first. */
  async function installedVersions(): Promise<string[]> {
    const names = await readdir(paths.versionsDir).catch(() => [] as string[]);
    return names.filter((n) => parseModelVersion(n)).sort((a, b) => compareModelVersions(b, a));
  }

  async function apply(
    deployment: LocalDeployment,
  ): Promise<Omit<LocalDeploymentStatus, 'deploymentId' | 'updatedAt'>> {
    if (!isAlive(options.predictor.pid)) return { status: 'FAILED', reason: 'FailurePredictor is not running' };
    const version = deployment.componentVersion;
    const dir = join(paths.versionsDir, version);
    const modelPath = join(dir, MODEL_FILE);
    const deployed = await deployedVersion(options.stateDir);
    const previousModelPath = deployed ? join(paths.versionsDir, deployed, MODEL_FILE) : undefined;
    const [newest] = await installedVersions();
    if (await exists(dir)) {
      // Component versions are immutable: the same version must mean the same bytes.
      const model = await verify(deployment, dir);
      const done = { componentVersion: version, modelVersion: model.card.modelVersion, modelPath, previousModelPath };
      if (version === deployed && version === newest) {
        return { status: 'SUCCEEDED', ...done, predictorPid: options.predictor.pid!, reason: 'already running' };
      }
      return {
        status: 'FAILED',
        ...done,
        reason: `version ${version} is already on the floor and not the one running`,
      };
    }
    if (newest && compareModelVersions(version, newest) < 0) {
      // The predictor runs the newest valid version: an older one would never run.
      return {
        status: 'FAILED',
        componentVersion: version,
        reason: `version ${version} is older than ${newest} on the floor; to roll back, release the earlier model as a new version`,
      };
    }
    const { staging, model } = await stage(deployment, dir);
    const done = { componentVersion: version, modelVersion: model.card.modelVersion, modelPath, previousModelPath };
    const { size: offset } = await stat(options.predictor.logPath).catch(() => ({ size: 0 }));
    await rename(staging, dir);
    const verdict = await predictorVerdict(offset, modelPath);
    if (!verdict.ok) {
      // Removed, so the version that runs stays the newest valid one (and a restart does not try it).
      await rm(dir, { recursive: true, force: true });
      return { status: 'FAILED', ...done, reason: verdict.reason };
    }
    await writeAtomically(
      paths.deployedRecord,
      `${JSON.stringify({ componentVersion: version, modelVersion: model.card.modelVersion, deploymentId: deployment.deploymentId, previousModelPath }, null, 2)}\n`,
    );
    return { status: 'SUCCEEDED', ...done, predictorPid: options.predictor.pid! };
  }

  const watcher: FSWatcher = watch(paths.deploymentsDir, (_event, file) => {
    if (file === null || (file.endsWith('.json') && !file.endsWith(STATUS_SUFFIX))) scan();
  });
  scan();
  return {
    async close() {
      closed = true;
      watcher.close();
      await queue;
      await rm(paths.applierPidFile, { force: true });
    },
  };
}

/** Options of {@link releaseToLocalFloor}. */
export interface LocalReleaseOptions {
  /** The running floor's state folder (`npm start -- --state-dir`, default `.croupier`). */
  readonly stateDir: string;
  /** A folder holding `failure-model.onnx` and `model-card.json` (e.g. the training job's `/opt/ml/model`). */
  readonly modelDir: string;
  /** Defaults to the next minor after the versions on the floor (`1.0.0` for the first). */
  readonly componentVersion?: string;
  /** How long to wait for the floor's verdict; default 120 s. */
  readonly timeoutMs?: number;
}

/**
 * Deploys a trained model to the RUNNING local floor as a new com.croupier.FailureModel version and
 * resolves once FailurePredictor has noticed and loaded it (live, same process). Rejects without touching the floor
 * when the model breaks the FailureModel contract or no floor runs on `stateDir`; rejects with
 * {@link LocalDeploymentFailed} when the floor or the predictor refuses it, in which case the model
 * that ran keeps running.
 */
export async function releaseToLocalFloor(options: LocalReleaseOptions): Promise<LocalDeploymentStatus> {
  const paths = layout(options.stateDir);
  const modelDir = resolve(options.modelDir);
  const model = packageModel(await readModelFolder(modelDir));
  const applier = Number.parseInt(await readFile(paths.applierPidFile, 'utf8').catch(() => ''), 10);
  if (!isAlive(Number.isInteger(applier) ? applier : undefined)) {
    throw new Error(`no local floor is running on ${options.stateDir}; start it first (npm start)`);
  }
  const versions = await readdir(paths.versionsDir).catch(() => [] as string[]);
  const componentVersion = options.componentVersion ?? nextComponentVersion(versions, MODEL_MAJOR_VERSION);
  const deployment: LocalDeployment = LocalDeployment.parse({
    deploymentId: `${Date.now()}-${componentVersion}`,
    component: FAILURE_MODEL,
    componentVersion,
    artifactsDir: modelDir,
    sha256: Object.fromEntries(model.artifacts.map((a) => [a.name, a.sha256Hex])),
  });
  await writeAtomically(
    join(paths.deploymentsDir, `${deployment.deploymentId}.json`),
    `${JSON.stringify(deployment, null, 2)}\n`,
  );
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    const status = await readStatus(paths.deploymentsDir, deployment.deploymentId);
    if (status?.status === 'SUCCEEDED') return status;
    if (status?.status === 'FAILED') throw new LocalDeploymentFailed(status);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `local deployment ${deployment.deploymentId} had no outcome within ${options.timeoutMs ?? 120_000} ms`,
  );
}
