import {
  AddThingToThingGroupCommand,
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateKeysAndCertificateCommand,
  CreateThingCommand,
  type IoTClient,
  RegisterCertificateCommand,
} from '@aws-sdk/client-iot';
import { z } from 'zod';

const thingName = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'thing names use 1-128 of A-Z a-z 0-9 _ . : -');

/** What `registerCore` needs; validated before any AWS call is made. */
export const registerCoreOptionsSchema = z.object({
  thingName,
  /** The IoT policy rendered from `corePolicy` by the CDK app. */
  policyName: z.string().min(1),
  /** The fleet's thing group, whose Greengrass deployment the core then receives. */
  thingGroupName: z.string().min(1).optional(),
  /** Searchable thing attributes, e.g. `{ property: 'vegas' }`. */
  attributes: z.record(z.string(), z.string()).default({}),
  /**
   * `register`: a certificate issued by our own CA (already registered in IoT with RegisterCACertificate).
   * `create`: IoT creates keys and certificate; the private key exists only in the response.
   */
  certificate: z.discriminatedUnion('mode', [
    z.object({ mode: z.literal('register'), certPem: z.string().min(1), caCertPem: z.string().min(1) }),
    z.object({ mode: z.literal('create') }),
  ]),
});

export type RegisterCoreOptions = z.input<typeof registerCoreOptionsSchema>;

export interface RegisteredCore {
  readonly thingName: string;
  readonly thingArn: string;
  readonly certificateArn: string;
  readonly certificateId: string;
  /** Present in `create` mode only: write it with `writeKeyMaterial`, never log it. */
  readonly created?: { readonly certPem: string; readonly keyPem: string };
}

/**
 * Registers a floor core with AWS IoT: CreateThing, an active certificate (RegisterCertificate or
 * CreateKeysAndCertificate), AttachPolicy, AttachThingPrincipal and, if given, AddThingToThingGroup.
 * Each call is idempotent for the same input, so a failed run can simply be repeated.
 */
export async function registerCore(iot: IoTClient, input: RegisterCoreOptions): Promise<RegisteredCore> {
  const options = registerCoreOptionsSchema.parse(input);
  const thing = await iot.send(
    new CreateThingCommand({ thingName: options.thingName, attributePayload: { attributes: options.attributes } }),
  );
  let certificateArn: string | undefined;
  let certificateId: string | undefined;
  let created: RegisteredCore['created'];
  if (options.certificate.mode === 'register') {
    const registered = await iot.send(
      new RegisterCertificateCommand({
        certificatePem: options.certificate.certPem,
        caCertificatePem: options.certificate.caCertPem,
        status: 'ACTIVE',
      }),
    );
    ({ certificateArn, certificateId } = registered);
  } else {
    const keys = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
    ({ certificateArn, certificateId } = keys);
    if (!keys.certificatePem || !keys.keyPair?.PrivateKey)
      throw new Error('CreateKeysAndCertificate returned no key material');
    created = { certPem: keys.certificatePem, keyPem: keys.keyPair.PrivateKey };
  }
  if (!thing.thingArn || !certificateArn || !certificateId)
    throw new Error('AWS IoT returned no thing or certificate ARN');
  await iot.send(new AttachPolicyCommand({ policyName: options.policyName, target: certificateArn }));
  await iot.send(new AttachThingPrincipalCommand({ thingName: options.thingName, principal: certificateArn }));
  if (options.thingGroupName) {
    await iot.send(
      new AddThingToThingGroupCommand({ thingGroupName: options.thingGroupName, thingName: options.thingName }),
    );
  }
  return {
    thingName: options.thingName,
    thingArn: thing.thingArn,
    certificateArn,
    certificateId,
    ...(created ? { created } : {}),
  };
}
