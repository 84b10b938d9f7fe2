import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

/** What a state file held at start: its document, or why it could not be used (a missing file is neither). */
export interface LoadedState<T> {
  readonly document?: T;
  readonly problem?: string;
}

/**
 * A small JSON document a component keeps in its work directory so that a restart (even a kill -9)
 * resumes it: SlotGateway's open card sessions, FailurePredictor's raised alerts. Each save replaces
 * the whole file atomically ({@link writeFileAtomic}); saves are serialised, and saves that arrive while
 * one is being written are coalesced into the next write of the newest document.
 */
export class JsonStateFile<T> {
  #queue: Promise<void> = Promise.resolve();
  #queued: Promise<void> | undefined;
  #next = '';

  constructor(
    private readonly path: string,
    private readonly schema: z.ZodType<T>,
  ) {}

  /** Reads the file; an unreadable or invalid one is reported, not thrown. */
  async load(): Promise<LoadedState<T>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: `not readable: ${(e as Error).message}` };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { problem: 'not JSON' };
    }
    const parsed = this.schema.safeParse(raw);
    return parsed.success ? { document: parsed.data } : { problem: z.prettifyError(parsed.error) };
  }

  /** Resolves when `document`, or a newer one, is durably on disk. */
  save(document: T): Promise<void> {
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
