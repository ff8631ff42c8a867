/**
 * Run `fn` over `items`, at most `limit` at once, each started only while `more()` holds (a job's time budget).
 * A timer's job spends most of an item waiting — for WeChat Pay, for the database's round trips — so a few at
 * once get through a backlog several times faster within the same budget.
 */
export async function eachAtMost<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, more: () => boolean = () => true): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && more()) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
