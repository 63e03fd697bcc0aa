import { TelegramLinksService, type TelegramLinksServer } from '@herald/contracts';
import { unary, type RpcService } from '@herald/rpc';
import type { Logger } from '@herald/telemetry';
import type { Links } from './links.js';

const name = 'herald.v1.TelegramLinks';

export function linksRpc(links: Links, logger: Logger): RpcService {
  const implementation: TelegramLinksServer = {
    createLink: unary(`${name}/CreateLink`, logger, (request) => links.create(request)),
    getLink: unary(`${name}/GetLink`, logger, (request) => links.get(request)),
    unlink: unary(`${name}/Unlink`, logger, async (request) => ({ unlinked: await links.unlink(request) })),
  };
  return { name, definition: TelegramLinksService, implementation };
}
