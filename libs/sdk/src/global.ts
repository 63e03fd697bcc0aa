import { Notifications } from './notifications.js';

interface AppGlobal {
  notifications?: Notifications;
  [key: string]: unknown;
}

/**
 * `window.APP.notifications`, for widget code written for Kommo: an existing
 * `APP` keeps everything it has (only `notifications` is added), and an
 * existing Herald `notifications` is reused, so two script tags share one.
 */
export function installGlobal(scope: { APP?: AppGlobal } = globalThis as { APP?: AppGlobal }): Notifications {
  const app = (scope.APP ??= {});
  if (app.notifications instanceof Notifications) return app.notifications;
  const existing = app.notifications as unknown;
  if (existing && typeof existing === 'object' && 'isOwnPopup' in existing) return existing as Notifications;
  const notifications = new Notifications();
  app.notifications = notifications;
  return notifications;
}
