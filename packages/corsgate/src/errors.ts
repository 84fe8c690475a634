/**
 * The one error model of corsgate. Every error corsgate throws on purpose is a `CorsgateError`: it
 * carries a stable, documented `code` (match on it, never on the message) and, when several things
 * are wrong at once, every `problem` found, each with its own code, path and fix.
 *
 * `instanceof` works across copies of corsgate (two versions in one `node_modules`, a bundled and an
 * unbundled copy): each instance is branded with a registry symbol, and `Symbol.hasInstance` checks
 * the brand when the prototype check fails, as undici does for its errors.
 *
 * Giving a module's error class this model takes two lines:
 *
 *     export class ConfigError extends CorsgateError<ConfigErrorCode> {
 *       constructor(code: ConfigErrorCode, message: string) { super(code, message); }
 *     }
 */

/** One problem among several: what, where (`path` into the input, e.g. `origins[3]`) and how to fix it. */
export interface CorsgateProblem<Code extends string = string> {
  readonly code: Code;
  readonly message: string;
  readonly path?: string;
  readonly severity?: 'error' | 'warning';
  /** A concrete fix, when one can be suggested. */
  readonly hint?: string;
}

export interface CorsgateErrorOptions<Problem extends CorsgateProblem> {
  problems?: readonly Problem[];
  cause?: unknown;
}

/** In the global symbol registry, so that every copy of corsgate brands and recognises the same key. */
const BRAND = Symbol.for('corsgate.error');

/** Any class: what `new.target` and a prototype chain of constructors are. */
type AnyClass = abstract new (...args: never[]) => object;

/** The names of a class and of its ancestors up to CorsgateError, computed once per class. */
const lineages = new WeakMap<AnyClass, readonly string[]>();
function lineageOf(ctor: AnyClass): readonly string[] {
  let names = lineages.get(ctor);
  if (names === undefined) {
    const list: string[] = [];
    for (
      let c: AnyClass | null = ctor;
      c !== null && c !== CorsgateError && c !== Error;
      c = Object.getPrototypeOf(c) as AnyClass | null
    ) {
      list.push(c.name);
    }
    names = Object.freeze(list);
    lineages.set(ctor, names);
  }
  return names;
}

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

export class CorsgateError<
  Code extends string = string,
  Problem extends CorsgateProblem = CorsgateProblem,
> extends Error {
  /** Stable and documented: what went wrong, for programs. */
  declare readonly code: Code;
  /** Every problem found, when there are several (for example every invalid option of a policy). */
  declare readonly problems?: readonly Problem[];

  constructor(code: Code, message: string, options: CorsgateErrorOptions<Problem> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    if (options.problems !== undefined) this.problems = options.problems;
    Object.defineProperty(this, BRAND, { value: lineageOf(new.target) });
  }

  /**
   * `err instanceof CorsgateError` is true for an error of any copy of corsgate; `err instanceof
   * PolicyError` for a PolicyError (or a subclass of it) of any copy. Inherited by every subclass.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (ordinaryInstanceOf.call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    const lineage = (value as { [BRAND]?: unknown })[BRAND];
    if (!Array.isArray(lineage)) return false;
    return this === CorsgateError || lineage.includes(this.name);
  }
}
