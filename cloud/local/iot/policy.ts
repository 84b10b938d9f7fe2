/**
 * A device policy as data: the same statements are rendered into an AWS IoT Core policy document
 * (for the CDK app), into a Greengrass client-device-auth policy (for the core's device broker) and
 * evaluated by the local brokers' authorizer, so the local floor enforces exactly what AWS enforces.
 *
 * Patterns use AWS IoT policy syntax: `*` matches any run of characters (including `/`), `?` one
 * character, and MQTT wildcards `+` and `#` are literal characters, which is how IoT Core matches a
 * subscription's topic filter against `topicfilter/...` resources.
 */

/** The thing-name policy variable, substituted with the connecting principal's thing name. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an AWS IoT policy variable, literal text by design.
export const THING_NAME_VARIABLE = '${iot:Connection.Thing.ThingName}';

/** MQTT operations a policy grants. `receive` is delivery of a message to an existing subscription. */
export type PolicyAction = 'connect' | 'publish' | 'subscribe' | 'receive';

export interface PolicyStatement {
  /** Why the statement exists; carried into rendered documents where the format allows. */
  readonly description: string;
  readonly actions: readonly PolicyAction[];
  /** Client-id patterns for `connect`, topic patterns for `publish`/`receive`, topic-filter patterns for `subscribe`. */
  readonly resources: readonly string[];
}

/** An allow-only policy: anything no statement allows is denied, as in AWS IoT. */
export interface DevicePolicy {
  readonly name: string;
  readonly statements: readonly PolicyStatement[];
}

/** What a principal asks to do: the action and the client id, topic or topic filter it concerns. */
export interface PolicyRequest {
  readonly action: PolicyAction;
  readonly resource: string;
}

function patternToRegExp(pattern: string): RegExp {
  const body = [...pattern]
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 's');
}

/** Substitutes the thing-name variable. Thing names are validated topic segments, so they hold no `*` or `?`. */
function bind(pattern: string, thingName: string): string {
  return pattern.split(THING_NAME_VARIABLE).join(thingName);
}

/** True when some statement of `policy`, bound to `thingName`, allows `request`. */
export function isAllowed(policy: DevicePolicy, thingName: string, request: PolicyRequest): boolean {
  return policy.statements.some(
    (statement) =>
      statement.actions.includes(request.action) &&
      statement.resources.some((pattern) => patternToRegExp(bind(pattern, thingName)).test(request.resource)),
  );
}

const IOT_ACTION: Record<PolicyAction, { action: string; resourceType: string }> = {
  connect: { action: 'iot:Connect', resourceType: 'client' },
  publish: { action: 'iot:Publish', resourceType: 'topic' },
  receive: { action: 'iot:Receive', resourceType: 'topic' },
  subscribe: { action: 'iot:Subscribe', resourceType: 'topicfilter' },
};

/** An AWS IoT Core policy document (`AWS::IoT::Policy` PolicyDocument). */
export interface IotPolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly { Effect: 'Allow'; Action: string[]; Resource: string[] }[];
}

/**
 * Renders `policy` as an AWS IoT Core policy document. `region` and `account` may be CDK tokens.
 * One IoT statement per action, because an IoT resource ARN names its kind (`client/`, `topic/`, `topicfilter/`).
 */
export function renderIotPolicyDocument(
  policy: DevicePolicy,
  target: { readonly region: string; readonly account: string },
): IotPolicyDocument {
  const statements = policy.statements.flatMap((statement) =>
    statement.actions.map((action) => {
      const { action: iotAction, resourceType } = IOT_ACTION[action];
      return {
        Effect: 'Allow' as const,
        Action: [iotAction],
        Resource: statement.resources.map((r) => `arn:aws:iot:${target.region}:${target.account}:${resourceType}/${r}`),
      };
    }),
  );
  return { Version: '2012-10-17', Statement: statements };
}

const CLIENT_DEVICE_OPERATION: Partial<Record<PolicyAction, { operation: string; resourcePrefix: string }>> = {
  connect: { operation: 'mqtt:connect', resourcePrefix: 'mqtt:clientId:' },
  publish: { operation: 'mqtt:publish', resourcePrefix: 'mqtt:topic:' },
  subscribe: { operation: 'mqtt:subscribe', resourcePrefix: 'mqtt:topicfilter:' },
};

/** A policy in the shape of `aws.greengrass.clientdevices.Auth` configuration (`deviceGroups.policies.<name>`). */
export type ClientDeviceAuthPolicy = Record<
  string,
  { statementDescription: string; operations: string[]; resources: string[] }
>;

/**
 * Renders `policy` for Greengrass client-device auth. That component has no receive permission
 * (a subscription implies delivery), so `receive` is dropped.
 */
export function renderClientDeviceAuthPolicy(policy: DevicePolicy): ClientDeviceAuthPolicy {
  const rendered: ClientDeviceAuthPolicy = {};
  policy.statements.forEach((statement, index) => {
    for (const action of statement.actions) {
      const mapping = CLIENT_DEVICE_OPERATION[action];
      if (!mapping) continue;
      rendered[`${policy.name}_${index}_${action}`] = {
        statementDescription: statement.description,
        operations: [mapping.operation],
        resources: statement.resources.map((r) => `${mapping.resourcePrefix}${r}`),
      };
    }
  });
  return rendered;
}
