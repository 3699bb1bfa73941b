/** JSON.stringify that writes bigints as decimal strings (counters and accumulators can exceed 2^53). */
export function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2);
}
