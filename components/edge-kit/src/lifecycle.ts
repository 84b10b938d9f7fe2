import type { Logger } from './logger.js';

/** Work run on shutdown, newest first: flush buffers, close files, then the transport. */
export type ShutdownHook = () => Promise<void> | void;

export interface LifecycleOptions {
  readonly logger: Logger;
  /** Time allowed for every shutdown hook together; keep it below the recipe's Shutdown timeout. */
  readonly shutdownTimeoutMs: number;
  /** Ends the process; injected by tests. */
  readonly exit?: (code: number) => void;
  /** The process whose signals end the component; injected by tests. */
  readonly signals?: Pick<NodeJS.Process, 'once' | 'removeListener'>;
}

/**
 * Graceful shutdown: on SIGTERM (what the Greengrass nucleus sends when it stops a component) or
 * SIGINT, runs the registered hooks newest-first and exits 0 — or exits 1 when they do not finish
 * inside the shutdown timeout, so the nucleus never has to SIGKILL a component mid-write.
 */
export class Lifecycle {
  readonly #hooks: ShutdownHook[] = [];
  readonly #abort = new AbortController();
  #stopping: Promise<number> | undefined;
  readonly #onSignal = (signal: NodeJS.Signals) => {
    void this.shutdown(`received ${signal}`);
  };

  constructor(private readonly options: LifecycleOptions) {}

  /** Aborted when shutdown begins: long-running loops watch it. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Registers a hook; hooks run in reverse order of registration. */
  onShutdown(hook: ShutdownHook): void {
    this.#hooks.push(hook);
  }

  /** Installs the SIGTERM and SIGINT handlers. */
  installSignalHandlers(): void {
    const signals = this.options.signals ?? process;
    signals.once('SIGTERM', this.#onSignal);
    signals.once('SIGINT', this.#onSignal);
  }

  /** Runs the shutdown hooks once and exits; returns the exit code. */
  shutdown(reason: string, exitCode = 0): Promise<number> {
    this.#stopping ??= this.#run(reason, exitCode);
    return this.#stopping;
  }

  async #run(reason: string, exitCode: number): Promise<number> {
    const { logger, shutdownTimeoutMs } = this.options;
    const signals = this.options.signals ?? process;
    signals.removeListener('SIGTERM', this.#onSignal);
    signals.removeListener('SIGINT', this.#onSignal);
    logger.info('shutting down', { reason, shutdownTimeoutMs });
    this.#abort.abort();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), shutdownTimeoutMs);
    });
    const hooks = (async () => {
      for (const hook of [...this.#hooks].reverse()) {
        try {
          await hook();
        } catch (e) {
          logger.error('shutdown step failed', { error: e });
        }
      }
      return 'done' as const;
    })();
    const outcome = await Promise.race([hooks, timedOut]);
    clearTimeout(timer);
    const code = outcome === 'timeout' ? 1 : exitCode;
    if (outcome === 'timeout') logger.error('shutdown did not finish in time; exiting', { shutdownTimeoutMs });
    else logger.info('stopped', { exitCode: code });
    (this.options.exit ?? ((c: number) => process.exit(c)))(code);
    return code;
  }
}
