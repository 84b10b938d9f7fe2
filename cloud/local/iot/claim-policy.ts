import type { DevicePolicy } from './policy.js';

/**
 * The policy of the fleet's shared claim certificate: it may do nothing but run fleet provisioning
 * with `templateName` (certificates from CSR or with new keys, then RegisterThing). The client id
 * is free because no thing exists yet; that is why this certificate must be good for nothing else.
 * The CDK app renders it with `renderIotPolicyDocument(claimPolicy(name), { region, account })`.
 */
export function claimPolicy(templateName: string): DevicePolicy {
  if (!/^[0-9A-Za-z_-]{1,36}$/.test(templateName))
    throw new Error(`invalid provisioning template name "${templateName}"`);
  const topics = [
    '$aws/certificates/create/json*',
    '$aws/certificates/create-from-csr/json*',
    `$aws/provisioning-templates/${templateName}/provision/json*`,
  ];
  return {
    name: 'CroupierProvisioningClaimPolicy',
    statements: [
      {
        description: 'The claim connects with any client id: no thing exists yet.',
        actions: ['connect'],
        resources: ['*'],
      },
      {
        description: 'The claim publishes provisioning requests and receives their answers only.',
        actions: ['publish', 'receive'],
        resources: topics,
      },
      { description: 'The claim subscribes to provisioning answers only.', actions: ['subscribe'], resources: topics },
    ],
  };
}
