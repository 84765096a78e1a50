// Texts cut to a code host's length limits without splitting a surrogate pair (an emoji) in two.

/** How much of a clipped text's end is kept (the caller's marker may be there). */
const CLIP_TAIL = 512;

/** The start of `text` within `limit` characters, with an ellipsis when cut. */
export function truncate(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, cut(text, limit - 1))}…`;
}

/**
 * A text over `limit` characters with its middle cut out: its start and its last lines are kept, since a caller's
 * marker may be at either end and the issue must still be found by it.
 */
export function clip(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const gap = "\n\n…\n\n";
  const tail = Math.min(CLIP_TAIL, Math.floor(limit / 4));
  const end = text.length - tail;
  // never start the tail on the second half of a surrogate pair
  const from = /[\uDC00-\uDFFF]/.test(text[end] ?? "") ? end + 1 : end;
  return text.slice(0, cut(text, limit - (text.length - from) - gap.length)) + gap + text.slice(from);
}

/** `at`, or one less when that would split a surrogate pair. */
function cut(text: string, at: number): number {
  return /[\uD800-\uDBFF]/.test(text[at - 1] ?? "") ? at - 1 : at;
}
