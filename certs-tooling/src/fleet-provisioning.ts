import { iot, iotidentity, mqtt } from 'aws-iot-device-sdk-v2';
import { z } from 'zod';
import { createCertificateRequest } from './certificate-request.js';

/** Inputs of the fleet-provisioning-by-claim flow, validated before connecting. */
export const fleetProvisioningOptionsSchema = z.object({
  /** IoT data endpoint host (`xxxx-ats.iot.<region>.amazonaws.com`). */
  endpoint: z.string().min(1),
  port: z.number().int().min(1).max(65_535).default(8883),
  /** Trust anchor for the endpoint (Amazon Root CA 1 in AWS, the project CA locally). */
  caPem: z.string().min(1),
  /** The claim certificate shared by the fleet, allowed only to provision. */
  claim: z.object({ certPem: z.string().min(1), keyPem: z.string().min(1) }),
  /** MQTT client id for the claim session; must be unique among concurrent provisioners. */
  clientId: z.string().min(1).max(128),
  templateName: z.string().min(1),
  /** Template parameters, e.g. `{ ThingName: 'core-vegas-01', Property: 'vegas' }`. */
  parameters: z.record(z.string(), z.string()).default({}),
  /**
   * `csr` (default): the device makes its key and sends only a CSR (CreateCertificateFromCsr).
   * `keys`: IoT generates the key pair and returns it once (CreateKeysAndCertificate).
   */
  method: z.enum(['csr', 'keys']).default('csr'),
  timeoutSeconds: z.number().int().positive().default(30),
});

export type FleetProvisioningOptions = z.input<typeof fleetProvisioningOptionsSchema>;

export interface ProvisionedDevice {
  readonly thingName: string;
  readonly certificateId: string;
  readonly certPem: string;
  /** Write with `writeKeyMaterial`; never log. */
  readonly keyPem: string;
  readonly deviceConfiguration: Readonly<Record<string, string>>;
}

/**
 * Runs one provisioning step, turning the SDK's service error into a message naming the step and
 * IoT's rejection (`errorCode: errorMessage`), which the bare `Request failed` does not.
 */
async function step<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const rejection = (error as { modeledError?: { errorCode?: string; errorMessage?: string } }).modeledError;
    if (rejection)
      throw new Error(`${name} rejected: ${rejection.errorCode ?? 'unknown'}: ${rejection.errorMessage ?? ''}`);
    throw new Error(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined || value === '') throw new Error(`fleet provisioning response has no ${what}`);
  return value;
}

/**
 * Runs fleet provisioning by claim over MQTT, as a new core does on first boot: connect with the
 * claim certificate, obtain a certificate (from a CSR, or with IoT-made keys), then RegisterThing
 * with the provisioning template, which creates the thing and activates the certificate.
 */
export async function provisionByClaim(input: FleetProvisioningOptions): Promise<ProvisionedDevice> {
  const options = fleetProvisioningOptionsSchema.parse(input);
  const config = iot.AwsIotMqttConnectionConfigBuilder.new_mtls_builder(options.claim.certPem, options.claim.keyPem)
    .with_certificate_authority(options.caPem)
    .with_endpoint(options.endpoint)
    .with_port(options.port)
    .with_client_id(options.clientId)
    .with_clean_session(true)
    .build();
  const connection = new mqtt.MqttClient().new_connection(config);
  await connection.connect();
  const identity = iotidentity.IotIdentityClientv2.newFromMqtt311(connection, {
    maxRequestResponseSubscriptions: 2,
    maxStreamingSubscriptions: 1,
    operationTimeoutInSeconds: options.timeoutSeconds,
  });
  try {
    let certificate: { certificateId: string; certPem: string; keyPem: string; ownershipToken: string };
    if (options.method === 'csr') {
      const request = await createCertificateRequest(options.parameters.ThingName ?? options.clientId);
      const response = await step('CreateCertificateFromCsr', () =>
        identity.createCertificateFromCsr({ certificateSigningRequest: request.csrPem }),
      );
      certificate = {
        certificateId: required(response.certificateId, 'certificateId'),
        certPem: required(response.certificatePem, 'certificatePem'),
        keyPem: request.keyPem,
        ownershipToken: required(response.certificateOwnershipToken, 'certificateOwnershipToken'),
      };
    } else {
      const response = await step('CreateKeysAndCertificate', () => identity.createKeysAndCertificate({}));
      certificate = {
        certificateId: required(response.certificateId, 'certificateId'),
        certPem: required(response.certificatePem, 'certificatePem'),
        keyPem: required(response.privateKey, 'privateKey'),
        ownershipToken: required(response.certificateOwnershipToken, 'certificateOwnershipToken'),
      };
    }
    const registered = await step('RegisterThing', () =>
      identity.registerThing({
        templateName: options.templateName,
        certificateOwnershipToken: certificate.ownershipToken,
        parameters: options.parameters,
      }),
    );
    return {
      thingName: required(registered.thingName, 'thingName'),
      certificateId: certificate.certificateId,
      certPem: certificate.certPem,
      keyPem: certificate.keyPem,
      deviceConfiguration: registered.deviceConfiguration ?? {},
    };
  } finally {
    identity.close();
    await connection.disconnect();
  }
}
