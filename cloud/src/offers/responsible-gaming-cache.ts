import type { ResponsibleGamingEntry, ResponsibleGamingStatus } from './responsible-gaming.js';
import { statusOf } from './responsible-gaming.js';

/** The list must take effect within one minute of a change: no cached answer may be older. */
export const MAX_RESPONSIBLE_GAMING_TTL_MS = 60_000;

/** Reads entries from the list, many at a time; absent players are not listed. */
export type ResponsibleGamingLoader = (tokens: readonly string[]) => Promise<Map<string, ResponsibleGamingEntry>>;

/**
 * A bounded, time-limited cache of the responsible-gaming list in front of the table. Entries live
 * at most {@link MAX_RESPONSIBLE_GAMING_TTL_MS}, so a listing made through the API reaches the
 * engine within a minute; the oldest entries are evicted beyond `maxEntries`. A failed read is not
 * cached and yields `unknown`, which blocks offers.
 */
export class ResponsibleGamingCache {
  private readonly entries = new Map<string, { entry: ResponsibleGamingEntry | undefined; loadedAt: number }>();

  constructor(
    private readonly load: ResponsibleGamingLoader,
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly clock: () => number = Date.now,
  ) {
    if (!(ttlMs > 0 && ttlMs <= MAX_RESPONSIBLE_GAMING_TTL_MS)) {
      throw new RangeError(`responsible-gaming cache TTL must be in (0, ${MAX_RESPONSIBLE_GAMING_TTL_MS}] ms`);
    }
  }

  /** Statuses of many players now (wall clock: a listing made a second ago already counts). */
  async statuses(tokens: readonly string[]): Promise<Map<string, ResponsibleGamingStatus>> {
    const now = this.clock();
    const isFresh = (token: string) => {
      const cached = this.entries.get(token);
      return cached !== undefined && now - cached.loadedAt < this.ttlMs;
    };
    const missing = tokens.filter((token) => !isFresh(token));
    let failure: string | undefined;
    if (missing.length > 0) {
      try {
        const loaded = await this.load(missing);
        for (const token of missing) {
          this.entries.delete(token);
          this.entries.set(token, { entry: loaded.get(token), loadedAt: now });
        }
        while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      } catch (error) {
        failure = (error as Error).message;
      }
    }
    const out = new Map<string, ResponsibleGamingStatus>();
    for (const token of tokens) {
      out.set(
        token,
        failure !== undefined && !isFresh(token)
          ? { kind: 'unknown', why: failure }
          : statusOf(this.entries.get(token)?.entry, now),
      );
    }
    return out;
  }
}
