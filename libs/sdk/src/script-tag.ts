import { installGlobal } from './global.js';

// The script-tag bundle: `<script src="app-notifications.js">` defines window.APP.notifications.
installGlobal();
