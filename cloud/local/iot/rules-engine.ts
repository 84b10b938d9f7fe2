import { randomUUID } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { matchesTopicFilter } from '@croupier/contracts';
import type { TopicRuleDefinition } from '../../definitions/topic-rules.js';
import { type IotSqlStatement, parseIotSql, parseTemplate, type Template } from './iot-sql.js';
import { PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_RECORDS, putToKinesis } from './kinesis-action.js';
import { type RuleErrorMessage, writeRuleError } from './rule-error-action.js';
import { MessageEvaluation, type RuleMessage } from './sql-evaluator.js';

/** What happened to one message under one rule. */
export type RuleOutcome =
  | { readonly kind: 'delivered'; readonly rule: string; readonly topic: string; readonly partitionKey: string }
  | {
      readonly kind: 'failed';
      readonly rule: string;
      readonly topic: string;
      readonly errorKey: string;
      readonly reason: string;
    }
  | { readonly kind: 'errorActionFailed'; readonly rule: string; readonly topic: string; readonly reason: string };

export interface RulesEngineOptions {
  readonly rules: readonly TopicRuleDefinition[];
  readonly kinesis: KinesisClient;
  /** The local lake directory: the S3 error action writes its objects under it. */
  readonly lakeDir: string;
  readonly onOutcome: (outcome: RuleOutcome) => void;
  /** `newuuid()`; injectable so tests can name the error object they expect. */
  readonly newUuid?: () => string;
}

interface CompiledRule {
  readonly definition: TopicRuleDefinition;
  readonly statement: IotSqlStatement;
  readonly partitionKey: Template;
  readonly errorKey: Template;
}

/** Parses every rule up front, so a rule outside the supported SQL subset stops startup rather than a message. */
function compile(definition: TopicRuleDefinition): CompiledRule {
  return {
    definition,
    statement: parseIotSql(definition.sql),
    partitionKey: parseTemplate(definition.action.partitionKey),
    errorKey: parseTemplate(definition.errorAction.key),
  };
}

/** A matched message waiting for its rule's Kinesis action. */
interface Pending {
  readonly evaluation: MessageEvaluation;
  readonly partitionKey: string;
  readonly data: Buffer;
}

/** Takes the longest prefix of `queue` that fits one PutRecords call. */
function takeBatch(queue: Pending[]): Pending[] {
  let count = 0;
  let bytes = 0;
  while (count < queue.length && count < PUT_RECORDS_MAX_RECORDS) {
    const item = queue[count]!;
    const size = item.data.length + Buffer.byteLength(item.partitionKey);
    if (count > 0 && bytes + size > PUT_RECORDS_MAX_BYTES) break;
    bytes += size;
    count += 1;
  }
  return queue.splice(0, count);
}

/**
 * The local IoT rules engine: evaluates the rule definitions the CDK app deploys against every
 * message accepted by the broker, runs each rule's Kinesis action through the real AWS SDK, and on
 * failure hands the error message to the rule's S3 error action (the lake directory). Each rule has
 * one queue, drained in arrival order: what accumulates while a call is in flight goes in the next
 * PutRecords, so a core's envelopes keep their order on their shard and bursts cost few round trips.
 */
export class RulesEngine {
  private readonly rules: readonly CompiledRule[];
  private readonly queues = new Map<CompiledRule, Pending[]>();
  private readonly pumps = new Map<CompiledRule, Promise<void>>();

  constructor(private readonly options: RulesEngineOptions) {
    this.rules = options.rules.map(compile);
    for (const rule of this.rules) this.queues.set(rule, []);
  }

  /** Accepts one message the broker has authorised; returns once it is queued, not processed. */
  accept(message: RuleMessage): void {
    for (const rule of this.rules) {
      if (!matchesTopicFilter(rule.statement.from, message.topic)) continue;
      const evaluation = new MessageEvaluation(message, this.options.newUuid);
      if (!evaluation.matches(rule.statement)) continue;
      this.queues.get(rule)!.push({
        evaluation,
        partitionKey: evaluation.render(rule.partitionKey),
        data: evaluation.select(rule.statement),
      });
      if (!this.pumps.has(rule)) this.pumps.set(rule, this.pump(rule));
    }
  }

  /** Resolves once every accepted message has been delivered or handed to its error action. */
  async drain(): Promise<void> {
    while (this.pumps.size > 0) await Promise.all(this.pumps.values());
  }

  private async pump(rule: CompiledRule): Promise<void> {
    const queue = this.queues.get(rule)!;
    // Starting on the next tick lets a burst that arrives together share the first call.
    await Promise.resolve();
    try {
      while (queue.length > 0) await this.deliver(rule, takeBatch(queue));
    } finally {
      this.pumps.delete(rule);
    }
  }

  private async deliver(rule: CompiledRule, batch: Pending[]): Promise<void> {
    const { definition } = rule;
    const results = await putToKinesis(this.options.kinesis, definition.action.streamName, batch);
    await Promise.all(
      batch.map(async ({ evaluation, partitionKey }, index) => {
        const result = results[index]!;
        const { topic } = evaluation.message;
        if (result.ok) this.options.onOutcome({ kind: 'delivered', rule: definition.name, topic, partitionKey });
        else await this.fail(rule, evaluation, result.reason);
      }),
    );
  }

  private async fail(rule: CompiledRule, evaluation: MessageEvaluation, reason: string): Promise<void> {
    const { definition } = rule;
    const { message } = evaluation;
    const errorMessage: RuleErrorMessage = {
      ruleName: definition.name,
      topic: message.topic,
      cloudwatchTraceId: (this.options.newUuid ?? randomUUID)(),
      clientId: message.clientId,
      base64OriginalPayload: message.payload.toString('base64'),
      failures: [{ failedAction: 'KinesisAction', failedResource: definition.action.streamName, errorMessage: reason }],
    };
    try {
      const errorKey = evaluation.render(rule.errorKey);
      await writeRuleError(this.options.lakeDir, errorKey, errorMessage);
      this.options.onOutcome({ kind: 'failed', rule: definition.name, topic: message.topic, errorKey, reason });
    } catch (writeError) {
      const why = writeError instanceof Error ? writeError.message : String(writeError);
      this.options.onOutcome({
        kind: 'errorActionFailed',
        rule: definition.name,
        topic: message.topic,
        reason: `${reason}; ${why}`,
      });
    }
  }
}
