import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Subscription, Transport } from '../transport/transport.js';

/** Raised when a component's configuration does not pass its schema. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(readonly issues: readonly string[]) {
    super(`invalid configuration: ${issues.join('; ')}`);
  }
}

/** Validates raw configuration with `schema`, returning typed data or a {@link ConfigurationError}. */
export function parseConfiguration<S extends z.ZodType>(
  schema: S,
  raw: unknown,
): { ok: true; value: z.infer<S> } | { ok: false; error: ConfigurationError } {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
  return { ok: false, error: new ConfigurationError(issues) };
}

/**
 * Applies an accepted configuration. Throwing rejects the update: the previous configuration stays
 * in force and the reason is logged.
 */
export type ConfigurationApplier<T> = (next: T, previous: T) => void | Promise<void>;

/**
 * A component's configuration, validated once on load and again on every live update. An update that
 * fails validation (or that the component refuses to apply) is rejected with a logged reason and the
 * running configuration stays; the component never sees invalid configuration.
 */
export class ConfigurationStore<S extends z.ZodType> {
  #current: z.infer<S> | undefined;
  #subscription: Subscription | undefined;
  #appliers: ConfigurationApplier<z.infer<S>>[] = [];
  #queue: Promise<void> = Promise.resolve();
  #rejected = 0;

  constructor(
    private readonly transport: Transport,
    private readonly schema: S,
    private readonly logger: Logger,
  ) {}

  /** Reads and validates the configuration; throws {@link ConfigurationError} if it is invalid. */
  async load(): Promise<z.infer<S>> {
    const parsed = parseConfiguration(this.schema, await this.transport.getConfiguration());
    if (!parsed.ok) throw parsed.error;
    this.#current = parsed.value;
    return parsed.value;
  }

  /** The configuration in force. */
  get current(): z.infer<S> {
    if (this.#current === undefined) throw new Error('configuration not loaded');
    return this.#current;
  }

  /** How many updates were rejected since start. */
  get rejectedUpdates(): number {
    return this.#rejected;
  }

  /** Registers a callback run, in order, for each accepted update. */
  onUpdate(applier: ConfigurationApplier<z.infer<S>>): void {
    this.#appliers.push(applier);
  }

  /** Starts listening for live updates. */
  async watch(): Promise<void> {
    this.#subscription = await this.transport.subscribeToConfigurationUpdate((raw) => {
      this.#queue = this.#queue.then(() => this.#apply(raw));
    });
  }

  /** Resolves once every update received so far has been accepted or rejected. */
  settled(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    await this.#subscription?.close();
    await this.#queue;
  }

  async #apply(raw: unknown): Promise<void> {
    const previous = this.current;
    const parsed = parseConfiguration(this.schema, raw);
    if (!parsed.ok) {
      this.#rejected += 1;
      this.logger.error('configuration update rejected; keeping the running configuration', {
        issues: parsed.error.issues,
      });
      return;
    }
    if (JSON.stringify(parsed.value) === JSON.stringify(previous)) return;
    try {
      for (const apply of this.#appliers) await apply(parsed.value, previous);
    } catch (e) {
      this.#rejected += 1;
      this.logger.error('configuration update could not be applied; keeping the running configuration', {
        error: e,
      });
      for (const apply of this.#appliers) await Promise.resolve(apply(previous, parsed.value)).catch(() => {});
      return;
    }
    this.#current = parsed.value;
    this.logger.info('configuration update applied');
  }
}
