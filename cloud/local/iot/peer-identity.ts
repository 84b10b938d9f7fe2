import type { PeerCertificate, TLSSocket } from 'node:tls';
import { normaliseSerialNumber } from '@croupier/certs-tooling';
import { isTopicSegment } from '@croupier/contracts';

/**
 * The verified peer certificate, or undefined. Node answers `null` from `getPeerCertificate()` (or an
 * empty object) once a client has hung up and the TLS handle is gone, which can happen while aedes is
 * still authenticating its CONNECT: that must read as "no identity", never throw.
 */
function verifiedPeerCertificate(conn: unknown): Partial<PeerCertificate> | undefined {
  const socket = conn as Partial<TLSSocket> | null | undefined;
  if (typeof socket?.getPeerCertificate !== 'function' || socket.authorized !== true) return undefined;
  const certificate: Partial<PeerCertificate> | null | undefined = socket.getPeerCertificate();
  return certificate ?? undefined;
}

/**
 * The thing name of an mTLS peer: the single CN of its verified client certificate. Returns
 * undefined when the connection is not TLS, unauthenticated, or the CN is missing, repeated or not
 * a valid topic segment (a CN such as `a/+` must never reach a topic pattern).
 */
export function peerThingName(conn: unknown): string | undefined {
  const cn: unknown = verifiedPeerCertificate(conn)?.subject?.CN;
  return typeof cn === 'string' && isTopicSegment(cn) ? cn : undefined;
}

/** The verified peer certificate's serial number, lower-case hex without leading zeros, as certs-tooling writes it. */
export function peerSerialNumber(conn: unknown): string | undefined {
  const serial: unknown = verifiedPeerCertificate(conn)?.serialNumber;
  return typeof serial === 'string' ? normaliseSerialNumber(serial) : undefined;
}
