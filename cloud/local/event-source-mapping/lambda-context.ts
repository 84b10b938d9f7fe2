import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { KinesisInvocationEvent } from './kinesis-event.js';

/** A Lambda handler for events of type `E`; its result is judged as Lambda judges it. */
export type KinesisHandler<E = never> = (event: E, context: Context) => Promise<unknown>;

/**
 * What an event source mapping accepts: a plain Kinesis handler (`KinesisStreamHandler`) or a
 * tumbling-window one (`KinesisStreamTumblingWindowHandler`). Declared with method syntax so either
 * is assignable; which event shape arrives is decided by the mapping's `TumblingWindowInSeconds`,
 * as in Lambda, so a tumbling-window handler belongs on a mapping with windows.
 */
export interface MappedKinesisHandler {
  handle(event: KinesisInvocationEvent, context: Context): Promise<unknown>;
}

export interface FunctionIdentity {
  readonly functionName: string;
  readonly functionArn: string;
  readonly timeoutSeconds: number;
  readonly memoryLimitInMB: number;
}

/** A Lambda context for one invocation, with a live `getRemainingTimeInMillis`. */
export function createLambdaContext(fn: FunctionIdentity, requestId = randomUUID()): Context {
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name} is the callback-era API; return a promise from the handler instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.functionArn,
    memoryLimitInMB: String(fn.memoryLimitInMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${day}/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/** Error raised when a handler outlives its timeout, worded as Lambda reports it. */
export class FunctionTimeoutError extends Error {
  override readonly name = 'FunctionTimeoutError';
}

/**
 * Invokes a handler with a timeout. A timed-out handler keeps running in this process (nothing
 * can stop a promise), but its result is ignored, as Lambda ignores a frozen sandbox's work.
 */
export async function invokeWithTimeout<E>(
  handler: KinesisHandler<E>,
  event: E,
  context: Context,
  timeoutSeconds: number,
): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FunctionTimeoutError(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
      timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
