import type { Row } from './report.ts';
import type { Ctx } from './bench.ts';
import { notAvailable } from './report.ts';

export async function copySection(_ctx: Ctx): Promise<Row[]> {
  return notAvailable([{ metric: 'copy', unit: '', target: '' }], 'not written yet');
}
