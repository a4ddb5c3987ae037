// Benchmark: load a generated QQP-sized GLUE TSV (363,846 rows, the size of QQP train) with the built
// package, once streaming (rows counted, not kept) and once into an array. Prints one JSON object.
// Run: pnpm build && pnpm bench   (needs --expose-gc, set in the script below by re-spawning node).
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROWS = 363_846;

if (!globalThis.gc) {
  const result = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const { loadGlueTsv, readGlueTsv } = await import('../dist/index.js');

/** Deterministic invented questions of QQP-like length (about 60 characters each). */
function* rows() {
  const words = ['how', 'do', 'i', 'learn', 'the', 'best', 'way', 'to', 'cook', 'rice', 'what', 'is', 'a', 'good', 'harbor', 'lantern',
    'ferry', 'why', 'does', 'my', 'kettle', 'whistle', 'when', 'can', 'you', 'fix', 'an', 'old', 'bicycle', 'quickly', 'without', 'tools'];
  let state = 12345;
  const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
  const question = () => {
    const n = 8 + (next() % 8);
    const parts = [];
    for (let k = 0; k < n; k++) parts.push(words[next() % words.length]);
    const q = parts.join(' ');
    return q[0].toUpperCase() + q.slice(1) + '?';
  };
  for (let i = 0; i < ROWS; i++) yield `${100000 + i}\t${2 * i}\t${2 * i + 1}\t${question()}\t${question()}\t${next() % 2}\n`;
}

async function writeFile(path) {
  const out = createWriteStream(path);
  out.write('id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n');
  let batch = '';
  for (const line of rows()) {
    batch += line;
    if (batch.length > 1 << 20) {
      if (!out.write(batch)) await new Promise((resolve) => out.once('drain', resolve));
      batch = '';
    }
  }
  out.end(batch);
  await new Promise((resolve) => out.on('finish', resolve));
}

function memory() {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers };
}

async function measure(label, run) {
  globalThis.gc();
  const before = memory();
  let peak = { ...before };
  const sample = () => {
    const m = memory();
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], m[k]);
  };
  const timer = setInterval(sample, 5);
  const start = process.hrtime.bigint();
  const result = await run(sample);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  clearInterval(timer);
  sample();
  globalThis.gc();
  const after = memory();
  const mb = (x) => Math.round((x / 2 ** 20) * 10) / 10;
  return {
    label,
    seconds: Math.round(seconds * 1000) / 1000,
    rowsPerSecond: Math.round(result.rows / seconds),
    rows: result.rows,
    peakRssIncreaseMB: mb(peak.rss - before.rss),
    peakHeapIncreaseMB: mb(peak.heapUsed - before.heapUsed),
    retainedHeapAfterGcMB: mb(after.heapUsed - before.heapUsed),
    keep: result.keep,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'adalora-bench-'));
try {
  mkdirSync(join(dir, 'QQP'));
  await writeFile(join(dir, 'QQP', 'train.tsv'));
  const fileBytes = statSync(join(dir, 'QQP', 'train.tsv')).size;
  const options = { dir, config: 'qqp', split: 'train', onWarning: () => {} };

  const streaming = await measure('stream (count rows, keep none)', async (sample) => {
    let n = 0;
    for await (const row of readGlueTsv(options)) {
      if (row.idx < 0) throw new Error('unreachable');
      if (++n % 20000 === 0) sample();
    }
    return { rows: n };
  });
  let textChars = 0;
  const loaded = await measure('load into an array', async () => {
    const all = await loadGlueTsv(options);
    for (const r of all) textChars += r.question1.length + r.question2.length;
    return { rows: all.length, keep: all };
  });
  delete streaming.keep;
  delete loaded.keep;
  console.log(
    JSON.stringify(
      {
        benchmark: 'GLUE TSV load, QQP-sized generated file',
        node: process.version,
        fileMB: Math.round((fileBytes / 2 ** 20) * 10) / 10,
        usedTextMB: Math.round((textChars / 2 ** 20) * 10) / 10,
        results: [streaming, loaded],
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
