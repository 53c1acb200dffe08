/**
 * Maps items through an async function with at most `limit` calls in flight, keeping the items'
 * order in the result (e.g. charging a Kafka batch of orders at a gateway that must not see 500
 * requests at once). The first rejection rejects the whole and starts no further call; calls
 * already started still finish.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!(limit >= 1)) throw new RangeError("mapBounded needs a limit of at least 1");
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
