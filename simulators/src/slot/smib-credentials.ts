import { issueCertificate, readKeyMaterial, writeKeyMaterial } from '@croupier/certs-tooling';
import type { BrokerConfig } from './scenario.js';
import type { SmibCredentials } from './smib-client.js';

/**
 * Where each SMIB's certificate comes from: `<certDir>/<machineId>.cert.pem` and `.key.pem`. When a
 * machine has none and the scenario names a CA, one is issued (CN = machine id, client usage) and
 * written there with the key at mode 0600, so later runs reuse it.
 */
export function smibCredentialsFrom(broker: BrokerConfig): (machineId: string) => Promise<SmibCredentials> {
  return async (machineId) => {
    try {
      return await readKeyMaterial(broker.certDir, machineId);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (broker.issueMissingWith === undefined) {
        throw new Error(`no certificate for ${machineId} in ${broker.certDir}, and no CA configured to issue one`);
      }
      const ca = await readKeyMaterial(broker.issueMissingWith.caDir, broker.issueMissingWith.caName);
      const issued = await issueCertificate(ca, { commonName: machineId, usage: 'client' });
      await writeKeyMaterial(broker.certDir, machineId, issued);
      return issued;
    }
  };
}
