import { randomBytes } from 'node:crypto';

/**
 * A random 128-bit certificate serial number as lower-case hex. The first byte is kept in 0x01..0x7f
 * so the DER INTEGER is positive, has no leading zero octet, and the hex we hand out is exactly the
 * hex that the certificate, the CRL and `openssl x509 -serial` show.
 */
export function randomSerialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! % 0x7f) + 1;
  return bytes.toString('hex');
}

/** Normalises a serial number given by a person or another tool (colons, case, leading zeros). */
export function normaliseSerialNumber(serial: string): string {
  const hex = serial.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex)) throw new Error(`serial number "${serial}" is not hexadecimal`);
  const trimmed = hex.replace(/^0+(?=.)/, '');
  return trimmed.length % 2 === 0 ? trimmed : `0${trimmed}`;
}
