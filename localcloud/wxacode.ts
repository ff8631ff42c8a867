/**
 * A dependency-free stand-in for a mini-program code (小程序码): a round, code-like SVG whose pattern is
 * derived from the scene and page, with the scene and page written underneath so a person can read them.
 */
import { createHash } from 'crypto';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function renderWxacodeSvg(scene: string, page: string, width = 430): string {
  const h = createHash('sha256').update(`${page}\u0000${scene}`).digest();
  const bits = (i: number) => (h[(i >> 3) % h.length] >> (i & 7)) & 1;
  const c = width / 2;
  const parts: string[] = [];
  let bit = 0;
  // rays of dots on rings, like the round WeChat code
  for (let ring = 0; ring < 7; ring++) {
    const r = width * (0.2 + ring * 0.038);
    const n = 24 + ring * 8;
    for (let k = 0; k < n; k++) {
      if (!bits(bit++ * 7 + ring)) continue;
      const a = (2 * Math.PI * k) / n;
      parts.push(`<circle cx="${(c + r * Math.cos(a)).toFixed(1)}" cy="${(c + r * Math.sin(a)).toFixed(1)}" r="${(width * 0.011).toFixed(1)}"/>`);
    }
  }
  // three "eyes"
  for (const [ex, ey] of [[0.17, 0.17], [0.83, 0.17], [0.17, 0.83]]) {
    const x = width * ex;
    const y = width * ey;
    parts.push(`<circle cx="${x}" cy="${y}" r="${width * 0.07}" fill="none" stroke="#000" stroke-width="${width * 0.02}"/>`);
    parts.push(`<circle cx="${x}" cy="${y}" r="${width * 0.032}"/>`);
  }
  parts.push(`<circle cx="${c}" cy="${c}" r="${width * 0.16}" fill="#07c160"/>`);
  parts.push(`<text x="${c}" y="${c + width * 0.018}" font-size="${width * 0.05}" text-anchor="middle" fill="#fff" font-family="sans-serif">本地码</text>`);
  const total = width + 70;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${total}" viewBox="0 0 ${width} ${total}">` +
    `<rect width="100%" height="100%" fill="#fff"/><g fill="#000">${parts.join('')}</g>` +
    `<text x="${c}" y="${width + 28}" font-size="20" text-anchor="middle" font-family="monospace">scene: ${esc(scene)}</text>` +
    `<text x="${c}" y="${width + 56}" font-size="14" text-anchor="middle" fill="#666" font-family="monospace">${esc(page || '(home)')} · local runtime</text>` +
    `</svg>`
  );
}
