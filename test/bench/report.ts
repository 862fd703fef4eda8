/**
 * Benchmark results: one row per metric, printed as a table and written as JSON.
 *
 * `ratio` is always kubedeck ÷ kubectl, whatever the unit; the target says which way is better
 * ("≥ 1.0× kubectl" for rates, "≤ 1.0× kubectl" for latencies).
 */

export interface Row {
  metric: string;
  /** null: not measured (see `note`). */
  kubedeck: number | null;
  kubectl: number | null;
  ratio: number | null;
  unit: string;
  target: string;
  /** true/false against the target; 'n/a' when a side could not be measured; null when the row has no target. */
  pass: boolean | 'n/a' | null;
  /** Why a value is missing, or what was checked besides (checksums, byte counts). */
  note?: string;
}

export type Better = 'higher' | 'lower';

/** Builds a row whose target is a ratio against kubectl (`kubedeck/kubectl ≥ min` or `≤ max`). */
export function vsKubectl(
  metric: string,
  unit: string,
  kubedeck: number | null,
  kubectl: number | null,
  better: Better,
  factor = 1,
  note?: string,
): Row {
  const ratio = kubedeck !== null && kubectl !== null && kubectl !== 0 ? kubedeck / kubectl : null;
  const target = better === 'higher' ? `≥ ${factor.toFixed(1)}× kubectl` : `≤ ${factor.toFixed(1)}× kubectl`;
  const pass = ratio === null ? 'n/a' : better === 'higher' ? ratio >= factor : ratio <= factor;
  return { metric, kubedeck, kubectl, ratio, unit, target, pass, note };
}

/** A row with an absolute target (`< limit` or `≥ limit`), or none. */
export function absolute(
  metric: string,
  unit: string,
  kubedeck: number | null,
  kubectl: number | null,
  target?: { below?: number; atLeast?: number; text?: string },
  note?: string,
): Row {
  const ratio = kubedeck !== null && kubectl !== null && kubectl !== 0 ? kubedeck / kubectl : null;
  let pass: Row['pass'] = null;
  let text = target?.text ?? '—';
  if (target?.below !== undefined) {
    text = target.text ?? `< ${target.below} ${unit}`;
    pass = kubedeck === null ? 'n/a' : kubedeck < target.below;
  } else if (target?.atLeast !== undefined) {
    text = target.text ?? `≥ ${target.atLeast} ${unit}`;
    pass = kubedeck === null ? 'n/a' : kubedeck >= target.atLeast;
  }
  return { metric, kubedeck, kubectl, ratio, unit, target: text, pass, note };
}

/** Rows that could not be measured at all, with the reason. */
export function notAvailable(metrics: { metric: string; unit: string; target: string }[], reason: string): Row[] {
  return metrics.map((m) => ({ ...m, kubedeck: null, kubectl: null, ratio: null, pass: 'n/a' as const, note: reason }));
}

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))];
}

function fmt(n: number | null): string {
  if (n === null || Number.isNaN(n)) return 'n/a';
  const a = Math.abs(n);
  if (a >= 1000) return n.toFixed(0);
  if (a >= 100) return n.toFixed(1);
  if (a >= 10) return n.toFixed(2);
  return n.toFixed(3);
}

function passText(p: Row['pass']): string {
  return p === true ? 'pass' : p === false ? 'FAIL' : p === 'n/a' ? 'n/a' : '—';
}

/** The table as aligned plain text, notes numbered below it. */
export function formatTable(rows: Row[]): string {
  const header = ['metric', 'kubedeck', 'kubectl', 'ratio', 'unit', 'target', 'pass'];
  const notes: string[] = [];
  const body = rows.map((r) => {
    let metric = r.metric;
    if (r.note) {
      notes.push(r.note);
      metric += ` [${notes.length}]`;
    }
    return [metric, fmt(r.kubedeck), fmt(r.kubectl), r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}×`, r.unit, r.target, passText(r.pass)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  return out.join('\n');
}

/** The table as Markdown, for the README. */
export function formatMarkdown(rows: Row[]): string {
  const notes: string[] = [];
  const lines = ['| metric | kubedeck | kubectl | ratio | unit | target | pass |', '|---|---:|---:|---:|---|---|---|'];
  for (const r of rows) {
    let metric = r.metric;
    if (r.note) {
      notes.push(r.note);
      metric += ` [${notes.length}]`;
    }
    lines.push(`| ${[metric, fmt(r.kubedeck), fmt(r.kubectl), r.ratio === null ? 'n/a' : `${r.ratio.toFixed(2)}×`, r.unit, r.target, passText(r.pass)].join(' | ')} |`);
  }
  if (notes.length) lines.push('', ...notes.map((n, i) => `${i + 1}. ${n}`));
  return lines.join('\n');
}
