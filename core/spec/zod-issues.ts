import type { z } from 'zod';
import type { JsonPath, SpecIssue } from './spec-issue.js';
import { formatJsonPath } from './spec-issue.js';

function valueAt(root: unknown, path: JsonPath): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  // String, not JSON.stringify: a number too large for a double (1e400) parses to Infinity, which JSON writes as null.
  if (typeof value === 'number') return String(value);
  return typeof value === 'object' ? 'an object' : JSON.stringify(value);
}

/** Turns schema-library issues into our sentences, each under the full path from the document root. */
export function zodToSpecIssues(error: z.ZodError, root: unknown, prefix: JsonPath): SpecIssue[] {
  const issues: SpecIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    const got = valueAt(root, path);
    let message: string;
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const key of issue.keys) {
          issues.push({ code: 'schema', path: formatJsonPath([...path, key]), message: 'unknown field' });
        }
        continue;
      case 'invalid_type':
        message = got === undefined ? `required field is missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${show(got)}`;
        break;
      case 'invalid_value':
        message = `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${show(got)}`;
        break;
      case 'invalid_union':
        message =
          'discriminator' in issue && typeof issue.discriminator === 'string'
            ? `unknown ${issue.discriminator} ${show(got)}`
            : `${show(got)} is not a valid value here`;
        break;
      case 'too_small':
        message =
          issue.origin === 'array'
            ? `needs at least ${String(issue.minimum)} item(s), got ${Array.isArray(got) ? got.length : 0}`
            : `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}, got ${show(got)}`;
        break;
      case 'too_big':
        message =
          issue.origin === 'array'
            ? `allows at most ${String(issue.maximum)} item(s), got ${Array.isArray(got) ? got.length : 0}`
            : `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}, got ${show(got)}`;
        break;
      case 'invalid_format':
        message = `${show(got)} ${issue.message}`;
        break;
      default:
        message = issue.message;
    }
    issues.push({ code: 'schema', path: formatJsonPath(path), message });
  }
  return issues;
}
