import { EventId, PlayerToken } from '@croupier/contracts';
import { JsonStateFile } from '@croupier/edge-kit';
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
 * session id. A file is at most a few hundred small entries, one per machine with a card in, replaced
 * whole on every save ({@link JsonStateFile}).
 */
export class SessionFile {
  readonly #file: JsonStateFile<z.infer<typeof SessionsDocument>>;

  constructor(path: string) {
    this.#file = new JsonStateFile(path, SessionsDocument);
  }

  /** Reads the file; a missing file means no open sessions, an unreadable one is reported, not thrown. */
  async load(): Promise<LoadedSessions> {
    const { document, problem } = await this.#file.load();
    if (problem !== undefined) return { sessions: new Map(), problem };
    return { sessions: new Map(Object.entries(document?.sessions ?? {})) };
  }

  /** Resolves when `sessions`, or a newer state, is durably on disk. */
  save(sessions: ReadonlyMap<string, CardSession>): Promise<void> {
    return this.#file.save({
      version: 1,
      sessions: Object.fromEntries(
        [...sessions].map(([machineId, s]) => [machineId, { playerToken: s.playerToken, sessionId: s.sessionId }]),
      ),
    });
  }

  /** Resolves when every save so far has finished. */
  flushed(): Promise<void> {
    return this.#file.flushed();
  }
}
