/**
 * corsgate for Fastify 5:
 *
 *   app.register(cors, { origins: ['https://app.example.com'] });
 *
 * The plugin hooks into the context it is registered in (it skips Fastify's override, like a
 * fastify-plugin), so registering it inside a prefixed plugin scopes the policy to those routes.
 * Preflights are answered even when no OPTIONS route exists, and 404s carry the CORS headers
 * (inside a prefixed scope this takes a catch-all route in that scope). For live reconfiguration, build the plugin first:
 *
 *   const corsPlugin = cors({ origins: [...] });
 *   app.register(corsPlugin);
 *   corsPlugin.update({ origins: [...] });
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Decision } from '../policy/types.js';
import {
  answersWithBody,
  attachHandle,
  isPolicy,
  mergeVary,
  PolicyHolder,
  refusalBody,
  type PolicyInput,
  type Reconfigurable,
} from './shared.js';

export type { PolicyInput, Reconfigurable } from './shared.js';

export type FastifyCorsPlugin = ((instance: FastifyInstance, options?: unknown) => Promise<void>) &
  Reconfigurable;

function setHeaders(reply: FastifyReply, decision: Decision): void {
  const h = decision.headers;
  for (const name in h) {
    if (name === 'Vary') {
      const existing = reply.getHeader('vary');
      reply.header('Vary', existing === undefined ? h.Vary! : mergeVary(existing, h.Vary!));
    } else {
      reply.header(name, h[name]!);
    }
  }
}

function install(instance: FastifyInstance, holder: PolicyHolder): void {
  // A callback-style hook, not an async one: no promise per request on the hot path.
  instance.addHook('onRequest', (request, reply, done) => {
    const decision = holder.policy.evaluate(request.raw);
    setHeaders(reply, decision);
    if (decision.status === null) {
      done();
      return;
    }
    // Answered here: not calling done() ends the request before routing, so no handler runs.
    reply.code(decision.status);
    if (answersWithBody(decision)) {
      reply.type('application/json; charset=utf-8').send(refusalBody(decision));
      return;
    }
    if (decision.status !== 204) reply.header('Content-Length', '0');
    reply.send();
  });
  // At the root, unmatched requests (preflights without an OPTIONS route, 404s) run the root's
  // hooks, so the hook above already sees them. Inside a prefixed scope they would fall to the
  // root's not-found handler and skip this scope's hooks: a catch-all route in the scope keeps
  // them here, then hands them to the ordinary not-found handler.
  if (instance.prefix !== '') instance.all('*', async (_request, reply) => reply.callNotFound());
}

function markSkipOverride<T extends object>(fn: T): T {
  (fn as Record<symbol, unknown>)[Symbol.for('skip-override')] = true;
  (fn as Record<symbol, unknown>)[Symbol.for('fastify.display-name')] = 'corsgate';
  return fn;
}

function makePlugin(holder: PolicyHolder): FastifyCorsPlugin {
  const plugin = async (instance: FastifyInstance): Promise<void> => install(instance, holder);
  return attachHandle(markSkipOverride(plugin), holder);
}

function isFastifyInstance(x: unknown): x is FastifyInstance {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as FastifyInstance).addHook === 'function' &&
    typeof (x as FastifyInstance).register === 'function'
  );
}

/**
 * Either the plugin itself (`app.register(cors, options)`), or a factory (`cors(options)`) that
 * returns a plugin with `update()`.
 */
// The plugin signature comes last: TypeScript infers `app.register(cors, options)`'s option type
// from the last overload, so literal options (onDisallowed: 'reject') are checked as PolicyOptions.
export function cors(options: PolicyInput): FastifyCorsPlugin;
export function cors(instance: FastifyInstance, options: PolicyInput): Promise<void>;
export function cors(
  first: FastifyInstance | PolicyInput,
  second?: PolicyInput,
): Promise<void> | FastifyCorsPlugin {
  if (isFastifyInstance(first)) {
    const input = second ?? ({} as PolicyInput);
    if (!isPolicy(input) && (input as { origins?: unknown }).origins === undefined) {
      return Promise.reject(
        new TypeError("corsgate/fastify: app.register(cors, options) needs options with 'origins'"),
      );
    }
    install(first, new PolicyHolder(stripFastifyOptions(input)));
    return Promise.resolve();
  }
  return makePlugin(new PolicyHolder(first));
}
markSkipOverride(cors);

/** Fastify adds its own registration options (prefix, logLevel) to the plugin options. */
function stripFastifyOptions(input: PolicyInput): PolicyInput {
  if (isPolicy(input)) return input;
  const {
    prefix: _prefix,
    logLevel: _logLevel,
    logSerializers: _ls,
    ...rest
  } = input as PolicyInput & { prefix?: unknown; logLevel?: unknown; logSerializers?: unknown };
  return rest as PolicyInput;
}

export default cors;
