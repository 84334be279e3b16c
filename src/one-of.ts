/** Whether `value` is one of `allowed`: narrows text from a flag, a prompt or a file to the union the list spells. */
export function isOneOf<T extends string>(allowed: readonly T[], value: unknown): value is T {
  return allowed.some((item) => item === value);
}
