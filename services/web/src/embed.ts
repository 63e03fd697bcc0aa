import { installGlobal } from '@herald/sdk';
import { HeraldBrowserPushControl } from './components/browser-push-control/browser-push-control.component.js';
import { HeraldApp } from './components/herald-app/herald-app.component.js';
import { HeraldDemo } from './components/herald-demo/herald-demo.component.js';
import { HeraldNotificationCenter } from './components/notification-center/notification-center.component.js';
import { HeraldPopupStack } from './components/popup-stack/popup-stack.component.js';
import { HeraldSettingsPage } from './components/settings-page/settings-page.component.js';
import { HeraldTelegramControl } from './components/telegram-control/telegram-control.component.js';

/**
 * embed.js: one classic script that defines the elements and
 * `window.APP.notifications`. A second copy of the script on the page is harmless.
 */
const elements: [string, CustomElementConstructor][] = [
  ['herald-popup-stack', HeraldPopupStack],
  ['herald-notification-center', HeraldNotificationCenter],
  ['herald-browser-push-control', HeraldBrowserPushControl],
  ['herald-telegram-control', HeraldTelegramControl],
  ['herald-settings-page', HeraldSettingsPage],
  ['herald-app', HeraldApp],
  ['herald-demo', HeraldDemo],
];
for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element);
installGlobal();
