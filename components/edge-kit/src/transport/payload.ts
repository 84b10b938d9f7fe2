/**
 * Normalises what the Greengrass and CRT clients hand over as a payload (string, ArrayBuffer, a typed
 * array or, for Greengrass JSON messages, a parsed value) into a Buffer.
 */
export function toBuffer(payload: unknown): Buffer {
  if (payload === undefined || payload === null) return Buffer.alloc(0);
  if (Buffer.isBuffer(payload)) return payload;
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  // The CRT hands an empty payload as an already detached ArrayBuffer (byteLength 0), which
  // `Buffer.from` refuses to view.
  if (payload instanceof ArrayBuffer) return payload.byteLength === 0 ? Buffer.alloc(0) : Buffer.from(payload);
  if (ArrayBuffer.isView(payload)) return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return Buffer.from(JSON.stringify(payload), 'utf8');
}
