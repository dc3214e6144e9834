/**
 * Whatever was thrown, as text for a log line or a record. A handler may throw
 * anything, and String() itself throws for some values (an object without a
 * prototype, a toString that throws): reporting an error must never raise the next one.
 *
 * @example
 * errorMessage(new Error('boom')) // 'boom'
 * errorMessage(Object.assign(Object.create(null), { message: 'rpc failed' })) // 'rpc failed'
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  try {
    return String(error);
  } catch {
    try {
      const message = (error as { message?: unknown }).message;
      return typeof message === 'string' ? message : Object.prototype.toString.call(error);
    } catch {
      return 'a thrown value that cannot be shown as text';
    }
  }
}

/** {@link errorMessage}, with the stack when there is one. */
export function errorStack(error: unknown): string {
  return error instanceof Error ? error.stack ?? `${error.name}: ${error.message}` : errorMessage(error);
}
