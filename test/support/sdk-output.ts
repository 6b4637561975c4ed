/** Timestamp members of AWS responses that the SDK v3 deserializes into `Date`. */
const TIMESTAMPS = new Set([
  'lastStatusChange',
  'created',
  'updated',
  'startTime',
  'endTime',
  'lastUpdateTime',
  'lastChangedAt',
  'lastUpdatedAt',
  'createTime',
  'completeTime',
  'createdAt',
  'startedAt',
  'finishedAt',
  'stoppedAt',
  'updatedAt',
  'registeredAt',
  'lastUpdatedTime',
  'NotBefore',
  'NotAfter',
  'NotBeforeDeadline',
  'AutoAppliedAfterDate',
  'ForcedApplyDate',
  'CurrentApplyDate',
  'ServiceUpdateRecommendedApplyByDate',
  'ServiceUpdateReleaseDate',
]);

/**
 * Turns a response as AWS documents it (JSON on the wire: epoch seconds, or ISO strings in some published
 * examples) into what an SDK v3 client returns, so mocked clients hand adapters the same shapes real ones do.
 */
export function asSdkOutput<T>(wire: unknown): T {
  const walk = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    if (key !== undefined && TIMESTAMPS.has(key)) {
      if (typeof value === 'number') return new Date(value * 1000);
      if (typeof value === 'string') return new Date(value);
    }
    return value;
  };
  return walk(wire) as T;
}
