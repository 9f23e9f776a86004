import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Result, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';

/**
 * The rules axe runs: WCAG 2.0 and 2.1 A and AA, and axe's best practices (landmarks, one main,
 * headings, …). Experimental rules stay off, as in axe's defaults.
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export interface AxeOptions {
  /**
   * Rules that do not apply to a screen, each with the reason (shown in the failure message).
   * Use it only for a rule that is truly inapplicable, never to hide a violation.
   */
  skip?: Record<string, string>;
  /** Only this part of the page (a CSS selector); the whole document by default. */
  include?: string;
}

let axeSource: string | undefined;

/** axe-core's browser build, read once. */
function source(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/**
 * Runs axe-core in the page and returns its violations. axe is injected through DevTools'
 * evaluate, which the server's Content-Security-Policy (`script-src 'self'`) does not block, as
 * it would a `<script>` tag. Finite CSS animations and transitions finish first, so colour
 * contrast is measured on what a person sees once the screen settles.
 */
export async function axeViolations(page: Page, options: AxeOptions = {}): Promise<Result[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source());
  await page.evaluate(async () => {
    const finite = document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity);
    await Promise.race([
      Promise.allSettled(finite.map((a) => a.finished)),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]);
  });
  const run: RunOptions = {
    runOnly: { type: 'tag', values: AXE_TAGS },
    resultTypes: ['violations'],
    rules: Object.fromEntries(Object.keys(options.skip ?? {}).map((id) => [id, { enabled: false }])),
  };
  return page.evaluate(
    async ({ include, run }) => {
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      const results = await axe.run(include ? { include: [include] } : document, run);
      return results.violations;
    },
    { include: options.include, run },
  );
}

/** Violations as text a person can act on: rule, impact, help, link, and each element. */
export function formatAxeViolations(violations: Result[], where: string, maxNodes = 8): string {
  const count = violations.reduce((sum, v) => sum + v.nodes.length, 0);
  const lines = [`axe: ${violations.length} rule(s) violated by ${count} element(s) on ${where}:`];
  for (const v of violations) {
    lines.push('', `● ${v.id} (${v.impact ?? 'no impact'}): ${v.help}`, `  ${v.helpUrl}`);
    for (const node of v.nodes.slice(0, maxNodes)) {
      const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >> ') : String(t))).join(' → ');
      lines.push(`  - ${target}`, `    ${node.html.replace(/\s+/g, ' ').slice(0, 200)}`);
      const summary =
        node.failureSummary
          ?.split('\n')
          .map((l) => l.trim())
          .filter(Boolean) ?? [];
      for (const line of summary) lines.push(`      ${line}`);
    }
    if (v.nodes.length > maxNodes) lines.push(`  … and ${v.nodes.length - maxNodes} more`);
  }
  return lines.join('\n');
}

/**
 * Fails (throws) when axe finds any violation on the page: the error lists each rule, its impact,
 * help text and the elements, with their selectors and HTML.
 *
 * @example
 * await expectNoAxeViolations(page, 'the login page at 1280×800');
 */
export async function expectNoAxeViolations(page: Page, where: string, options: AxeOptions = {}) {
  const violations = await axeViolations(page, options);
  if (violations.length === 0) return;
  const skipped = Object.entries(options.skip ?? {});
  const note = skipped.length
    ? `\n\n(rules not run here: ${skipped.map(([id, why]) => `${id}: ${why}`).join('; ')})`
    : '';
  throw new Error(`${formatAxeViolations(violations, where)}${note}`);
}

/**
 * For a test that walks through several screens: each `check` notes what axe finds on the page as
 * it is, and `assertNone` fails once at the end with every screen's violations, so one screen's
 * finding neither stops the walk nor hides the next screen's.
 *
 * @example
 * const axe = axeChecks();
 * await axe.check(page, 'the channel list at 390×844');
 * await openChannel(page, 'General');
 * await axe.check(page, 'an open channel at 390×844');
 * axe.assertNone();
 */
export function axeChecks() {
  const reports: string[] = [];
  return {
    async check(page: Page, where: string, options: AxeOptions = {}): Promise<void> {
      const violations = await axeViolations(page, options);
      if (violations.length) reports.push(formatAxeViolations(violations, where));
    },
    assertNone(): void {
      if (reports.length) throw new Error(reports.join('\n\n'));
    },
  };
}

/** The sizes every screen is checked at: a desktop window and a phone (390×844, touch). */
export const AXE_SIZES = [
  { name: '1280×800', device: { viewport: { width: 1280, height: 800 } } },
  {
    name: '390×844',
    device: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  },
] as const;
