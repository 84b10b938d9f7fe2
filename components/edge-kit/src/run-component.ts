import { rm, writeFile } from 'node:fs/promises';
import type { z } from 'zod';
import { ConfigurationError, ConfigurationStore, parseConfiguration } from './configuration/configuration-store.js';
import { Lifecycle, type ShutdownHook } from './lifecycle.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { createTransportFromEnvironment } from './transport/create-transport.js';
import type { ComponentUpdateHandler, Transport } from './transport/transport.js';

/** What a component's `start` receives. */
export interface ComponentContext<C> {
  /** `com.croupier.<Name>`. */
  readonly name: string;
  readonly version: string;
  /** The core's thing name (`AWS_IOT_THING_NAME`, set by the nucleus). */
  readonly thingName: string;
  readonly transport: Transport;
  readonly logger: Logger;
  /** The validated configuration at start; later changes arrive through `reconfigure`. */
  readonly configuration: C;
  /** Aborted when shutdown begins. */
  readonly signal: AbortSignal;
  /** Registers extra shutdown work; it runs after the component's `stop` and before the transport closes. */
  onShutdown(hook: ShutdownHook): void;
}

/** A started component. */
export interface RunningComponent<C> {
  /**
   * Applies a validated configuration update. Throw to refuse it: the previous configuration stays and
   * the reason is logged.
   */
  reconfigure?(next: C, previous: C): void | Promise<void>;
  /** Decides whether a pending deployment may restart the component now. */
  readonly onComponentUpdate?: ComponentUpdateHandler;
  /** Flushes and releases everything; must finish inside the shutdown timeout. */
  stop(): Promise<void>;
}

/** A component: its identity, configuration schema and how to start it. */
export interface ComponentDefinition<S extends z.ZodType> {
  readonly name: string;
  readonly version: string;
  /** zod schema of the component configuration (the recipe's DefaultConfiguration must pass it). */
  readonly configuration: S;
  /** Keep below the recipe's `Lifecycle.Shutdown.Timeout`. Defaults to 10 s. */
  readonly shutdownTimeoutMs?: number;
  start(context: ComponentContext<z.infer<S>>): Promise<RunningComponent<z.infer<S>>>;
}

/** Test and embedding seams; production entry points pass nothing. */
export interface RunOptions {
  readonly transport?: Transport;
  readonly env?: NodeJS.ProcessEnv;
  readonly exit?: (code: number) => void;
  readonly signals?: Pick<NodeJS.Process, 'once' | 'removeListener'>;
  readonly logSink?: (line: string) => void;
}

/** A running component, as returned by {@link runComponent}. */
export interface ComponentHandle<S extends z.ZodType> {
  /** Absent only when no transport could be created and the component exited. */
  readonly configuration?: ConfigurationStore<S>;
  readonly lifecycle: Lifecycle;
  /** Stops the component as SIGTERM would; resolves with the exit code. */
  stop(reason?: string): Promise<number>;
}

/**
 * Runs a component: picks the transport from the environment (Greengrass IPC on a core, MQTT over TLS
 * on the local floor), loads and validates configuration, starts the component, reports RUNNING, applies
 * live configuration updates (rejecting invalid ones), answers deployment update notices, and on
 * SIGTERM stops it within the shutdown timeout. Invalid configuration at start or a failing start
 * reports ERRORED and exits 1. Entry points are one call:
 *
 * ```ts
 * await runComponent({ name: 'com.croupier.Uplink', version, configuration: UplinkConfiguration, start: startUplink });
 * ```
 */
export async function runComponent<S extends z.ZodType>(
  definition: ComponentDefinition<S>,
  options: RunOptions = {},
): Promise<ComponentHandle<S>> {
  const env = options.env ?? process.env;
  const logger = createLogger({
    component: definition.name,
    level: (env.CROUPIER_LOG_LEVEL as LogLevel | undefined) ?? 'info',
    ...(options.logSink ? { sink: options.logSink } : {}),
  });
  const lifecycle = new Lifecycle({
    logger,
    shutdownTimeoutMs: definition.shutdownTimeoutMs ?? 10_000,
    ...(options.exit ? { exit: options.exit } : {}),
    ...(options.signals ? { signals: options.signals } : {}),
  });
  lifecycle.installSignalHandlers();
  let transport: Transport;
  try {
    transport = options.transport ?? (await createTransportFromEnvironment(env, logger));
  } catch (e) {
    logger.error('no transport; not starting', { error: e });
    await lifecycle.shutdown('no transport', 1);
    return { lifecycle, stop: (reason = 'stop requested') => lifecycle.shutdown(reason) };
  }
  const thingName = env.AWS_IOT_THING_NAME;
  const store = new ConfigurationStore(transport, definition.configuration, logger);
  const handle: ComponentHandle<S> = {
    configuration: store,
    lifecycle,
    stop: (reason = 'stop requested') => lifecycle.shutdown(reason),
  };
  lifecycle.onShutdown(() => transport.close());
  try {
    if (!thingName) throw new Error('AWS_IOT_THING_NAME is not set');
    const pidFile = env.CROUPIER_PID_FILE;
    if (pidFile) {
      // The recipe's Shutdown step signals this pid and waits for the flush, instead of relying on the
      // nucleus' own grace period between SIGTERM and SIGKILL.
      await writeFile(pidFile, String(process.pid));
      lifecycle.onShutdown(() => rm(pidFile, { force: true }));
    }
    await transport.connect();
    const configuration = await store.load();
    const running = await definition.start({
      name: definition.name,
      version: definition.version,
      thingName,
      transport,
      logger,
      configuration,
      signal: lifecycle.signal,
      onShutdown: (hook) => lifecycle.onShutdown(hook),
    });
    lifecycle.onShutdown(() => store.close());
    lifecycle.onShutdown(() => running.stop());
    if (running.reconfigure) store.onUpdate((next, previous) => running.reconfigure?.(next, previous));
    await store.watch();
    const validation = await transport.validateConfigurationUpdates((raw) => {
      const parsed = parseConfiguration(definition.configuration, raw);
      return parsed.ok ? undefined : parsed.error.message;
    });
    lifecycle.onShutdown(() => validation.close());
    if (running.onComponentUpdate) {
      const updates = await transport.onComponentUpdate(running.onComponentUpdate);
      lifecycle.onShutdown(() => updates.close());
    }
    await transport.updateState('RUNNING');
    logger.info('running', { version: definition.version, transport: transport.kind });
  } catch (e) {
    logger.error(e instanceof ConfigurationError ? 'invalid configuration; not starting' : 'failed to start', {
      error: e,
      ...(e instanceof ConfigurationError ? { issues: e.issues } : {}),
    });
    await transport.updateState('ERRORED').catch(() => {});
    await lifecycle.shutdown('start failed', 1);
  }
  return handle;
}
