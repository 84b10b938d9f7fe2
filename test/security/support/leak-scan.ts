import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { brotliDecompressSync, constants, gunzipSync, inflateRawSync } from 'node:zlib';

/** A secret to look for, in every form it could be written in. */
export interface Needle {
  /** What the secret is, for the report (never the secret itself). */
  readonly label: string;
  readonly forms: readonly string[];
  /**
   * Forms match only whole: a digit form as a whole run of digits (a card number inside a longer
   * number, a timestamp, is no hit), any other form as a whole base64 token.
   */
  readonly whole?: boolean;
}

/** One place a secret was found. */
export interface Hit {
  readonly file: string;
  readonly needle: string;
  readonly form: number;
}

/** A file's bytes plus everything compressed inside it, as text the needles are matched against. */
export function expand(bytes: Buffer): string[] {
  const texts = [bytes.toString('latin1')];
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      texts.push(gunzipSync(bytes).toString('latin1'));
    } catch {
      // Not gzip after all: the raw bytes are still scanned.
    }
  }
  // Uplink envelopes (spool segments, error objects) keep a compressed body behind a `CRPE` preamble.
  for (let at = bytes.indexOf('CRPE'); at >= 0 && at + 8 <= bytes.length; at = bytes.indexOf('CRPE', at + 1)) {
    const body = bytes.subarray(at + 8 + bytes.readUInt16BE(at + 6));
    for (const inflate of [
      () => inflateRawSync(body, { finishFlush: constants.Z_SYNC_FLUSH }),
      () => brotliDecompressSync(body, { finishFlush: constants.BROTLI_OPERATION_FLUSH }),
    ]) {
      try {
        texts.push(inflate().toString('latin1'));
      } catch {
        // Not this compression.
      }
    }
  }
  return texts;
}

/** Every file under `dir`, recursively, except those `skip` names (relative paths). */
export async function listFiles(dir: string, skip: (path: string) => boolean): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => !skip(relative(dir, path)));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Scans named texts (files read, table dumps) for every needle in one pass per text; returns each
 * (source, needle) hit once. Whole forms are looked up among the text's digit runs and base64
 * tokens; other hex forms match anywhere in either case; every other form matches anywhere exactly.
 */
export function scan(sources: ReadonlyMap<string, readonly string[]>, needles: readonly Needle[]): Hit[] {
  const digitRuns = new Map<string, { needle: string; form: number }>();
  const tokens = new Map<string, { needle: string; form: number }>();
  const hexForms = new Map<string, { needle: string; form: number }>();
  const exactForms = new Map<string, { needle: string; form: number }>();
  for (const needle of needles) {
    needle.forms.forEach((form, index) => {
      const at = { needle: needle.label, form: index };
      if (needle.whole) (/^\d+$/.test(form) ? digitRuns : tokens).set(form, at);
      else if (/^[0-9a-f]+$/i.test(form)) hexForms.set(form.toLowerCase(), at);
      else exactForms.set(form, at);
    });
  }
  const alternation = (forms: Iterable<string>, flags: string) => {
    const list = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    return list.length > 0 ? new RegExp(list.join('|'), flags) : undefined;
  };
  const hex = alternation(hexForms.keys(), 'gi');
  const exact = alternation(exactForms.keys(), 'g');
  const hits = new Map<string, Hit>();
  const record = (file: string, at: { needle: string; form: number } | undefined) => {
    if (at) hits.set(`${file}\u0000${at.needle}`, { file, ...at });
  };
  for (const [file, texts] of sources) {
    for (const text of texts) {
      for (const [run] of text.matchAll(/\d+/g)) record(file, digitRuns.get(run));
      for (const [token] of text.matchAll(/[A-Za-z0-9+/]{8,}/g)) record(file, tokens.get(token));
      if (hex) for (const [match] of text.matchAll(hex)) record(file, hexForms.get(match.toLowerCase()));
      if (exact) for (const [match] of text.matchAll(exact)) record(file, exactForms.get(match));
    }
  }
  return [...hits.values()];
}

/** Reads files into scan sources, expanded (see {@link expand}). */
export async function readSources(root: string, files: readonly string[]): Promise<Map<string, string[]>> {
  const sources = new Map<string, string[]>();
  for (const file of files) sources.set(relative(root, file), expand(await readFile(file)));
  return sources;
}

/** The base64 lines of a PEM body: each is private key material on its own. */
export function pemBodyLines(pem: string): string[] {
  return pem
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 24 && !line.startsWith('-----'));
}

/** A secret's byte string in hex and base64, the forms a careless writer would use. */
export function encodedForms(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  return [text, bytes.toString('hex'), bytes.toString('base64').replace(/=+$/, '')];
}
