// The pods/ephemeralcontainers subresource as the API server handles it: the three patch types kubectl and
// client-node send (strategic merge, JSON merge, JSON patch) and PUT, applied to spec.ephemeralContainers only
// (the subresource ignores every other field), then the API server's validation, worded as it words it: names
// unique across the pod, an image, a target that exists, and existing ephemeral containers never changed or removed.
import { ApiError, status } from './apiStatus.ts';
import type { K8sObject } from './resources.ts';

export type ContainerObject = Record<string, unknown> & { name: string };

export const STRATEGIC = 'application/strategic-merge-patch+json';
export const MERGE = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

const unsupported = () => new ApiError(status(415, 'UnsupportedMediaType',
  `the body of the request was in an unknown format - accepted media types include: ${JSON_PATCH}, ${MERGE}, ${STRATEGIC}, application/apply-patch+yaml`));

/** The ephemeral containers a PATCH with this content type and body asks for (not yet validated). */
export function patchEphemeralContainers(current: ContainerObject[], contentType: string, body: unknown): unknown {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === JSON_PATCH) return applyJsonPatch(current, body);
  if (!isObject(body)) throw badPatch('the patch is not a JSON object');
  const spec = body.spec;
  if (spec === undefined || spec === null) return current;
  if (!isObject(spec)) throw badPatch('spec is not an object');
  if (!('ephemeralContainers' in spec)) return current;
  const list = spec.ephemeralContainers;
  if (type === MERGE) return list === null ? [] : list;
  if (type !== STRATEGIC) throw unsupported();
  // Strategic merge: the list merges by its patchMergeKey, name; directives ($setElementOrder, $patch) are honoured
  // as far as this list needs them.
  if (list === null) return [];
  if (!Array.isArray(list)) throw badPatch('spec.ephemeralContainers is not a list');
  const out = current.map((c) => structuredClone(c));
  for (const item of list) {
    if (!isObject(item) || typeof item.name !== 'string') throw badPatch('an ephemeral container in the patch has no name');
    const at = out.findIndex((c) => c.name === item.name);
    if (item.$patch === 'delete') { if (at >= 0) out.splice(at, 1); continue; }
    const clean = Object.fromEntries(Object.entries(item).filter(([k]) => !k.startsWith('$'))) as ContainerObject;
    if (at >= 0) out[at] = mergeObjects(out[at], clean) as ContainerObject;
    else out.push(clean);
  }
  return out;
}

/** The ephemeral containers of a PUT of the whole Pod to the subresource. */
export function replacedEphemeralContainers(body: unknown): unknown {
  if (!isObject(body) || !isObject(body.spec)) throw badPatch('the body is not a Pod');
  return body.spec.ephemeralContainers ?? [];
}

function applyJsonPatch(current: ContainerObject[], body: unknown): unknown {
  if (!Array.isArray(body)) throw badPatch('a JSON patch is a list of operations');
  let list: unknown = current.map((c) => structuredClone(c));
  for (const op of body) {
    if (!isObject(op) || typeof op.path !== 'string' || typeof op.op !== 'string') throw badPatch('a JSON patch operation needs op and path');
    const m = /^\/spec\/ephemeralContainers(?:\/(-|\d+))?$/.exec(op.path);
    if (!m) continue; // other fields: the subresource leaves them alone
    if (op.op === 'add' || op.op === 'replace') {
      if (m[1] === undefined) list = op.value;
      else if (Array.isArray(list)) {
        const i = m[1] === '-' ? list.length : Number(m[1]);
        if (op.op === 'add') list.splice(i, 0, op.value); else list[i] = op.value;
      }
    } else if (op.op === 'remove') {
      if (m[1] === undefined) list = [];
      else if (Array.isArray(list)) list.splice(Number(m[1]), 1);
    } else throw badPatch(`the JSON patch operation ${op.op} is not supported here`);
  }
  return list;
}

/** Throws the API server's 422 for an update of a pod's ephemeral containers that it refuses. */
export function validateEphemeralContainers(pod: K8sObject, next: unknown): ContainerObject[] {
  const name = String(pod.metadata.name);
  const spec = pod.spec as { containers: ContainerObject[]; initContainers?: ContainerObject[]; ephemeralContainers?: ContainerObject[] };
  const current = spec.ephemeralContainers ?? [];
  const causes: { reason: string; message: string; field: string }[] = [];
  const fail = (reason: string, field: string, message: string) => causes.push({ reason, message: `${message}`, field });
  if (!Array.isArray(next)) {
    fail('FieldValueInvalid', 'spec.ephemeralContainers', 'Invalid value: "": must be a list');
    throw invalid(name, causes);
  }
  const regular = [...spec.containers, ...(spec.initContainers ?? [])].map((c) => c.name);
  const seen = new Set(regular);
  next.forEach((c: unknown, i) => {
    const at = `spec.ephemeralContainers[${i}]`;
    if (!isObject(c)) { fail('FieldValueInvalid', at, 'Invalid value: must be an object'); return; }
    const cname = typeof c.name === 'string' ? c.name : '';
    if (!cname) fail('FieldValueRequired', `${at}.name`, 'Required value');
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(cname) || cname.length > 63) {
      fail('FieldValueInvalid', `${at}.name`, `Invalid value: "${cname}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character`);
    } else if (seen.has(cname)) fail('FieldValueDuplicate', `${at}.name`, `Duplicate value: "${cname}"`);
    seen.add(cname);
    if (typeof c.image !== 'string' || !c.image) fail('FieldValueRequired', `${at}.image`, 'Required value');
    const target = c.targetContainerName;
    if (target !== undefined && target !== '' && !regular.includes(String(target))) {
      fail('FieldValueNotFound', `${at}.targetContainerName`, `Not found: "${String(target)}"`);
    }
    for (const f of ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle']) {
      if (c[f] !== undefined) fail('FieldValueForbidden', `${at}.${f}`, 'Forbidden: cannot be set for an Ephemeral Container');
    }
  });
  const byName = new Map((next.filter(isObject) as ContainerObject[]).map((c) => [c.name, c]));
  for (const old of current) {
    const now = byName.get(old.name);
    if (!now) fail('FieldValueForbidden', 'spec.ephemeralContainers', `Forbidden: existing ephemeral containers "${old.name}" may not be removed`);
    else if (canonical(now) !== canonical(old)) fail('FieldValueForbidden', 'spec.ephemeralContainers', `Forbidden: existing ephemeral containers "${old.name}" may not be changed`);
  }
  if (causes.length) throw invalid(name, causes);
  return next as ContainerObject[];
}

/** What the API server stores of a new ephemeral container: the defaults it fills in. */
export function withDefaults(c: ContainerObject): ContainerObject {
  const image = String(c.image);
  const latest = !/[:@][^/]*$/.test(image) || image.endsWith(':latest');
  return { terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    imagePullPolicy: latest ? 'Always' : 'IfNotPresent', resources: {}, ...c };
}

function invalid(name: string, causes: { reason: string; message: string; field: string }[]): ApiError {
  const message = `Pod "${name}" is invalid: ${causes.length === 1 ? `${causes[0].field}: ${causes[0].message}`
    : `[${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}]`}`;
  return new ApiError(status(422, 'Invalid', message, { name, kind: 'Pod', causes }));
}

const badPatch = (why: string) => new ApiError(status(400, 'BadRequest', `error decoding patch: ${why}`));

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeObjects(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    if (v === null) delete out[k];
    else if (isObject(v) && isObject(out[k])) out[k] = mergeObjects(out[k] as Record<string, unknown>, v);
    else out[k] = v;
  }
  return out;
}

/** A container as JSON with its keys sorted and the server's defaults filled in, to compare two of them. */
function canonical(c: unknown): string {
  const sort = (v: unknown): unknown => Array.isArray(v) ? v.map(sort)
    : isObject(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort(v[k])])) : v;
  return JSON.stringify(sort(isObject(c) && typeof c.image === 'string' ? withDefaults(c as ContainerObject) : c));
}
