/** The error a rule that USBGuard would reject raises: where it went wrong and what was expected there. */

export class RuleSyntaxError extends Error {
  override readonly name = 'RuleSyntaxError';

  /**
   * @param column 1-based, counted in characters of the rule line.
   * @param expected what should have been there (or why the text is refused), e.g.
   *   `expected '"' to end the string` or `id attribute already defined`.
   */
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly expected: string,
  ) {
    super(`${file}:${line}:${column}: ${expected}`);
  }
}
