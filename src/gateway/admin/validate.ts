/**
 * The validator of the admin API's request bodies: a JSON Schema subset (the shapes of `Schema`)
 * and the string formats it knows. The schemas themselves are in schema.ts.
 */
import { MAX_LISTED_PROBLEMS } from './http.js';

export type Schema =
  | {
      type: 'string';
      minLength?: number;
      maxLength?: number;
      enum?: readonly string[];
      pattern?: string;
      format?: FormatName;
      description?: string;
    }
  | { type: 'boolean'; description?: string }
  | { type: 'integer'; minimum?: number; maximum?: number; description?: string }
  | { type: 'array'; items: Schema; maxItems?: number; minItems?: number; description?: string }
  | {
      type: 'object';
      properties: Record<string, Schema>;
      required?: readonly string[];
      additionalProperties: false;
      description?: string;
    }
  /** One of a few shapes (a list or `'*'`): the value must fit one; the problems shown are the closest shape's. */
  | { type?: undefined; anyOf: readonly Schema[]; description?: string };

export interface BodyProblem {
  code: string;
  field: string;
  message: string;
}

/**
 * String formats the validator knows (published as JSON Schema `format`). `host-pattern` is what
 * route matching accepts (src/gateway/routes.ts): `*`, a host name, `*.` and a domain (any
 * subdomain), an IPv4 address or a bracketed IPv6 literal; no port, no trailing dot (RFC 1123 §2.1
 * names, RFC 1035 §2.3.4 lengths).
 */
const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOST_PATTERN = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$|^\\[[0-9a-f:.]+\\]$|^\\*$`, 'i');
const FORMATS = {
  'host-pattern': {
    test: (v: string) => HOST_PATTERN.test(v),
    message: (where: string, v: string) =>
      /:\d+$/.test(v) && !v.startsWith('[')
        ? `${where} must be a host without a port (the route matches every port of a host)`
        : v.endsWith('.')
          ? `${where} must not end with a dot: write ${v.replace(/\.+$/, '')}`
          : `${where} must be a host name (api.example.com), *.example.com for its subdomains, an IP address, or * for any host`,
  },
} as const;
type FormatName = keyof typeof FORMATS;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && Number.isInteger(v)) return 'integer';
  return typeof v;
}

/** The problems of one body: the first MAX_LISTED_PROBLEMS in full, the others only counted. */
export interface Validation {
  problems: BodyProblem[];
  total: number;
}

class Collector implements Validation {
  readonly problems: BodyProblem[] = [];
  total = 0;
  /** `message` is built only for a problem that is listed. */
  add(code: string, field: string, message: () => string): void {
    if (this.total++ < MAX_LISTED_PROBLEMS) this.problems.push({ code, field, message: message() });
  }
}

const compiled = new Map<string, RegExp>();
function regexOf(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = new RegExp(pattern)));
  return re;
}

function join(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

/**
 * Checks a value against a schema. Only own properties count: `__proto__`, `constructor`,
 * `toString` and the like are unknown fields like any other. Sizes are checked before contents: an
 * array over `maxItems` is refused without looking at its items, and a string over `maxLength`
 * without matching its pattern, so the work stays proportional to what the schema allows.
 */
export function checkBody(schema: Schema, value: unknown, field = ''): Validation {
  const out = new Collector();
  walk(schema, value, field, out);
  return out;
}

/** The listed problems of `checkBody` (at most MAX_LISTED_PROBLEMS). */
export function validate(schema: Schema, value: unknown, field = ''): BodyProblem[] {
  return checkBody(schema, value, field).problems;
}

function walk(schema: Schema, value: unknown, field: string, out: Collector): void {
  if (schema.type === undefined) return walkAny(schema.anyOf, value, field, out);
  const where = field || 'body';
  const wrongType = (expected: string) =>
    out.add('body-wrong-type', where, () => `${where} must be ${expected}, not ${typeName(value)}`);
  switch (schema.type) {
    case 'object': {
      if (typeName(value) !== 'object') return wrongType('an object');
      const obj = value as Record<string, unknown>;
      const props = schema.properties as Record<string, Schema>;
      for (const key of Object.keys(obj)) {
        if (!Object.hasOwn(props, key))
          out.add(
            'body-unknown-field',
            join(field, key),
            () => `unknown field '${key}' (allowed: ${Object.keys(props).join(', ')})`,
          );
      }
      for (const key of schema.required ?? []) {
        if (!Object.hasOwn(obj, key))
          out.add('body-missing-field', join(field, key), () => `the field '${key}' is required`);
      }
      for (const [key, sub] of Object.entries(props)) {
        if (Object.hasOwn(obj, key)) walk(sub, obj[key], join(field, key), out);
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return wrongType('an array');
      if (schema.maxItems !== undefined && value.length > schema.maxItems)
        return out.add(
          'body-too-many-items',
          where,
          () => `${where} may hold at most ${schema.maxItems} items, not ${value.length}`,
        );
      if (schema.minItems !== undefined && value.length < schema.minItems)
        out.add('body-too-few-items', where, () => `${where} needs at least ${schema.minItems} item(s)`);
      for (let i = 0; i < value.length; i++) walk(schema.items, value[i], `${where}[${i}]`, out);
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return wrongType('a string');
      if (schema.maxLength !== undefined && value.length > schema.maxLength)
        return out.add(
          'body-too-long',
          where,
          () => `${where} is longer than ${schema.maxLength} characters`,
        );
      if (schema.minLength !== undefined && value.length < schema.minLength)
        return out.add('body-too-short', where, () => `${where} must not be empty`);
      if (schema.enum && !schema.enum.includes(value))
        out.add('body-not-allowed-value', where, () => `${where} must be one of: ${schema.enum!.join(', ')}`);
      if (schema.pattern && !regexOf(schema.pattern).test(value))
        out.add('body-bad-format', where, () => `${where} must match ${schema.pattern}`);
      if (schema.format && !FORMATS[schema.format].test(value))
        out.add('body-bad-format', where, () => FORMATS[schema.format!].message(where, value));
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') wrongType('a boolean');
      return;
    case 'integer':
      if (typeName(value) !== 'integer') return wrongType('an integer');
      if (
        (schema.minimum !== undefined && (value as number) < schema.minimum) ||
        (schema.maximum !== undefined && (value as number) > schema.maximum)
      )
        out.add(
          'body-out-of-range',
          where,
          () => `${where} must be between ${schema.minimum} and ${schema.maximum}`,
        );
      return;
  }
}

/** Fits one of `shapes`; otherwise the problems of the shape of the same JSON type (else of the last). */
function walkAny(shapes: readonly Schema[], value: unknown, field: string, out: Collector): void {
  const tries = shapes.map((s) => checkBody(s, value, field));
  if (tries.some((t) => t.total === 0)) return;
  const same = shapes.findIndex(
    (s) => s.type === typeName(value) || (s.type === 'integer' && typeof value === 'number'),
  );
  const closest = tries[same === -1 ? tries.length - 1 : same]!;
  for (const p of closest.problems) out.add(p.code, p.field, () => p.message);
}
