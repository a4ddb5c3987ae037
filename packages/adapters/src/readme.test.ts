import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The body of the first fenced block with this language after the `## Example` heading. */
function block(language: string): string {
  const example = readme.slice(readme.indexOf('## Example'));
  const match = example.match(new RegExp('```' + language + '\\n([\\s\\S]*?)```'));
  if (!match?.[1]) throw new Error(`README: no \`\`\`${language} block under ## Example`);
  return match[1];
}

describe('README example', () => {
  it('runs against the built package (dist/) in plain Node and prints what the README says', () => {
    // Node resolves '@adalora/adapters' to this package's own exports map (self-reference), i.e. dist/.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', block('js')], { cwd: packageRoot, encoding: 'utf8' });
    expect(out).toBe(block('text'));
    // The example's own checks: merging keeps the outputs; the reloaded adapter is the trained one.
    expect(out).toMatch(/merged = unmerged: true\nranks after load: 3, 1\nreloaded = trained: true/);
  });
});
