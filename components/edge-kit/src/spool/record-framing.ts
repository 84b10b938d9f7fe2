import { crc32 } from './crc32.js';

/**
 * On-disk framing of one spool record (big-endian):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 4 | payload length N |
 * | 4 | 4 | CRC-32 of bytes 8 .. 16+N |
 * | 8 | 8 | append time, ms epoch (float64) |
 * | 16 | N | payload |
 *
 * A record is valid only when the whole frame is present and its CRC matches, so a write torn by a
 * crash or power loss is detected at the first bad frame and everything before it is kept.
 */
export const RECORD_HEADER_BYTES = 16;
/** No record may claim more than this; a larger length field is treated as corruption. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

export function encodeRecord(payload: Uint8Array, appendedAt: number): Buffer {
  const frame = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.byteLength);
  frame.writeUInt32BE(payload.byteLength, 0);
  frame.writeDoubleBE(appendedAt, 8);
  frame.set(payload, RECORD_HEADER_BYTES);
  frame.writeUInt32BE(crc32(frame.subarray(8)), 4);
  return frame;
}

/** A frame found while scanning a segment: where it starts, how long it is, when it was appended. */
export interface ScannedRecord {
  readonly offset: number;
  readonly length: number;
  readonly appendedAt: number;
}

/**
 * Scans a segment's bytes frame by frame. Returns the valid frames and the offset where valid data
 * ends; `validBytes < bytes.length` means a torn or corrupt tail follows.
 */
export function scanRecords(bytes: Buffer): { records: ScannedRecord[]; validBytes: number } {
  const records: ScannedRecord[] = [];
  let offset = 0;
  while (offset + RECORD_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const end = offset + RECORD_HEADER_BYTES + length;
    if (length > MAX_RECORD_BYTES || end > bytes.length) break;
    if (crc32(bytes.subarray(offset + 8, end)) !== bytes.readUInt32BE(offset + 4)) break;
    records.push({ offset, length: RECORD_HEADER_BYTES + length, appendedAt: bytes.readDoubleBE(offset + 8) });
    offset = end;
  }
  return { records, validBytes: offset };
}

/** The payload of a frame read from disk. */
export function recordPayload(frame: Buffer): Buffer {
  return frame.subarray(RECORD_HEADER_BYTES);
}
