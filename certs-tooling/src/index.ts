export {
  type CertificateAuthority,
  type CreateCertificateAuthorityOptions,
  createCertificateAuthority,
} from './certificate-authority.js';
export { type CertificateRequest, createCertificateRequest } from './certificate-request.js';
export {
  type CertificateUsage,
  type IssueCertificateOptions,
  type IssuedCertificate,
  issueCertificate,
  issueCertificateFromCsr,
} from './issue-certificate.js';
export { type KeyMaterial, type KeyMaterialPaths, readKeyMaterial, writeKeyMaterial } from './key-material.js';
export { CA_NAME, CRL_FILE, initLocalCa, issueLocal, loadLocalCa, revokeLocal } from './local-pki.js';
export { createRevocationList, revokedSerialNumbers } from './revocation-list.js';
export { normaliseSerialNumber } from './serial-number.js';
