// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { cryptoProvider } from '@peculiar/x509';

/**
 * Node's WebCrypto, registered once with @peculiar/x509 so every generator in this package signs
 * with the same implementation on Node 20 and Node 22.
 */
export const crypto: webcrypto.Crypto = webcrypto;
cryptoProvider.set(crypto);

/** ECDSA P-256 with SHA-256: supported by AWS IoT Core, Greengrass, s2n (aws-crt) and OpenSSL alike. */
export const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
