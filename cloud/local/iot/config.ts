import { isTopicSegment } from '@croupier/contracts';
import { z } from 'zod';
import { type TopicRuleDefinition, topicRules } from '../../definitions/topic-rules.js';

const pem = (label: string) =>
  z.string().refine((value) => value.includes(`-----BEGIN ${label}-----`), `expected a PEM ${label}`);
const port = z.number().int().min(0).max(65_535).default(0);
const principal = z.string().refine(isTopicSegment, 'a principal is a certificate CN usable as a topic segment');

const ruleSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_]+$/),
  description: z.string(),
  sql: z.string().min(1),
  action: z.object({ kind: z.literal('kinesis'), streamName: z.string().min(1), partitionKey: z.string().min(1) }),
  errorAction: z.object({ kind: z.literal('s3'), key: z.string().min(1) }),
});

/** Configuration of the local IoT Core, validated once at startup. */
export const localIotCoreConfigSchema = z.object({
  /** Loopback by default: the local floor never listens beyond this machine unless told to. */
  host: z.string().default('127.0.0.1'),
  tls: z.object({
    /** The project CA: only client certificates it issued may connect. */
    caPem: pem('CERTIFICATE'),
    /** Server certificate and key for both listeners (SAN must cover `host`). */
    certPem: pem('CERTIFICATE'),
    keyPem: pem('PRIVATE KEY'),
    /** Optional CRL from `certs-tooling revoke`; revoked client certificates fail the handshake. */
    crlPem: pem('X509 CRL').optional(),
  }),
  iot: z
    .object({
      port,
      /** CNs that act for the cloud side and may publish downlinks (see `downlinkServicePolicy`). */
      servicePrincipals: z.array(principal).default(['croupier-floor-api']),
      /**
       * The core devices registered as things of IoT Core, by thing name (certificate CN): the only
       * CNs, beside the service principals, that may connect here, and they get `corePolicy`. As in
       * AWS, where only a core's certificate has the core policy attached, any other certificate the
       * project CA signed (an SMIB's, a client device's) is refused at CONNECT. A device broker's
       * gateway principal is the core that runs that broker, so it is registered too.
       */
      corePrincipals: z.array(principal).default([]),
    })
    .prefault({}),
  deviceBroker: z
    .object({
      port,
      /** CNs that play the core's side of the device broker (see `deviceGatewayPolicy`), normally the core's thing name. */
      gatewayPrincipals: z.array(principal).default([]),
    })
    .prefault({}),
  dataPlane: z
    .object({
      /** HTTP port of the IoT data-plane Publish API (point AWS_ENDPOINT_URL_IOT_DATA_PLANE at it). */
      port,
    })
    .prefault({}),
  kinesis: z
    .object({
      /** Kinesis endpoint, e.g. kinesalite's URL; when absent the SDK's own resolution applies (AWS_ENDPOINT_URL_KINESIS). */
      endpoint: z.url().optional(),
      region: z.string().min(1).default('us-east-1'),
      credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).optional(),
    })
    .prefault({}),
  /** The lake directory; failed rule actions land under its `errors/` zone. */
  lakeDir: z.string().min(1),
  /** Rule definitions; the ones the CDK app deploys unless a test narrows them. */
  rules: z.array(ruleSchema).default(() => [...topicRules]),
});

export type LocalIotCoreConfigInput = z.input<typeof localIotCoreConfigSchema>;
export type LocalIotCoreConfig = z.output<typeof localIotCoreConfigSchema> & { rules: TopicRuleDefinition[] };

/** Parses and validates the configuration; throws a readable error listing every problem. */
export function parseLocalIotCoreConfig(input: unknown): LocalIotCoreConfig {
  const result = localIotCoreConfigSchema.safeParse(input);
  if (!result.success) throw new Error(`invalid local IoT Core configuration:\n${z.prettifyError(result.error)}`);
  return result.data as LocalIotCoreConfig;
}
