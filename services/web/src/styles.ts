import { css } from 'lit';

/**
 * What every component shares. Colours pass WCAG AA (4.5:1) on their
 * backgrounds: text #1f2933 and #52606d on white, white on #1d4ed8 and #b91c1c.
 * The host page's CSS stops at the shadow root; these custom properties let it theme us.
 */
export const base = css`
  :host {
    --herald-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --herald-text: #1f2933;
    --herald-muted: #52606d;
    --herald-accent: #1d4ed8;
    --herald-error: #b91c1c;
    --herald-call: #047857;
    --herald-surface: #ffffff;
    --herald-border: #d9e2ec;
    --herald-unread: #eff6ff;
    font-family: var(--herald-font);
    color: var(--herald-text);
    font-size: 14px;
    line-height: 1.4;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  :focus-visible {
    outline: 3px solid #f59e0b;
    outline-offset: 2px;
  }
  button {
    font: inherit;
    cursor: pointer;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** A connection row of the settings page (browser push, Telegram): a title, its state, its buttons. */
export const connection = css`
  :host {
    display: block;
  }
  .connection {
    display: grid;
    gap: 6px;
    border: 1px solid var(--herald-border);
    border-radius: 8px;
    padding: 10px 14px;
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 12px;
  }
  h3 {
    font-size: 14px;
    margin: 0;
    flex: 1 1 auto;
  }
  .state {
    margin: 0;
    color: var(--herald-muted);
  }
  .state.ok {
    color: var(--herald-call);
    font-weight: 600;
  }
  .state.failed {
    color: var(--herald-error);
    font-weight: 600;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  button {
    background: #fff;
    color: var(--herald-accent);
    border: 1px solid var(--herald-accent);
    border-radius: 8px;
    padding: 6px 14px;
    font-weight: 600;
  }
  button.primary {
    background: var(--herald-accent);
    color: #fff;
  }
  button.add {
    width: 32px;
    height: 32px;
    padding: 0;
    font-size: 20px;
    line-height: 1;
  }
  button:disabled {
    opacity: 0.7;
    cursor: progress;
  }
  a {
    color: var(--herald-accent);
    font-weight: 600;
  }
  input[type='text'] {
    font: inherit;
    padding: 6px 8px;
    border: 1px solid #7b8794;
    border-radius: 6px;
    min-width: 0;
    flex: 1 1 320px;
    color: inherit;
    background: #fff;
  }
`;
