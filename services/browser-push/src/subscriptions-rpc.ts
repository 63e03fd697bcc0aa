import { PushSubscriptionsService, type PushSubscriptionsServer } from '@herald/contracts';
import { unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { Subscriptions } from './subscriptions.js';

const name = 'herald.v1.PushSubscriptions';

export function subscriptionsRpc(subscriptions: Subscriptions, logger: Logger): RpcService {
  const implementation: PushSubscriptionsServer = {
    register: unary(`${name}/Register`, logger, (request) => subscriptions.register(request)),
    list: unary(`${name}/List`, logger, (request) => subscriptions.list(request.accountId, request.userId)),
    remove: unary(`${name}/Remove`, logger, async (request) => {
      await subscriptions.remove(request.accountId, request.userId, request.subscriptionId);
      return {};
    }),
    getVapidPublicKey: unary(`${name}/GetVapidPublicKey`, logger, async () => ({
      publicKey: subscriptions.vapidPublicKey(),
    })),
  };
  return { name, definition: PushSubscriptionsService, implementation };
}
