/**
 * Runs `task` over `items` with at most `limit` in flight, in input order of starting. Players and
 * devices are independent, so their writes overlap; the limit keeps one invocation from exhausting
 * the HTTP connection pool or a table's burst capacity.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
