import type { TLSSocket } from 'node:tls';
import { normaliseSerialNumber } from '@croupier/certs-tooling';
import { isTopicSegment } from '@croupier/contracts';

/**
 * The thing name of an mTLS peer: the single CN of its verified client certificate. Returns
 * undefined when the connection is not TLS, unauthenticated, or the CN is missing, repeated or not
 * a valid topic segment (a CN such as `a/+` must never reach a topic pattern).
 */
export function peerThingName(conn: unknown): string | undefined {
  const socket = conn as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return undefined;
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && isTopicSegment(cn) ? cn : undefined;
}

/** The verified peer certificate's serial number, lower-case hex without leading zeros, as certs-tooling writes it. */
export function peerSerialNumber(conn: unknown): string | undefined {
  const socket = conn as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function' || socket.authorized !== true) return undefined;
  const serial: unknown = socket.getPeerCertificate().serialNumber;
  return typeof serial === 'string' ? normaliseSerialNumber(serial) : undefined;
}
