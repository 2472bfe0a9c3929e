import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import type { JsonPath, SpecIssue } from './spec-issue.js';
import { formatJsonPath } from './spec-issue.js';

/** Parsed JSON text that can say where any path of the document sits (line and column, 1-based). */
export interface JsonSource {
  readonly value: unknown;
  locate(path: JsonPath): { readonly line: number; readonly column: number } | undefined;
}

const STRICT_JSON = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;

/** Far deeper than any spec (a seeded param sits at depth 5); shallow enough that parsing cannot overflow the stack. */
const MAX_DEPTH = 64;

/** Offset of the first bracket nested deeper than MAX_DEPTH, skipping strings and comments as the parser does. */
function tooDeepAt(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // The parser ends a string at its closing quote or, unterminated, at the end of the line.
      for (i++; i < text.length && text[i] !== '"' && text[i] !== '\n' && text[i] !== '\r'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === '{' || c === '[') {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === '}' || c === ']') && depth > 0) {
      depth--;
    }
  }
  return undefined;
}

export function readJsonSource(text: string): { readonly source: JsonSource } | { readonly issues: readonly SpecIssue[] } {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  };

  // The parser and the walks below recurse once per level: a few thousand brackets would overflow the stack.
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    return { issues: [{ code: 'json-syntax', path: '', message: `nested more than ${MAX_DEPTH} levels deep; a spec never needs more than a few`, ...position(deep) }] };
  }
  const errors: ParseError[] = [];
  // A UTF-8 byte order mark (some Windows editors write one) may be ignored (RFC 8259 §8.1); a space keeps offsets.
  const root = parseTree(text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text, errors, STRICT_JSON);
  if (errors.length > 0 || root === undefined) {
    const first = errors[0];
    const where = first === undefined ? { line: 1, column: 1 } : position(first.offset);
    const what = first === undefined ? 'empty document' : describeParseError(printParseErrorCode(first.error));
    return { issues: [{ code: 'json-syntax', path: '', message: `not valid JSON: ${what}`, ...where }] };
  }

  const duplicates = findDuplicateKeys(root);
  if (duplicates.length > 0) {
    return {
      issues: duplicates.map((d) => ({
        code: 'json-syntax' as const,
        path: formatJsonPath(d.path),
        message: `key "${d.key}" appears more than once`,
        ...position(d.offset),
      })),
    };
  }

  const source: JsonSource = {
    value: toValue(root),
    locate(path) {
      // A missing field has no node of its own: point at the nearest enclosing value instead.
      for (let n = path.length; n >= 0; n--) {
        const node = findNodeAtLocation(root, path.slice(0, n) as (string | number)[]);
        if (node !== undefined) return position(node.parent?.type === 'property' && n === path.length ? node.parent.offset : node.offset);
      }
      return undefined;
    },
  };
  return { source };
}

function describeParseError(code: string): string {
  // The parser's codes are CamelCase identifiers; people read sentences.
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function toValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        // defineProperty, not assignment: a key named __proto__ must stay data, never a prototype.
        if (key !== undefined && value !== undefined) {
          Object.defineProperty(out, key.value as string, { value: toValue(value), enumerable: true, writable: true, configurable: true });
        }
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map(toValue);
    default:
      return node.value;
  }
}

function findDuplicateKeys(root: Node): { path: JsonPath; key: string; offset: number }[] {
  const found: { path: JsonPath; key: string; offset: number }[] = [];
  const walk = (node: Node, path: JsonPath) => {
    if (node.type === 'object') {
      const seen = new Set<string>();
      for (const prop of node.children ?? []) {
        const [key, value] = prop.children ?? [];
        if (key === undefined) continue;
        const name = key.value as string;
        if (seen.has(name)) found.push({ path, key: name, offset: key.offset });
        seen.add(name);
        if (value !== undefined) walk(value, [...path, name]);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, i) => walk(child, [...path, i]));
    }
  };
  walk(root, []);
  return found;
}
