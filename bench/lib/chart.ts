/** A small SVG line chart (two series on their own axes) for the benchmark reports. */
export function lineChartSvg(title: string, points: { x: number; a: number; b: number }[], labels: { a: string; b: string; x: string }): string {
  const w = 900;
  const h = 320;
  const pad = 50;
  const maxX = Math.max(1, ...points.map((p) => p.x));
  const maxA = Math.max(1, ...points.map((p) => p.a));
  const maxB = Math.max(1, ...points.map((p) => p.b));
  const x = (v: number) => pad + (v / maxX) * (w - 2 * pad);
  const y = (v: number, max: number) => h - pad - (v / max) * (h - 2 * pad);
  const path = (key: "a" | "b", max: number) => points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p.x).toFixed(1)},${y(p[key], max).toFixed(1)}`).join(" ");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">
<rect width="${w}" height="${h}" fill="white"/>
<text x="${w / 2}" y="20" text-anchor="middle" font-size="14">${title}</text>
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#999"/>
<line x1="${w - pad}" y1="${pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/>
<text x="${pad - 5}" y="${pad}" text-anchor="end" fill="#2563eb">${Math.round(maxA)}</text>
<text x="${w - pad + 5}" y="${pad}" fill="#dc2626">${Math.round(maxB)}</text>
<text x="${w / 2}" y="${h - 15}" text-anchor="middle">${labels.x} (0–${maxX})</text>
<path d="${path("a", maxA)}" fill="none" stroke="#2563eb" stroke-width="1.5"/>
<path d="${path("b", maxB)}" fill="none" stroke="#dc2626" stroke-width="1.2"/>
<text x="${pad + 10}" y="${pad - 10}" fill="#2563eb">${labels.a}</text>
<text x="${w - pad - 10}" y="${pad - 10}" text-anchor="end" fill="#dc2626">${labels.b}</text>
</svg>
`;
}
