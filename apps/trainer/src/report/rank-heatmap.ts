import { heatColor, svgDocument, text } from './svg.js';

/** Splits `...layer.<i>.<rest>` into the layer index and the module within the layer. */
export function layerAndModule(name: string): { layer: number; module: string } | null {
  const match = /(?:^|\.)(?:layer|layers|h|block|blocks)\.(\d+)\.(.+)$/.exec(name);
  if (match === null) return null;
  return { layer: Number(match[1]), module: (match[2] as string).replace(/\.(weight|dense_weight)$/, '') };
}

/**
 * An SVG heat-map of the final rank of every adapted matrix: rows are the module types within a layer
 * (query, key, value, attention output, FFN in, FFN out), columns the layers, each cell's shade and
 * number its rank out of `maxRank` — the AdaLoRA paper's Figure 1/4 layout.
 */
export function rankHeatmapSvg(ranks: Record<string, number>, maxRank: number, title: string): string {
  const cells = Object.entries(ranks).flatMap(([name, rank]) => {
    const where = layerAndModule(name);
    return where === null ? [] : [{ ...where, rank }];
  });
  const modules = [...new Set(cells.map((c) => c.module))];
  const layers = [...new Set(cells.map((c) => c.layer))].sort((a, b) => a - b);
  const cell = 34;
  const left = Math.max(90, 7 * Math.max(...modules.map((m) => m.length), 4));
  const top = 40;
  const width = Math.max(left + layers.length * cell + 70, 24 + title.length * 8.6);
  const height = top + modules.length * cell + 40;
  const body: string[] = [text(8, 22, title, 'font-size="14" font-weight="bold"')];
  modules.forEach((module, row) => {
    body.push(text(left - 8, top + row * cell + cell / 2 + 4, module, 'text-anchor="end"'));
  });
  layers.forEach((layer, column) => {
    body.push(text(left + column * cell + cell / 2, top + modules.length * cell + 16, String(layer), 'text-anchor="middle"'));
  });
  body.push(text(left + (layers.length * cell) / 2, top + modules.length * cell + 34, 'layer', 'text-anchor="middle"'));
  for (const c of cells) {
    const x = left + layers.indexOf(c.layer) * cell;
    const y = top + modules.indexOf(c.module) * cell;
    const t = maxRank > 0 ? c.rank / maxRank : 0;
    body.push(`<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${heatColor(t)}"/>`);
    body.push(text(x + (cell - 2) / 2, y + cell / 2 + 3, String(c.rank), `text-anchor="middle" fill="${t > 0.55 ? 'white' : 'black'}"`));
  }
  // Legend: 0 … maxRank.
  const legendX = left + layers.length * cell + 16;
  for (let i = 0; i <= 4; i++) {
    const y = top + i * 18;
    body.push(`<rect x="${legendX}" y="${y}" width="14" height="14" fill="${heatColor(1 - i / 4)}"/>`);
    body.push(text(legendX + 20, y + 11, String(Math.round(maxRank * (1 - i / 4)))));
  }
  return svgDocument(width, height, body);
}
