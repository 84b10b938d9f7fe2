import { readFile } from 'node:fs/promises';
import { EventId, PlayerToken } from '@croupier/contracts';
import { writeFileAtomic } from '@croupier/edge-kit';
import { z } from 'zod';
import type { CardSession } from './session-tracker.js';

/**
 * On-disk form of the open sessions. Only the player token (an HMAC) and the session id are kept: the
 * card number never reaches the disk.
 */
const SessionsDocument = z.strictObject({
  version: z.literal(1),
  sessions: z.record(z.string().min(1), z.strictObject({ playerToken: PlayerToken, sessionId: EventId })),
});

/** What was found at start: the sessions to resume, and why none were if the file was unusable. */
export interface LoadedSessions {
  readonly sessions: Map<string, CardSession>;
  readonly problem?: string;
}

/**
 * The open card sessions of a core, kept in the component work directory so that a restart (even a
 * kill -9) resumes them: games of a session opened before the restart still carry its player token and
 * session id. Each save replaces the whole file atomically (temp file, fsync, rename, directory fsync);
 * a file is at most a few hundred small entries, one per machine with a card in. Saves are serialised,
 * and saves that arrive while one is being written are coalesced into the next write of the newest state.
 */
export class SessionFile {
  #queue: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #next = '';

  constructor(private readonly path: string) {}

  /** Reads the file; a missing file means no open sessions, an unreadable one is reported, not thrown. */
  async load(): Promise<LoadedSessions> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { sessions: new Map() };
      return { sessions: new Map(), problem: `not readable: ${(e as Error).message}` };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { sessions: new Map(), problem: 'not JSON' };
    }
    const parsed = SessionsDocument.safeParse(raw);
    if (!parsed.success) return { sessions: new Map(), problem: z.prettifyError(parsed.error) };
    return { sessions: new Map(Object.entries(parsed.data.sessions)) };
  }

  /** Resolves when `sessions`, or a newer state, is durably on disk. */
  save(sessions: ReadonlyMap<string, CardSession>): Promise<void> {
    const document: z.infer<typeof SessionsDocument> = {
      version: 1,
      sessions: Object.fromEntries(
        [...sessions].map(([machineId, s]) => [machineId, { playerToken: s.playerToken, sessionId: s.sessionId }]),
      ),
    };
    this.#next = JSON.stringify(document);
    if (!this.#queued) {
      const write = this.#queue.then(() => {
        this.#queued = undefined;
        return writeFileAtomic(this.path, this.#next);
      });
      this.#queued = write;
      this.#queue = write.catch(() => {});
    }
    return this.#queued;
  }

  /** Resolves when every save so far has finished. */
  flushed(): Promise<void> {
    return this.#queue;
  }
}
