import { describe, expect, it } from '@jest/globals';
import { ElementType, ProviderKind, type InboxItem, type Notification } from '@herald/contracts';
import { toItem } from './translate.js';

const at = new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 250));

function item(body: Notification['body'], readAt?: Date): InboxItem {
  return {
    notification: {
      id: 'n1',
      accountId: 'acme',
      provider: { id: 'p1', kind: ProviderKind.PROVIDER_KIND_SYSTEM, name: 'Tasks', iconUrl: '/icons/tasks.svg' },
      recipients: [],
      occurredAt: at,
      ingestedAt: at,
      body,
    },
    rendered: { title: 'Title', body: 'Body', link: '' },
    readAt,
  };
}

describe('toItem', () => {
  it('gives an error’s fields as sent, leaving out the empty ones', () => {
    expect(toItem(item({ $case: 'error', value: { header: '', text: 'Disk full', link: '/settings' } }))).toEqual({
      id: 'n1',
      kind: 'error',
      provider: { id: 'p1', kind: 'system', name: 'Tasks', icon_url: '/icons/tasks.svg' },
      occurred_at: '2026-01-01T12:00:00.250Z',
      read: false,
      content: { text: 'Disk full', link: '/settings' },
    });
  });

  it('names a call’s element type, and leaves out a zero duration and an unknown element', () => {
    const call = toItem(
      item(
        {
          $case: 'call',
          value: {
            text: 'Call',
            from: 'Jeremy',
            to: '',
            element: { id: 18221265, type: ElementType.ELEMENT_TYPE_CONTACT },
            duration: 250,
            link: '',
          },
        },
        new Date(Date.UTC(2026, 0, 2)),
      ),
    );
    expect(call).toMatchObject({ kind: 'call', read: true, read_at: '2026-01-02T00:00:00.000Z' });
    expect(call.content).toEqual({
      text: 'Call',
      from: 'Jeremy',
      duration: 250,
      element: { id: 18221265, type: 'contact' },
    });
    const bare = toItem(
      item({
        $case: 'call',
        value: {
          text: 'Call',
          from: '',
          to: '',
          element: { id: 1, type: ElementType.ELEMENT_TYPE_UNSPECIFIED },
          duration: 0,
          link: '',
        },
      }),
    );
    expect(bare.content).toEqual({ text: 'Call' });
  });

  it('gives an event’s task in snake_case, minutes_before only when set', () => {
    const task = { id: 't1', createdBy: 'u2', responsible: 'u1', minutesBefore: 15 };
    const event = toItem(item({ $case: 'event', value: { header: 'Task', text: 'Call the client', link: '', task } }));
    expect(event.kind).toBe('event');
    expect(event.content).toEqual({
      header: 'Task',
      text: 'Call the client',
      task: { id: 't1', created_by: 'u2', responsible: 'u1', minutes_before: 15 },
    });
    const due = toItem(
      item({ $case: 'event', value: { header: '', text: 'Due', link: '', task: { ...task, minutesBefore: 0 } } }),
    );
    expect(due.content).toEqual({ text: 'Due', task: { id: 't1', created_by: 'u2', responsible: 'u1' } });
    expect(
      toItem(item({ $case: 'event', value: { header: '', text: 'No task', link: '', task: undefined } })).content,
    ).toEqual({ text: 'No task' });
  });
});
