import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { EpochMillis, Identifier, SchemaVersion } from './common.js';
import { ContractError, err, ok, type Result } from './result.js';
import { parseStreamEvent, type StreamEvent } from './streams.js';
import { UPLINK_STREAMS, type UplinkStream } from './topics.js';
import { SCHEMA_VERSION } from './version.js';

/**
 * The uplink envelope: many events of one stream from one core in one compressed MQTT message.
 *
 * Wire layout (big-endian):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | magic `CRPE` |
 * | 4 | 1 | envelope format version, `1` |
 * | 5 | 1 | compression: `0` none, `1` deflate (raw, RFC 1951), `2` brotli |
 * | 6 | 2 | header length H |
 * | 8 | H | header, UTF-8 JSON ({@link EnvelopeHeader}) |
 * | 8+H | rest | body: the events as a UTF-8 JSON array, compressed as stated |
 *
 * The header stays uncompressed so tools and rules can route or inspect an envelope cheaply; the
 * body is decoded event by event so one bad event never loses the good ones beside it.
 */
export const ENVELOPE_MAGIC = 'CRPE';
export const ENVELOPE_FORMAT_VERSION = 1;
/** Refuse bodies that inflate beyond this: a 128 KB MQTT message has no business decompressing to more. */
export const MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024;

export const COMPRESSIONS = ['none', 'deflate', 'brotli'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

export const EnvelopeHeader = z
  .object({
    stream: z.enum(UPLINK_STREAMS),
    property: Identifier,
    core: Identifier.describe('Thing name of the publishing core'),
    seq: z.int().min(0).describe('Per core and stream, +1 per envelope; gaps and repeats are visible to the cloud'),
    schemaVersion: SchemaVersion,
    count: z.int().min(0).max(100_000).describe('Number of events in the body'),
    createdAt: EpochMillis,
  })
  .meta({ id: 'EnvelopeHeader', description: 'Header of an uplink envelope.' });
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

/** An event the decoder refused, with where it sat in the envelope and why. */
export interface RejectedEvent {
  readonly index: number;
  readonly error: ContractError;
  readonly raw: unknown;
}

export interface DecodedEnvelope<S extends UplinkStream = UplinkStream> {
  readonly header: EnvelopeHeader & { stream: S };
  readonly compression: Compression;
  readonly events: StreamEvent<S>[];
  readonly rejected: RejectedEvent[];
}

export interface EnvelopeInput<S extends UplinkStream> {
  readonly stream: S;
  readonly property: string;
  readonly core: string;
  readonly seq: number;
  readonly createdAt: number;
  readonly events: readonly StreamEvent<S>[];
}

const COMPRESSION_CODES: Record<Compression, number> = { none: 0, deflate: 1, brotli: 2 };

function compress(body: Buffer, compression: Compression): Buffer {
  switch (compression) {
    case 'none':
      return body;
    case 'deflate':
      return deflateRawSync(body, { level: 6 });
    case 'brotli':
      return brotliCompressSync(body, {
        params: {
          [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
          [constants.BROTLI_PARAM_QUALITY]: 5,
          [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
        },
      });
  }
}

function decompress(body: Uint8Array, compression: Compression): Buffer {
  switch (compression) {
    case 'none':
      if (body.byteLength > MAX_DECOMPRESSED_BYTES) throw new RangeError('body too large');
      return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    case 'deflate':
      return inflateRawSync(body, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
    case 'brotli':
      return brotliDecompressSync(body, { maxOutputLength: MAX_DECOMPRESSED_BYTES });
  }
}

/**
 * Encodes events of one stream into an envelope. Events are written as given: producers validate
 * them when they are made, and the decoder validates them again on the other side.
 */
export function encodeEnvelope<S extends UplinkStream>(input: EnvelopeInput<S>, compression: Compression): Uint8Array {
  const header: EnvelopeHeader = {
    stream: input.stream,
    property: input.property,
    core: input.core,
    seq: input.seq,
    schemaVersion: SCHEMA_VERSION,
    count: input.events.length,
    createdAt: input.createdAt,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  if (headerBytes.byteLength > 0xffff) throw new RangeError('envelope header exceeds 65535 bytes');
  const body = compress(Buffer.from(JSON.stringify(input.events), 'utf8'), compression);
  const out = Buffer.allocUnsafe(8 + headerBytes.byteLength + body.byteLength);
  out.write(ENVELOPE_MAGIC, 0, 'latin1');
  out.writeUInt8(ENVELOPE_FORMAT_VERSION, 4);
  out.writeUInt8(COMPRESSION_CODES[compression], 5);
  out.writeUInt16BE(headerBytes.byteLength, 6);
  headerBytes.copy(out, 8);
  body.copy(out, 8 + headerBytes.byteLength);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

const malformed = (reason: string, path = '') => err(new ContractError('malformed_envelope', [{ path, reason }]));

/** Reads only the header of an envelope, without decompressing the body. */
export function decodeEnvelopeHeader(
  bytes: Uint8Array,
): Result<{ header: EnvelopeHeader; compression: Compression; bodyOffset: number }> {
  if (bytes.byteLength < 8) return malformed(`envelope is ${bytes.byteLength} bytes, shorter than its 8-byte preamble`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, 4) !== ENVELOPE_MAGIC) return malformed('missing CRPE magic', 'magic');
  const format = buf.readUInt8(4);
  if (format !== ENVELOPE_FORMAT_VERSION) return malformed(`unknown envelope format ${format}`, 'format');
  const compression = COMPRESSIONS[buf.readUInt8(5)];
  if (compression === undefined) return malformed(`unknown compression code ${buf.readUInt8(5)}`, 'compression');
  const headerLength = buf.readUInt16BE(6);
  if (8 + headerLength > buf.byteLength) return malformed('header runs past the end of the message', 'header');
  let headerJson: unknown;
  try {
    headerJson = JSON.parse(buf.toString('utf8', 8, 8 + headerLength));
  } catch {
    return malformed('header is not JSON', 'header');
  }
  const header = EnvelopeHeader.safeParse(headerJson);
  if (!header.success) {
    const issues = ContractError.fromZod(header.error).issues.map((i) => ({ ...i, path: `header.${i.path}` }));
    return err(new ContractError('malformed_envelope', issues));
  }
  return ok({ header: header.data, compression, bodyOffset: 8 + headerLength });
}

/**
 * Decodes an envelope. Whole-envelope problems (bad magic, header, compression, JSON, or a count that
 * does not match the body, i.e. truncation) return an error; otherwise every event is validated on its
 * own and refused events are returned in `rejected` beside the good ones. Never throws.
 */
export function decodeEnvelope(bytes: Uint8Array): Result<DecodedEnvelope> {
  const head = decodeEnvelopeHeader(bytes);
  if (!head.ok) return head;
  const { header, compression, bodyOffset } = head.value;
  let body: Buffer;
  try {
    body = decompress(bytes.subarray(bodyOffset), compression);
  } catch (e) {
    const code =
      e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
        ? 'too_large'
        : 'decompression_failed';
    return err(new ContractError(code, [{ path: 'body', reason: (e as Error).message }]));
  }
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return err(new ContractError('invalid_json', [{ path: 'body', reason: 'body is not a JSON array' }]));
  }
  if (!Array.isArray(raw)) return malformed('body is not a JSON array', 'body');
  if (raw.length !== header.count)
    return malformed(`header says ${header.count} events, body has ${raw.length}`, 'count');
  const events: StreamEvent[] = [];
  const rejected: RejectedEvent[] = [];
  raw.forEach((item, index) => {
    const parsed = parseStreamEvent(header.stream, item);
    if (parsed.ok) events.push(parsed.value);
    else rejected.push({ index, error: parsed.error, raw: item });
  });
  return ok({ header, compression, events, rejected });
}
