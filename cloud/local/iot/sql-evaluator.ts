import { randomUUID } from 'node:crypto';
import type { Expression, IotSqlStatement, Template } from './iot-sql.js';

/** One message as the rules engine sees it. */
export interface RuleMessage {
  readonly topic: string;
  readonly payload: Buffer;
  readonly clientId: string;
  /** Epoch ms when the broker received the message: what `timestamp()` returns. */
  readonly receivedAt: number;
}

/** SQL value; `undefined` is IoT SQL's Undefined (missing field, non-JSON payload, unknown topic level). */
type Value = string | number | boolean | null | object | undefined;

/**
 * Evaluation of one message: the payload is parsed as JSON at most once and only if an expression
 * reads a field, so binary payloads selected with `*` are never touched.
 */
export class MessageEvaluation {
  private json: { parsed: Value } | undefined;

  constructor(
    readonly message: RuleMessage,
    private readonly newUuid: () => string = randomUUID,
  ) {}

  private payloadJson(): Value {
    if (!this.json) {
      try {
        this.json = { parsed: JSON.parse(this.message.payload.toString('utf8')) as Value };
      } catch {
        this.json = { parsed: undefined };
      }
    }
    return this.json.parsed;
  }

  evaluate(expression: Expression): Value {
    switch (expression.kind) {
      case 'literal':
        return expression.value;
      case 'field':
        return expression.path.reduce<Value>(
          (value, key) =>
            value !== null && typeof value === 'object' && !Array.isArray(value)
              ? (value as Record<string, Value>)[key]
              : undefined,
          this.payloadJson(),
        );
      case 'call':
        return this.call(expression);
      case 'not': {
        const operand = this.evaluate(expression.operand);
        return typeof operand === 'boolean' ? !operand : undefined;
      }
      case 'logical': {
        const left = this.evaluate(expression.left);
        const right = this.evaluate(expression.right);
        if (typeof left !== 'boolean' || typeof right !== 'boolean') return undefined;
        return expression.operator === 'AND' ? left && right : left || right;
      }
      case 'compare':
        return compare(expression.operator, this.evaluate(expression.left), this.evaluate(expression.right));
    }
  }

  private call(expression: Extract<Expression, { kind: 'call' }>): Value {
    switch (expression.name) {
      case 'timestamp':
        return this.message.receivedAt;
      case 'newuuid':
        return this.newUuid();
      case 'clientid':
        return this.message.clientId;
      case 'topic': {
        const arg = expression.args[0];
        if (!arg) return this.message.topic;
        const index = this.evaluate(arg) as number;
        return this.message.topic.split('/')[index - 1];
      }
    }
  }

  /** WHERE: only a true condition passes; false and Undefined do not, as in IoT SQL. */
  matches(statement: IotSqlStatement): boolean {
    return statement.where === undefined || this.evaluate(statement.where) === true;
  }

  /**
   * The rule's output bytes. `SELECT *` passes the payload through byte for byte (binary envelopes
   * included); named items produce a JSON object without its Undefined members.
   */
  select(statement: IotSqlStatement): Buffer {
    if (statement.select === 'all') return this.message.payload;
    const output: Record<string, Value> = {};
    for (const item of statement.select) {
      const value = this.evaluate(item.expression);
      if (value !== undefined) output[item.name] = value;
    }
    return Buffer.from(JSON.stringify(output), 'utf8');
  }

  /** Renders a substitution template; Undefined renders as the empty string. */
  render(template: Template): string {
    return template
      .map((part) => {
        if (typeof part === 'string') return part;
        const value = this.evaluate(part);
        if (value === undefined || value === null) return '';
        return typeof value === 'object' ? JSON.stringify(value) : String(value);
      })
      .join('');
  }
}

function compare(operator: string, left: Value, right: Value): boolean | undefined {
  if (left === undefined || right === undefined) return undefined;
  if (operator === '=') return left === right;
  if (operator === '<>') return left !== right;
  const comparable =
    (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string');
  if (!comparable) return undefined;
  const l = left as number | string;
  const r = right as number | string;
  switch (operator) {
    case '<':
      return l < r;
    case '<=':
      return l <= r;
    case '>':
      return l > r;
    default:
      return l >= r;
  }
}
