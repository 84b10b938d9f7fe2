import 'reflect-metadata';
import type { webcrypto } from 'node:crypto';
import { PemConverter } from '@peculiar/x509';
import { crypto, KEY_ALGORITHM } from './crypto-provider.js';

/** Generates an extractable ECDSA P-256 key pair (extractable so the private key can be written once as PKCS#8). */
export async function generateKeyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await crypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

/** Encodes a private key as a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), the form Node tls and aws-crt read. */
export async function exportPrivateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return PemConverter.encode(der, 'PRIVATE KEY');
}

/** Imports a PKCS#8 PEM ECDSA P-256 private key for signing; the imported key is not extractable. */
export async function importSigningKeyPem(keyPem: string): Promise<webcrypto.CryptoKey> {
  const blocks = PemConverter.decodeWithHeaders(keyPem).filter((b) => b.type === 'PRIVATE KEY');
  const block = blocks[0];
  if (!block) throw new Error('expected a PKCS#8 "PRIVATE KEY" PEM block');
  return crypto.subtle.importKey('pkcs8', block.rawData, KEY_ALGORITHM, false, ['sign']);
}
