import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * A package README's example, for the test that runs it: `block(language)` is the first fenced block
 * of that language under `## Example`; `run()` executes the `js` block in plain Node from the package
 * folder, where `@adalora/<pkg>` resolves to the package's own exports map (its built `dist/`).
 */
export function readmeExample(packageRootUrl: URL) {
  const packageRoot = fileURLToPath(packageRootUrl);
  const readme = readFileSync(new URL('README.md', packageRootUrl), 'utf8');
  const block = (language: string): string => {
    const example = readme.slice(readme.indexOf('## Example'));
    const match = example.match(new RegExp('```' + language + '\\n([\\s\\S]*?)```'));
    if (!match?.[1]) throw new Error(`README: no \`\`\`${language} block under ## Example`);
    return match[1];
  };
  const run = (): string => execFileSync(process.execPath, ['--input-type=module', '-e', block('js')], { cwd: packageRoot, encoding: 'utf8' });
  return { block, run };
}
