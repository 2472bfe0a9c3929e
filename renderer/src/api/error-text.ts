/** What the UI shows for a failed call: the studio's sentence and what to do next. */
export interface ErrorText {
  readonly message: string;
  readonly hint: string;
}

/** StudioApiError carries a hint; anything else thrown (a bug) still gets a sentence and a next step. */
export function errorText(error: unknown): ErrorText {
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return { message: error.message, hint: typeof hint === 'string' ? hint : 'try again; if it repeats, report the sentence above' };
  }
  return { message: String(error), hint: 'try again; if it repeats, report the sentence above' };
}
