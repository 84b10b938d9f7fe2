import type { Json } from '@duckdb/node-api';

/** Longest cell shown; longer text (nested values) is cut with an ellipsis. */
const MAX_CELL = 64;

const cell = (value: Json): string => {
  if (value === null) return '';
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 1 ? 4 : 2);
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
};

/**
 * Rows as a plain-text table for a terminal: a header, a rule, numbers right-aligned, text left-aligned,
 * nulls blank, and a row count. Columns are those of the first row (a query's rows share them).
 */
export function renderTable(rows: readonly Record<string, Json>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!);
  const text = rows.map((row) => columns.map((c) => cell(row[c] ?? null)));
  const numeric = columns.map((c) => rows.every((row) => row[c] === null || typeof row[c] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    widths.map((w) => '─'.repeat(w)).join('  '),
    ...text.map(line),
    `(${rows.length} row${rows.length === 1 ? '' : 's'})`,
  ].join('\n');
}
