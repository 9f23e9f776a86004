// @vitest-environment node
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

/** The package's shipped source files (tests excluded). */
async function sourceFiles() {
  const root = new URL('.', import.meta.url);
  const files = (await readdir(root, { recursive: true })).filter(
    (f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f),
  );
  return Promise.all(
    files.map(async (file) => ({ file, text: await readFile(new URL(file, root), 'utf8') })),
  );
}

describe('source rules', () => {
  it('never injects HTML: no dangerouslySetInnerHTML, innerHTML or insertAdjacentHTML', async () => {
    const files = await sourceFiles();
    expect(files.length).toBeGreaterThan(20);
    for (const { file, text } of files) {
      expect(text, file).not.toMatch(/dangerouslySetInnerHTML|\.innerHTML|insertAdjacentHTML/);
    }
  });

  it('reads no browser global at module level (safe to import on a server)', async () => {
    for (const { file, text } of await sourceFiles()) {
      const topLevel = text
        .split('\n')
        .filter(
          (line) => /^(const|let|export const)\b/.test(line) && /\b(window|document|navigator)\./.test(line),
        );
      expect(topLevel, file).toEqual([]);
    }
  });
});
