/**
 * A boolean query parameter as the API server reads it (exec's stdin/stdout/stderr/tty, list's watch):
 * apimachinery's `runtime.Convert_Slice_string_To_bool` (k8s.io/apimachinery/pkg/runtime/conversion.go).
 * Absent, `0` or `false` in any case is false; every other value, the empty string included, is true. So
 * everything Go's `strconv.ParseBool` reads as true (`1 t T TRUE true True`) is true, python's client's
 * `stdout=True` among them, and of ParseBool's false values `0 FALSE false False` are false — but `f` and
 * `F` are true, as on a real API server (it never calls ParseBool here).
 */
export function queryBool(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}
