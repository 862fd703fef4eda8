// Path helpers of the files view (paths are POSIX on both sides: the main side normalizes). Sizes and
// times are written by common/format.ts, like everywhere else.

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}

export function parentPath(p: string): string {
  if (p === '/' || p === '') return '/';
  const i = p.replace(/\/+$/, '').lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

export function baseName(p: string): string {
  return p.replace(/\/+$/, '').split('/').pop() || '/';
}

export function breadcrumbs(p: string): { label: string; path: string }[] {
  if (!p) return [];
  const out = [{ label: '/', path: '/' }];
  let cur = '';
  for (const part of p.split('/').filter(Boolean)) {
    cur += `/${part}`;
    out.push({ label: part, path: cur });
  }
  return out;
}
