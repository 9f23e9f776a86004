// Characters and line starts that can begin markdown formatting: emphasis, code, links,
// escapes and autolinks anywhere; quotes, headings, lists and rules at the start of a line.
const INLINE_SYNTAX = /[*_~`[\\<]/;
const LINE_SYNTAX = /^ {0,3}(?:[>#]|[-+*] |\d{1,9}[.)] |(?:[-=] *){3,}$)/m;

/**
 * Whether `text` may render differently as markdown. Text without any of these characters is
 * the same either way, so most messages never need the markdown renderer loaded. A false
 * positive costs only that load, a false negative would show syntax unformatted: when unsure,
 * this says yes.
 *
 * @example
 * mayContainMarkdown('see you at 5') // false
 * mayContainMarkdown('**now**') // true
 */
export function mayContainMarkdown(text: string): boolean {
  return INLINE_SYNTAX.test(text) || LINE_SYNTAX.test(text);
}
