/**
 * Parser for the subset of AWS IoT SQL (version 2016-03-23) that Croupier's rules use:
 * `SELECT * | expr [AS name], ... FROM 'topic/filter' [WHERE condition]`, where expressions are
 * literals, payload field paths, `topic(n)`, `timestamp()`, `newuuid()` and `clientid()`, combined
 * with comparisons, AND, OR and NOT. Anything else is refused at parse time, so a rule that the
 * local engine cannot evaluate faithfully fails loudly instead of silently routing differently.
 */

export type Expression =
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | { readonly kind: 'field'; readonly path: readonly string[] }
  | { readonly kind: 'call'; readonly name: SqlFunction; readonly args: readonly Expression[] }
  | { readonly kind: 'not'; readonly operand: Expression }
  | { readonly kind: 'logical'; readonly operator: 'AND' | 'OR'; readonly left: Expression; readonly right: Expression }
  | {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly left: Expression;
      readonly right: Expression;
    };

export type SqlFunction = 'topic' | 'timestamp' | 'newuuid' | 'clientid';
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export interface SelectItem {
  readonly expression: Expression;
  /** Output key: the alias, or the last segment of a field path. */
  readonly name: string;
}

export interface IotSqlStatement {
  /** `all` for `SELECT *`: the payload passes through unchanged, binary included. */
  readonly select: 'all' | readonly SelectItem[];
  readonly from: string;
  readonly where: Expression | undefined;
}

/** Raised for SQL or templates outside the supported subset. */
export class IotSqlError extends Error {
  override readonly name = 'IotSqlError';
}

type Token =
  | { type: 'word'; value: string }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'symbol'; value: string };

const FUNCTIONS: Record<SqlFunction, number> = { topic: -1, timestamp: 0, newuuid: 0, clientid: 0 };
const KEYWORDS = new Set(['SELECT', 'FROM', 'WHERE', 'AND', 'OR', 'NOT', 'AS', 'TRUE', 'FALSE']);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const string = /^'((?:[^']|'')*)'/.exec(rest);
    if (string) {
      tokens.push({ type: 'string', value: string[1]!.replace(/''/g, "'") });
      i += string[0].length;
      continue;
    }
    const number = /^-?\d+(?:\.\d+)?/.exec(rest);
    if (number) {
      tokens.push({ type: 'number', value: Number(number[0]) });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      tokens.push({ type: 'word', value: word[0] });
      i += word[0].length;
      continue;
    }
    const symbol = /^(<>|!=|<=|>=|[=<>(),.*])/.exec(rest);
    if (symbol) {
      tokens.push({ type: 'symbol', value: symbol[0] === '!=' ? '<>' : symbol[0] });
      i += symbol[0].length;
      continue;
    }
    throw new IotSqlError(`unexpected character "${rest[0]}" at ${i} in: ${source}`);
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  get done(): boolean {
    return this.position >= this.tokens.length;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private fail(expected: string): never {
    const token = this.peek();
    throw new IotSqlError(`expected ${expected} but found ${token ? `"${token.value}"` : 'end'} in: ${this.source}`);
  }

  isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token?.type === 'word' && token.value.toUpperCase() === keyword;
  }

  keyword(keyword: string): void {
    if (!this.isKeyword(keyword)) this.fail(keyword);
    this.position += 1;
  }

  isSymbol(symbol: string): boolean {
    const token = this.peek();
    return token?.type === 'symbol' && token.value === symbol;
  }

  symbol(symbol: string): void {
    if (!this.isSymbol(symbol)) this.fail(`"${symbol}"`);
    this.position += 1;
  }

  string(): string {
    const token = this.peek();
    if (token?.type !== 'string') this.fail('a quoted string');
    this.position += 1;
    return token.value;
  }

  identifier(): string {
    const token = this.peek();
    if (token?.type !== 'word' || KEYWORDS.has(token.value.toUpperCase())) this.fail('an identifier');
    this.position += 1;
    return token.value;
  }

  expression(): Expression {
    let left = this.conjunction();
    while (this.isKeyword('OR')) {
      this.position += 1;
      left = { kind: 'logical', operator: 'OR', left, right: this.conjunction() };
    }
    return left;
  }

  private conjunction(): Expression {
    let left = this.negation();
    while (this.isKeyword('AND')) {
      this.position += 1;
      left = { kind: 'logical', operator: 'AND', left, right: this.negation() };
    }
    return left;
  }

  private negation(): Expression {
    if (this.isKeyword('NOT')) {
      this.position += 1;
      return { kind: 'not', operand: this.negation() };
    }
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.operand();
    const token = this.peek();
    if (token?.type === 'symbol' && ['=', '<>', '<', '<=', '>', '>='].includes(token.value)) {
      this.position += 1;
      return { kind: 'compare', operator: token.value as ComparisonOperator, left, right: this.operand() };
    }
    return left;
  }

  operand(): Expression {
    const token = this.peek();
    if (!token) this.fail('an operand');
    if (token.type === 'string' || token.type === 'number') {
      this.position += 1;
      return { kind: 'literal', value: token.value };
    }
    if (this.isSymbol('(')) {
      this.position += 1;
      const inner = this.expression();
      this.symbol(')');
      return inner;
    }
    if (this.isKeyword('TRUE') || this.isKeyword('FALSE')) {
      this.position += 1;
      return { kind: 'literal', value: token.value.toUpperCase() === 'TRUE' };
    }
    const name = this.identifier();
    if (this.isSymbol('(')) return this.call(name);
    const path = [name];
    while (this.isSymbol('.')) {
      this.position += 1;
      path.push(this.identifier());
    }
    return { kind: 'field', path };
  }

  private call(name: string): Expression {
    const fn = name.toLowerCase();
    if (!(fn in FUNCTIONS)) throw new IotSqlError(`unsupported function ${name}() in: ${this.source}`);
    this.symbol('(');
    const args: Expression[] = [];
    while (!this.isSymbol(')')) {
      if (args.length > 0) this.symbol(',');
      args.push(this.operand());
    }
    this.symbol(')');
    const arity = FUNCTIONS[fn as SqlFunction];
    const validTopicArgs =
      fn === 'topic' && args.length <= 1 && args.every((a) => a.kind === 'literal' && Number.isInteger(a.value));
    if (arity === -1 ? !validTopicArgs : args.length !== arity) {
      throw new IotSqlError(`wrong arguments to ${name}() in: ${this.source}`);
    }
    return { kind: 'call', name: fn as SqlFunction, args };
  }
}

/** Parses one rule's SQL statement. */
export function parseIotSql(sql: string): IotSqlStatement {
  const parser = new Parser(tokenize(sql), sql);
  parser.keyword('SELECT');
  let select: IotSqlStatement['select'];
  if (parser.isSymbol('*')) {
    parser.symbol('*');
    select = 'all';
  } else {
    const items: SelectItem[] = [];
    do {
      if (items.length > 0) parser.symbol(',');
      const expression = parser.operand();
      let name: string | undefined;
      if (parser.isKeyword('AS')) {
        parser.keyword('AS');
        name = parser.identifier();
      } else if (expression.kind === 'field') {
        name = expression.path.at(-1);
      }
      if (name === undefined) throw new IotSqlError(`a computed select item needs AS in: ${sql}`);
      items.push({ expression, name });
    } while (parser.isSymbol(','));
    select = items;
  }
  parser.keyword('FROM');
  const from = parser.string();
  let where: Expression | undefined;
  if (parser.isKeyword('WHERE')) {
    parser.keyword('WHERE');
    where = parser.expression();
  }
  if (!parser.done) throw new IotSqlError(`unexpected trailing input in: ${sql}`);
  return { select, from, where };
}

/** A substitution template (`${topic(3)}`, `errors/${timestamp()}-${newuuid()}`) as literal text and expressions. */
export type Template = readonly (string | Expression)[];

/** Parses a substitution template; each `${...}` holds one expression of the SQL subset. */
export function parseTemplate(template: string): Template {
  const parts: (string | Expression)[] = [];
  let rest = template;
  for (let start = rest.indexOf('${'); start !== -1; start = rest.indexOf('${')) {
    const end = rest.indexOf('}', start);
    if (end === -1) throw new IotSqlError(`unterminated \${ in template: ${template}`);
    if (start > 0) parts.push(rest.slice(0, start));
    const source = rest.slice(start + 2, end);
    const parser = new Parser(tokenize(source), template);
    parts.push(parser.expression());
    if (!parser.done) throw new IotSqlError(`unexpected input in template expression "${source}"`);
    rest = rest.slice(end + 1);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
