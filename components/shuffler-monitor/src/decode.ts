import { type PointDefinition, pointWidth } from './register-map.js';

/** A decoded engineering value. */
export type PointValue = number | boolean | string;

/** Raw data one read returned: 16-bit registers, or bits for coil/discrete tables. */
export type RawBlock =
  | { readonly kind: 'registers'; readonly data: readonly number[] }
  | { readonly kind: 'bits'; readonly data: readonly boolean[] };

/** Raised when a block is too short for a point; a planner bug or a device that answered short. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

function swap16(word: number): number {
  return ((word & 0xff) << 8) | ((word >> 8) & 0xff);
}

/**
 * Lays the point's registers out as big-endian bytes: word order first decides which register is most
 * significant, then byte order decides the byte order inside each register.
 */
function toBigEndianBytes(words: readonly number[], point: PointDefinition, reorderWords: boolean): Buffer {
  const ordered = reorderWords && point.wordOrder === 'little' ? [...words].reverse() : words;
  const bytes = Buffer.alloc(ordered.length * 2);
  ordered.forEach((word, i) => {
    bytes.writeUInt16BE(point.byteOrder === 'little' ? swap16(word) : word, i * 2);
  });
  return bytes;
}

function label(point: PointDefinition, code: number): string {
  const value = point.values?.[code];
  if (value === undefined) throw new DecodeError(`${point.name}: unknown code ${code}`);
  return value;
}

function scaled(raw: number, point: PointDefinition): number {
  return raw * point.scale + point.offset;
}

/**
 * Decodes one point from a block read at `blockAddress`. Pure: the same registers always decode to the
 * same value. 64-bit integers above 2^53 lose precision in the returned number; shuffler counters never
 * get there.
 */
export function decodePoint(point: PointDefinition, block: RawBlock, blockAddress: number): PointValue {
  const start = point.address - blockAddress;
  if (block.kind === 'bits') {
    const bit = block.data[start];
    if (bit === undefined) throw new DecodeError(`${point.name}: block has no bit at offset ${start}`);
    return bit;
  }
  const width = pointWidth(point);
  const words = block.data.slice(start, start + width);
  if (start < 0 || words.length !== width) {
    throw new DecodeError(`${point.name}: needs ${width} registers at offset ${start}, block has ${block.data.length}`);
  }
  if (point.type === 'bit') {
    const word = point.byteOrder === 'little' ? swap16(words[0]!) : words[0]!;
    return ((word >> (point.bit ?? 0)) & 1) === 1;
  }
  if (point.type === 'string') {
    // Characters are sequential across registers, so word order does not apply to strings.
    return toBigEndianBytes(words, point, false)
      .toString('latin1')
      .replace(/[\0 ]+$/, '');
  }
  const bytes = toBigEndianBytes(words, point, true);
  switch (point.type) {
    case 'int16':
      return point.values ? label(point, bytes.readInt16BE(0)) : scaled(bytes.readInt16BE(0), point);
    case 'uint16':
      return point.values ? label(point, bytes.readUInt16BE(0)) : scaled(bytes.readUInt16BE(0), point);
    case 'int32':
      return scaled(bytes.readInt32BE(0), point);
    case 'uint32':
      return scaled(bytes.readUInt32BE(0), point);
    case 'int64':
      return scaled(Number(bytes.readBigInt64BE(0)), point);
    case 'uint64':
      return scaled(Number(bytes.readBigUInt64BE(0)), point);
    case 'float32':
      return scaled(bytes.readFloatBE(0), point);
    case 'float64':
      return scaled(bytes.readDoubleBE(0), point);
  }
}

/**
 * Encodes an engineering value into registers the way `decodePoint` reads them back. Used by tests and
 * the benchmark to load a server with known values; the inverse property is unit-tested.
 */
export function encodePoint(point: PointDefinition, value: PointValue): number[] {
  if (point.type === 'bit') throw new DecodeError(`${point.name}: bits are set with their register or coil`);
  const bytes = Buffer.alloc(pointWidth(point) * 2);
  if (point.type === 'string') {
    bytes.write(String(value), 'latin1');
  } else if (point.values) {
    const code = point.values.indexOf(String(value));
    if (code < 0) throw new DecodeError(`${point.name}: "${String(value)}" is not an enumeration label`);
    bytes.writeUInt16BE(code);
  } else {
    const raw = (Number(value) - point.offset) / point.scale;
    const whole = Math.round(raw);
    switch (point.type) {
      case 'int16':
        bytes.writeInt16BE(whole);
        break;
      case 'uint16':
        bytes.writeUInt16BE(whole);
        break;
      case 'int32':
        bytes.writeInt32BE(whole);
        break;
      case 'uint32':
        bytes.writeUInt32BE(whole);
        break;
      case 'int64':
        bytes.writeBigInt64BE(BigInt(whole));
        break;
      case 'uint64':
        bytes.writeBigUInt64BE(BigInt(whole));
        break;
      case 'float32':
        bytes.writeFloatBE(raw);
        break;
      case 'float64':
        bytes.writeDoubleBE(raw);
        break;
    }
  }
  const words: number[] = [];
  for (let i = 0; i < bytes.length; i += 2) {
    const word = bytes.readUInt16BE(i);
    words.push(point.byteOrder === 'little' ? swap16(word) : word);
  }
  return point.type !== 'string' && point.wordOrder === 'little' ? words.reverse() : words;
}
