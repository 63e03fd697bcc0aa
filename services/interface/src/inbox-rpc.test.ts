import { describe, expect, it } from '@jest/globals';
import { ElementType, ListReply, Notification, ProviderKind, Rendered, type InboxItem } from '@herald/contracts';
import { encodeListPage } from './inbox-rpc.js';

const provider = { id: 'p1', kind: ProviderKind.PROVIDER_KIND_INTEGRATION, name: 'Telephony', iconUrl: '' };
const at = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 123));

const items: InboxItem[] = [
  {
    notification: {
      id: 'n1',
      accountId: 'acme',
      provider,
      recipients: [],
      occurredAt: at,
      ingestedAt: at,
      body: {
        $case: 'call',
        value: {
          text: 'Incoming call',
          from: '+1 555 0100',
          to: '',
          element: { id: 42, type: ElementType.ELEMENT_TYPE_LEAD },
          duration: 95,
          link: 'https://example.com/recording',
        },
      },
    },
    rendered: { title: 'Call', body: 'Incoming call — ✓ ünïcode', link: 'https://example.com/recording' },
    readAt: undefined,
  },
  {
    notification: {
      id: 'n2',
      accountId: 'acme',
      provider,
      recipients: [],
      occurredAt: at,
      ingestedAt: at,
      body: { $case: 'error', value: { header: 'Error', text: 'Disk full', link: '' } },
    },
    // Every field empty: an embedded message of no bytes.
    rendered: { title: '', body: '', link: '' },
    readAt: new Date(Date.UTC(2026, 0, 2, 8, 30, 0, 7)),
  },
];

describe('encodeListPage', () => {
  it('writes the stored parts as they are: the same bytes, and the same reply, as encoding the decoded items', () => {
    const page = {
      items: items.map((item) => ({
        notification: Notification.encode(item.notification!).finish(),
        rendered: Rendered.encode(item.rendered!).finish(),
        readAt: item.readAt,
      })),
      nextCursor: 'eyJvIjoibmV3ZXN0In0',
      unreadCount: 7,
    };
    const reply: ListReply = { items, nextCursor: page.nextCursor, unreadCount: 7 };
    const bytes = encodeListPage(page);
    expect(bytes).toEqual(Buffer.from(ListReply.encode(reply).finish()));
    expect(ListReply.decode(bytes)).toEqual(reply);
  });

  it('writes an empty last page as an empty reply', () => {
    const empty = { items: [], nextCursor: '', unreadCount: 0 };
    expect(encodeListPage(empty)).toEqual(Buffer.alloc(0));
    expect(ListReply.decode(encodeListPage(empty))).toEqual(empty);
  });
});
