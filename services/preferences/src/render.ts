import { Rendered, type CallNotice, type Notification } from '@herald/contracts';

/** 125 → "2:05" */
function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return `${minutes}:${String(rest).padStart(2, '0')}`;
}

function renderCall(call: CallNotice): Rendered {
  const lines = [call.text];
  if (call.to) lines.push(`To: ${call.to}`);
  if (call.duration > 0) lines.push(`Duration: ${formatDuration(call.duration)}`);
  return Rendered.fromPartial({
    title: call.from ? `Incoming call from ${call.from}` : 'Incoming call',
    body: lines.filter((line) => line !== '').join('\n'),
    link: call.link,
  });
}

/**
 * The channel-neutral text of a notification, rendered once for every
 * channel. `providerName` titles a notification that has no header of its own.
 */
export function render(notification: Notification, providerName: string): Rendered {
  const body = notification.body;
  switch (body?.$case) {
    case 'error':
    case 'event':
      return Rendered.fromPartial({
        title: body.value.header || providerName,
        body: body.value.text,
        link: body.value.link,
      });
    case 'call':
      return renderCall(body.value);
    case undefined:
      return Rendered.fromPartial({ title: providerName });
  }
}
