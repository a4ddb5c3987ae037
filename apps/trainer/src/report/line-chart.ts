import { escapeXml, palette, svgDocument, text } from './svg.js';

/** One line of a chart. */
export interface Series {
  label: string;
  points: Array<[number, number]>;
}

/**
 * Exponential moving average of a series' values (`ŷ_i = β·ŷ_{i−1} + (1−β)·y_i`, debiased by
 * `1 − β^i` as TensorBoard does), so noisy per-step losses read as a trend.
 */
export function smooth(points: Array<[number, number]>, beta = 0.9): Array<[number, number]> {
  let average = 0;
  return points.map(([x, y], i) => {
    average = beta * average + (1 - beta) * y;
    return [x, average / (1 - beta ** (i + 1))];
  });
}

/** "Nice" tick values covering [min, max]. */
export function ticks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** An SVG line chart with axes, ticks and a legend. */
export function lineChartSvg(series: Series[], options: { title: string; xLabel: string; yLabel: string; width?: number; height?: number }): string {
  const longestLabel = Math.max(0, ...series.map((s) => s.label.length));
  const margin = { left: 64, right: 50 + longestLabel * 7, top: 36, bottom: 46 };
  const width = options.width ?? 460 + margin.right;
  const height = options.height ?? 360;
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, 1);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (!(yMax > yMin)) {
    yMin -= 0.5;
    yMax += 0.5;
  }
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((y - yMin) / (yMax - yMin)) * plotH;
  const body: string[] = [text(margin.left, 22, options.title, 'font-size="14" font-weight="bold"')];
  body.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  for (const t of ticks(xMin, xMax)) {
    body.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${margin.top + plotH}" y2="${margin.top + plotH + 4}" stroke="#555"/>`);
    body.push(text(sx(t), margin.top + plotH + 16, formatTick(t), 'text-anchor="middle"'));
  }
  for (const t of ticks(yMin, yMax)) {
    body.push(`<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(t)}" y2="${sy(t)}" stroke="#eee"/>`);
    body.push(text(margin.left - 6, sy(t) + 4, formatTick(t), 'text-anchor="end"'));
  }
  body.push(text(margin.left + plotW / 2, height - 10, options.xLabel, 'text-anchor="middle"'));
  body.push(text(16, margin.top + plotH / 2, options.yLabel, `text-anchor="middle" transform="rotate(-90 16 ${margin.top + plotH / 2})"`));
  series.forEach((s, i) => {
    const colour = palette[i % palette.length] as string;
    if (s.points.length > 0) {
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
      body.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="1.8"/>`);
      if (s.points.length <= 30) for (const p of s.points) body.push(`<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2.5" fill="${colour}"/>`);
    }
    const ly = margin.top + 8 + i * 18;
    body.push(`<line x1="${width - margin.right + 12}" x2="${width - margin.right + 32}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    body.push(`<text x="${width - margin.right + 38}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
  });
  return svgDocument(width, height, body);
}

function formatTick(v: number): string {
  if (v !== 0 && (Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(4)));
}
