export interface Bar {
  label: string;
  parts: { value: number; className: string; name: string }[];
}

/** Stacked bars as plain SVG: enough for orders per minute, no charting library needed. */
export function BarChart({ bars, height = 160, title }: { bars: Bar[]; height?: number; title: string }) {
  const max = Math.max(1, ...bars.map((b) => b.parts.reduce((sum, p) => sum + p.value, 0)));
  const width = Math.max(bars.length * 12, 240);
  return (
    <svg role="img" aria-label={title} viewBox={`0 0 ${width} ${height + 18}`} className="h-48 w-full" preserveAspectRatio="none">
      <title>{title}</title>
      {bars.map((bar, i) => {
        let y = height;
        return (
          <g key={bar.label}>
            {bar.parts.map((part) => {
              const h = (part.value / max) * (height - 4);
              y -= h;
              return (
                <rect key={part.name} x={i * 12 + 1} y={y} width={10} height={h} className={part.className}>
                  <title>{`${bar.label} ${part.name}: ${part.value}`}</title>
                </rect>
              );
            })}
            {i % 10 === 0 && (
              <text x={i * 12} y={height + 14} className="fill-slate-500 text-[9px]">
                {bar.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
