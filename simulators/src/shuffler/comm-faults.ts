/**
 * Communication faults a simulated shuffler can show on demand, independent of its physical model.
 * They act at the Modbus layer: the vector delays, withholds or refuses answers; the transports
 * corrupt frames (modbus-serial's server computes CRCs and MBAP headers itself, so corruption has to
 * be applied to the encoded frame on its way out).
 */

/** Modbus exception codes the simulator can answer with. */
export const MODBUS_EXCEPTIONS = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  serverDeviceFailure: 0x04,
  serverDeviceBusy: 0x06,
  gatewayTargetFailedToRespond: 0x0b,
} as const;

/** The faults active on one unit. All off is a healthy device. */
export interface CommFaults {
  /** Stop answering: requests are read and dropped, so the client times out. */
  readonly offline: boolean;
  /** Delay before each answer, real milliseconds. */
  readonly delayMs: number;
  /** Answer every request with this Modbus exception code instead of data. */
  readonly exceptionCode: number | null;
  /** Corrupt every response frame: bad CRC over RTU, a garbled PDU over TCP. */
  readonly corruptFrames: boolean;
}

export const HEALTHY: CommFaults = { offline: false, delayMs: 0, exceptionCode: null, corruptFrames: false };

/** Corrupts an RTU frame (unit, PDU, CRC little-endian) by inverting its CRC: the client sees a CRC error. */
export function corruptRtuFrame(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  const last = out.length - 1;
  out[last] = (out[last] ?? 0) ^ 0xff;
  return out;
}

/**
 * Garbles a Modbus TCP frame (MBAP header, unit, PDU) but keeps the MBAP header and unit id intact, so
 * the client's framing stays in step and it sees an answer that does not parse: a foreign function code
 * and scrambled data.
 */
export function corruptTcpFrame(frame: Buffer): Buffer {
  const out = Buffer.from(frame);
  const functionCodeAt = 7;
  if (out.length > functionCodeAt) out[functionCodeAt] = (out[functionCodeAt] ?? 0) ^ 0x40;
  for (let i = functionCodeAt + 1; i < out.length; i += 1) out[i] = (out[i] ?? 0) ^ 0xa5;
  return out;
}
