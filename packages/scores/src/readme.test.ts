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
    // Node resolves '@adalora/scores' to this package's own exports map (self-reference), i.e. dist/.
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', block('js')], { cwd: packageRoot, encoding: 'utf8' });
    const printed = out.split('\n').filter((line) => line.startsWith('step ')).join('\n');
    expect(`${printed}\n`).toBe(block('text'));
  });
});
