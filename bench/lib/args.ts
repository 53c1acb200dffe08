// Command-line options of the benchmark scenarios: `--key=value` and bare `--flag`.

export function numberOption(args: string[], key: string, fallback: number): number {
  const found = args.find((a) => a.startsWith(`--${key}=`));
  return found ? Number(found.split("=")[1]) : fallback;
}

export function stringOption(args: string[], key: string, fallback: string): string {
  return args.find((a) => a.startsWith(`--${key}=`))?.split("=")[1] ?? fallback;
}
