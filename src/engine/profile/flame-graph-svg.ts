/**
 * Engine layer: a fuel profile as a flame graph — one self-contained SVG document that any
 * browser shows as it is (no script, no external font or stylesheet, nothing fetched).
 *
 * Classic layout: the call at the bottom, callees stacked above their caller, a frame's width
 * proportional to its total fuel, siblings in name order (so the picture does not depend on call
 * order), a caller's self fuel the space its callees leave on the right. Each frame carries a
 * `<title>`, which browsers show on hover: the function's name, its total and self fuel and how
 * often the path was called. Colours are derived from the name, so the same function has the same
 * colour in every graph.
 *
 * Bounds: frames narrower than a tenth of a pixel (and their callees) are left out, and so is
 * everything deeper than `MAX_DEPTH` levels; the frames drawn still show their exact fuel.
 */
import { FOLDED_PATHS_NAME, type FuelProfile, type FuelProfileNode, ROOT_NAME } from './fuel-profile.js';

export interface FlameGraphOptions {
  /** the heading; default `Fuel profile` */
  readonly title?: string;
  /** the drawing's width in pixels; default 1200 */
  readonly width?: number;
}

const FRAME_HEIGHT = 17;
const PAD = 10;
const HEADER = 44;
const FOOTER = 8;
const CHAR_WIDTH = 7.2; // 12px monospace
const MIN_WIDTH = 0.1;
export const FLAME_GRAPH_MAX_DEPTH = 512;

interface Placed {
  readonly node: FuelProfileNode;
  readonly depth: number;
  readonly x: number;
  readonly width: number;
}

export function toFlameGraphSvg(profile: FuelProfile, options: FlameGraphOptions = {}): string {
  const width = options.width ?? 1200;
  const title = options.title ?? 'Fuel profile';
  const plotWidth = width - 2 * PAD;
  const scale = plotWidth / Math.max(profile.root.total, 1);

  const placed: Placed[] = [];
  let maxDepth = 0;
  let omitted = false;
  const pending: Placed[] = [{ node: profile.root, depth: 0, x: PAD, width: plotWidth }];
  while (pending.length > 0) {
    const frame = pending.pop() as Placed;
    placed.push(frame);
    if (frame.depth > maxDepth) maxDepth = frame.depth;
    let x = frame.x;
    for (const child of [...frame.node.children].sort(byName)) {
      const childWidth = child.total * scale;
      if (childWidth >= MIN_WIDTH && frame.depth + 1 <= FLAME_GRAPH_MAX_DEPTH) {
        pending.push({ node: child, depth: frame.depth + 1, x, width: childWidth });
      } else if (child.total > 0) {
        omitted = true;
      }
      x += childWidth;
    }
  }

  const height = HEADER + (maxDepth + 1) * FRAME_HEIGHT + FOOTER;
  const bottom = HEADER + maxDepth * FRAME_HEIGHT;
  const total = profile.root.total;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeXml(`${title}: ${formatFuel(total)} fuel`)}</title>`,
    '<style>text{font-family:ui-monospace,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;fill:#000}' +
      '.frame text{pointer-events:none}.frame:hover rect{stroke:#000;stroke-width:1}' +
      '.heading{font-size:16px;font-weight:bold}.note{fill:#555}</style>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fdfdf6"/>`,
    `<text class="heading" x="${PAD}" y="20">${escapeXml(title)}</text>`,
    `<text class="note" x="${PAD}" y="36">${escapeXml(
      `${formatFuel(total)} fuel; width = total fuel of a call path; hover a frame for its numbers` +
        (omitted ? '; frames too narrow or too deep to draw are left out' : ''),
    )}</text>`,
  );
  for (const frame of placed) {
    const { node } = frame;
    const y = bottom - frame.depth * FRAME_HEIGHT;
    const share = total > 0 ? (node.total / total) * 100 : 0;
    const tooltip =
      `${node.name}\n${formatFuel(node.total)} fuel total (${share.toFixed(2)}%), ` +
      `${formatFuel(node.self)} self, ${formatFuel(node.calls)} ${node.calls === 1 ? 'call' : 'calls'}`;
    const label = fitLabel(node.name, frame.width);
    out.push(
      `<g class="frame"><title>${escapeXml(tooltip)}</title>` +
        `<rect x="${round(frame.x)}" y="${y}" width="${round(frame.width)}" height="${FRAME_HEIGHT - 1}" rx="2" fill="${colour(node)}"/>` +
        (label === '' ? '' : `<text x="${round(frame.x + 3)}" y="${y + 12}">${escapeXml(label)}</text>`) +
        '</g>',
    );
  }
  out.push('</svg>', '');
  return out.join('\n');
}

function byName(a: FuelProfileNode, b: FuelProfileNode): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index;
}

function fitLabel(name: string, width: number): string {
  const fits = Math.floor((width - 6) / CHAR_WIDTH);
  if (fits < 3) return '';
  const chars = [...name];
  return chars.length <= fits ? name : `${chars.slice(0, fits - 2).join('')}..`;
}

/** A warm colour from the name (FNV-1a), grey for the root and the folded paths. */
function colour(node: FuelProfileNode): string {
  if (node.index < 0 && (node.name === ROOT_NAME || node.name === FOLDED_PATHS_NAME))
    return 'rgb(208,208,208)';
  let hash = 0x811c9dc5;
  for (let i = 0; i < node.name.length; i++) {
    hash ^= node.name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const v1 = (hash & 0xff) / 255;
  const v2 = ((hash >>> 8) & 0xff) / 255;
  const v3 = ((hash >>> 16) & 0xff) / 255;
  return `rgb(${205 + Math.round(50 * v3)},${Math.round(230 * v1)},${Math.round(55 * v2)})`;
}

function round(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function formatFuel(value: number): string {
  return value.toLocaleString('en-US');
}

/** Escapes markup, and replaces what XML cannot hold at all (a name section may contain it). */
function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/gu, '\ufffd')
    .replace(/[<>&"']/g, (c) =>
      c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
    );
}
