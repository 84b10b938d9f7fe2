import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { LocalCloudEndpoints } from '@croupier/cloud/local/local-cloud';

/** How long the local cloud may take to start (kinesalite, dynalite, DuckDB, processors). */
const START_TIMEOUT_MS = 120_000;

/** The fault rig's local cloud, running in `cloud-process.ts` as a child process. */
export class CloudChild {
  #child: ChildProcess;
  #endpoints: LocalCloudEndpoints;
  readonly #waiting = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  readonly #env: NodeJS.ProcessEnv;
  stderr = '';

  private constructor(child: ChildProcess, endpoints: LocalCloudEndpoints, env: NodeJS.ProcessEnv) {
    this.#child = child;
    this.#endpoints = endpoints;
    this.#env = env;
  }

  /** Starts the local cloud on ephemeral ports, its state under `stateDir`. */
  static async start(stateDir: string, core: string): Promise<CloudChild> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      CROUPIER_STATE_DIR: stateDir,
      FAULT_CORE: core,
      CROUPIER_KINESIS_PORT: '0',
      CROUPIER_DYNAMODB_PORT: '0',
      CROUPIER_SNS_PORT: '0',
      CROUPIER_IOT_PORT: '0',
      CROUPIER_DEVICE_BROKER_PORT: '0',
      CROUPIER_IOT_DATA_PLANE_PORT: '0',
      // Firehose's smallest interval hint is 60 s; one second keeps the lake checks of a fault short.
      CROUPIER_LAKE_BUFFER_SECONDS: '1',
    };
    const cloud = new CloudChild(...(await CloudChild.#spawn(env)), env);
    cloud.#listen();
    return cloud;
  }

  get endpoints(): LocalCloudEndpoints {
    return this.#endpoints;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Sends a command (`iot-stop`, `iot-start`) and waits for its answer. */
  command(name: 'iot-stop' | 'iot-start'): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiting.set(name, { resolve, reject });
      this.#child.stdin!.write(`${name}\n`);
    });
  }

  /** SIGKILL: nothing is flushed, no checkpoint is written, in-memory queues are gone. */
  async kill9(): Promise<void> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGKILL');
    await exited;
  }

  /** Starts the local cloud again on the same state folder and the same ports. */
  async restart(): Promise<void> {
    const port = (url: string) => new URL(url.replace(/^mqtts:/, 'http:')).port;
    const e = this.#endpoints;
    this.#env.CROUPIER_KINESIS_PORT = port(e.kinesis);
    this.#env.CROUPIER_DYNAMODB_PORT = port(e.dynamodb);
    this.#env.CROUPIER_SNS_PORT = port(e.sns);
    this.#env.CROUPIER_IOT_PORT = port(e.iot!);
    this.#env.CROUPIER_DEVICE_BROKER_PORT = port(e.deviceBroker!);
    this.#env.CROUPIER_IOT_DATA_PLANE_PORT = port(e.iotDataPlane!);
    [this.#child, this.#endpoints] = await CloudChild.#spawn(this.#env);
    this.#listen();
  }

  /** Stops cleanly (delivering buffered lake data), or kills it if it does not stop in time. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin!.write('stop\n');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }

  #listen(): void {
    this.#child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = `${this.stderr}${chunk.toString()}`.slice(-20_000);
    });
    createInterface({ input: this.#child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const message = JSON.parse(line) as { done?: string; error?: string };
      for (const [name, waiter] of this.#waiting) {
        if (message.done === name) waiter.resolve();
        else if (message.error) waiter.reject(new Error(message.error));
        else continue;
        this.#waiting.delete(name);
      }
    });
  }

  static async #spawn(env: NodeJS.ProcessEnv): Promise<[ChildProcess, LocalCloudEndpoints]> {
    const entry = new URL('./cloud-process.ts', import.meta.url).pathname;
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), entry], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let errors = '';
    // Both streams kept beside the cloud's state, across restarts, so a row that fails can be explained afterwards.
    const log = createWriteStream(join(env.CROUPIER_STATE_DIR as string, 'cloud.log'), { flags: 'a' });
    child.stderr!.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
      log.write(chunk);
    });
    child.stdout!.on('data', (chunk: Buffer) => log.write(chunk));
    child.once('exit', () => log.end());
    const endpoints = await new Promise<LocalCloudEndpoints>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the local cloud did not start within ${START_TIMEOUT_MS / 1000} s: ${errors}`));
      }, START_TIMEOUT_MS);
      const lines = createInterface({ input: child.stdout! });
      lines.on('line', (line) => {
        if (!line.startsWith('{"ready"')) return;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { ready: LocalCloudEndpoints }).ready);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the local cloud exited with ${code} before it was ready: ${errors}`));
      });
    });
    return [child, endpoints];
  }
}
