// What an audit entry changed, field by field: the pure diff the audit page shows as "field: before → after".
export interface Change {
  field: string;
  from?: unknown;
  to?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields an entry changed: both sides' keys whose values differ; a side that is absent shows only the other. */
export function changes(before: unknown, after: unknown): Change[] {
  const has = (v: unknown) => v !== null && v !== undefined;
  if (isObject(before) || isObject(after)) {
    const b = isObject(before) ? before : {};
    const a = isObject(after) ? after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    return keys.filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k])).map((k) => ({
      field: k, ...(has(before) ? { from: b[k] } : {}), ...(has(after) ? { to: a[k] } : {}),
    }));
  }
  if (!has(before) && !has(after)) return [];
  return [{ field: '', ...(has(before) ? { from: before } : {}), ...(has(after) ? { to: after } : {}) }];
}

