import { mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { startLocalSlurm } from './test-support/local-slurm.js';
it('capture', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cap-'));
  const c = await startLocalSlurm(join(root, 'c'));
  try {
    writeFileSync(join(root, 'a.sh'), '#!/bin/bash\nif [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then exit 3; fi\nsleep 2\n');
    const id = spawnSync('sbatch', ['--parsable', '--array=0-4%2', '-o', '/dev/null', join(root, 'a.sh')], { env: c.env, encoding: 'utf8' }).stdout.trim();
    await new Promise((d) => setTimeout(d, 1500));
    const out1 = spawnSync('scontrol', ['-o', 'show', 'job', id], { env: c.env, encoding: 'utf8' }).stdout;
    await new Promise((d) => setTimeout(d, 7000));
    const out2 = spawnSync('scontrol', ['-o', 'show', 'job', id], { env: c.env, encoding: 'utf8' }).stdout;
    const bad = spawnSync('scontrol', ['-o', 'show', 'job', '999'], { env: c.env, encoding: 'utf8' });
    writeFileSync('/tmp/scontrol-capture.txt', `${out1}\n=====\n${out2}\n=====\n${bad.status} ${bad.stdout} ${bad.stderr}`);
  } finally { await c.stop(); }
}, 60000);
