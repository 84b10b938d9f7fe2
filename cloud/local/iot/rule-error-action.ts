import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';

/** One failed action, as IoT Core lists it in the error-action message. */
export interface RuleActionFailure {
  /** IoT Core's action name, e.g. `KinesisAction`. */
  readonly failedAction: string;
  /** The stream (or other resource) the action wrote to. */
  readonly failedResource: string;
  readonly errorMessage: string;
}

/**
 * The message IoT Core hands a rule's error action: one per rule and message, with every failed
 * action of that rule, and the original payload in base64 so binary envelopes survive intact.
 */
export interface RuleErrorMessage {
  readonly ruleName: string;
  readonly topic: string;
  readonly cloudwatchTraceId: string;
  readonly clientId: string;
  readonly base64OriginalPayload: string;
  readonly failures: readonly RuleActionFailure[];
}

/**
 * The S3 error action against the local lake: writes the error message as the object `key` (the
 * rendered key template, e.g. `errors/iot-rules/<rule>/<timestamp>-<uuid>`) under `lakeDir`, where
 * the production action would put it in the lake bucket. Returns the file path.
 */
export async function writeRuleError(lakeDir: string, key: string, message: RuleErrorMessage): Promise<string> {
  const root = resolve(lakeDir);
  const path = resolve(root, key);
  if (key === '' || relative(root, path).startsWith(`..${sep}`) || path === root) {
    throw new Error(`error key "${key}" escapes the lake directory`);
  }
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(message)}\n`, { flag: 'wx' });
  return path;
}
