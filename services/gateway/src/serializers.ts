import { SerializerSelector, type SerializerFactory } from '@fastify/fast-json-stringify-compiler';

/**
 * Fastify's own response serializers, compiled once per schema rather than
 * once per route and status: the routes share their schemas (every error
 * answer is `ErrorBody`), and Fastify by itself compiled 314 serializers for 41
 * schemas at start, each kept for the life of the process. A serializer
 * depends on its schema and its context's shared schemas only, so each
 * context (one factory call) keeps its own.
 */
export function sharedSerializers(): SerializerFactory {
  const build = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    const compiled = new WeakMap<object, ReturnType<typeof compile>>();
    return (route) => {
      const schema = route.schema as object;
      const known = compiled.get(schema);
      if (known) return known;
      const serialize = compile(route);
      compiled.set(schema, serialize);
      return serialize;
    };
  };
}
