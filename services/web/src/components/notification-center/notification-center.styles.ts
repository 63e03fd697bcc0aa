import { css } from 'lit';

export const notificationCenterStyles = css`
  .bubble {
    position: fixed;
    left: 16px;
    bottom: 16px;
    z-index: 2147483000;
    width: 52px;
    height: 52px;
    border-radius: 50%;
    border: 0;
    background: var(--herald-accent);
    color: #fff;
    display: grid;
    place-items: center;
    box-shadow: 0 6px 18px rgb(15 23 42 / 28%);
  }
  .bubble svg {
    width: 26px;
    height: 26px;
  }
  .count {
    position: absolute;
    top: -4px;
    right: -4px;
    min-width: 22px;
    height: 22px;
    padding: 0 6px;
    border-radius: 11px;
    background: var(--herald-error);
    color: #fff;
    font-size: 12px;
    font-weight: 700;
    line-height: 22px;
    text-align: center;
    border: 2px solid #fff;
  }
  .panel {
    position: fixed;
    left: 16px;
    bottom: 80px;
    z-index: 2147483000;
    width: min(420px, calc(100vw - 32px));
    height: min(640px, calc(100vh - 100px));
    display: flex;
    flex-direction: column;
    background: var(--herald-surface);
    border: 1px solid var(--herald-border);
    border-radius: 12px;
    box-shadow: 0 16px 40px rgb(15 23 42 / 24%);
    overflow: hidden;
  }
  .panel[hidden] {
    display: none;
  }
  .panel.inline {
    position: static;
    width: 100%;
    height: 70vh;
    box-shadow: none;
  }
  .head {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 12px 14px;
    border-bottom: 1px solid var(--herald-border);
  }
  h2 {
    font-size: 16px;
    margin: 0;
    flex: 1;
  }
  .tools {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    padding: 8px 14px;
    border-bottom: 1px solid var(--herald-border);
    color: var(--herald-muted);
  }
  .tools label {
    display: flex;
    align-items: center;
    gap: 6px;
  }
  .text-button {
    border: 0;
    background: transparent;
    color: var(--herald-accent);
    padding: 4px 6px;
    border-radius: 6px;
  }
  .text-button:hover {
    background: #eff6ff;
  }
  .text-button:disabled {
    color: var(--herald-muted);
    cursor: default;
  }
  .icon-button {
    border: 0;
    background: transparent;
    color: var(--herald-muted);
    border-radius: 6px;
    padding: 4px;
    display: grid;
    place-items: center;
  }
  .scroller {
    flex: 1;
    overflow-y: auto;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    border-bottom: 1px solid var(--herald-border);
    border-left: 4px solid transparent;
    display: grid;
    grid-template-columns: 36px 1fr;
    gap: 10px;
    padding: 10px 12px;
  }
  li.unread {
    background: var(--herald-unread);
  }
  li.error {
    border-left-color: var(--herald-error);
  }
  li.call {
    border-left-color: var(--herald-call);
  }
  li.fresh {
    animation: slide-in 220ms ease-out;
  }
  .avatar {
    width: 36px;
    height: 36px;
    border-radius: 50%;
    background: #e0e7ff;
    color: var(--herald-accent);
    display: grid;
    place-items: center;
    overflow: hidden;
    font-weight: 700;
    position: relative;
  }
  .error .avatar {
    background: #fee2e2;
    color: var(--herald-error);
  }
  .call .avatar {
    background: #d1fae5;
    color: var(--herald-call);
  }
  .avatar img {
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .main {
    display: block;
    width: 100%;
    text-align: left;
    border: 0;
    padding: 0;
    background: transparent;
    color: inherit;
    text-decoration: none;
  }
  .top {
    display: flex;
    gap: 8px;
    align-items: baseline;
    color: var(--herald-muted);
    font-size: 12px;
  }
  .provider {
    flex: 1;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .kind {
    font-weight: 700;
    text-transform: uppercase;
    letter-spacing: 0.03em;
  }
  .error .kind {
    color: var(--herald-error);
  }
  .call .kind {
    color: var(--herald-call);
  }
  .header {
    font-weight: 600;
    margin: 2px 0 0;
    overflow-wrap: anywhere;
  }
  .unread .header::before {
    content: '';
    display: inline-block;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--herald-accent);
    margin-right: 6px;
    vertical-align: middle;
  }
  .text {
    margin: 2px 0 0;
    overflow-wrap: anywhere;
    white-space: pre-line;
  }
  a.main:hover .header {
    text-decoration: underline;
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0 8px;
    margin: 6px 0 0;
    font-size: 13px;
  }
  dt {
    color: var(--herald-muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
  .actions {
    display: flex;
    gap: 12px;
    margin-top: 6px;
  }
  .actions a {
    color: var(--herald-accent);
    display: inline-flex;
    align-items: center;
    gap: 4px;
  }
  .actions svg {
    width: 16px;
    height: 16px;
  }
  .state {
    padding: 24px;
    text-align: center;
    color: var(--herald-muted);
  }
  .sentinel {
    height: 1px;
  }
  @keyframes slide-in {
    from {
      transform: translateY(-12px);
      opacity: 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    li.fresh {
      animation: none;
    }
  }
`;
