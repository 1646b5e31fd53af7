// Subscriptions over WebSockets (the graphql-ws protocol, `graphql-transport-ws`), beside the
// Server-Sent Events yoga serves itself, on the same path (/graphql). The socket's caller is
// authenticated like an HTTP request's: the `authorization` connection parameter (or the upgrade
// request's Authorization header) names the key; each subscription runs through yoga's envelope (the
// schema, the context with the caller's clearance, the same plugins).
import type { Server } from 'node:http';
import type { ExecutionArgs, GraphQLError } from 'graphql';
import { CloseCode, type OperationResult } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { AuthError } from './auth/authenticate.js';
import type { Principal } from './auth/principal.js';

type Enveloped = { execute(args: ExecutionArgs): OperationResult; subscribe(args: ExecutionArgs): OperationResult };

export function serveWebSockets(
  server: Server,
  // biome-ignore lint/suspicious/noExplicitAny: yoga's server context type is the server module's own
  yoga: YogaServerInstance<any, any>,
  authenticate: (authorization: string | undefined) => Promise<Principal>,
) {
  const sockets = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onConnect: async (ctx) => {
        const given = ctx.connectionParams?.authorization;
        const authorization = typeof given === 'string' ? given : ctx.extra.request.headers.authorization;
        try {
          (ctx.extra as { principal?: Principal }).principal = await authenticate(authorization);
          return true;
        } catch (error) {
          if (error instanceof AuthError) ctx.extra.socket.close(CloseCode.Forbidden, error.message);
          else throw error;
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const principal = (ctx.extra as { principal?: Principal }).principal;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          principal,
        });
        const document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length) return errors as GraphQLError[];
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    sockets,
  );
  return {
    async close() {
      await disposable.dispose();
      for (const socket of sockets.clients) socket.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}
