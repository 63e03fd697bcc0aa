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
