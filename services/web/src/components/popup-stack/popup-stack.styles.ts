import { css } from 'lit';

export const popupStackStyles = css`
  .stack {
    position: fixed;
    top: 16px;
    right: 16px;
    z-index: 2147483001;
    display: flex;
    flex-direction: column;
    gap: 8px;
    width: min(360px, calc(100vw - 32px));
    pointer-events: none;
  }
  .popup {
    pointer-events: auto;
    display: grid;
    grid-template-columns: 36px 1fr auto;
    gap: 10px;
    padding: 12px;
    border-radius: 10px;
    background: var(--herald-surface);
    border: 1px solid var(--herald-border);
    border-left: 5px solid var(--herald-accent);
    box-shadow: 0 8px 24px rgb(15 23 42 / 18%);
    animation: slide-in 180ms ease-out;
  }
  .popup.error {
    border-left-color: var(--herald-error);
  }
  .popup.call {
    border-left-color: var(--herald-call);
  }
  .figure {
    width: 36px;
    height: 36px;
    border-radius: 50%;
    display: grid;
    place-items: center;
    background: #e0e7ff;
    color: var(--herald-accent);
    overflow: hidden;
  }
  .error .figure {
    background: #fee2e2;
    color: var(--herald-error);
  }
  .call .figure {
    background: #d1fae5;
    color: var(--herald-call);
  }
  .figure img {
    width: 100%;
    height: 100%;
    object-fit: cover;
  }
  .header {
    font-weight: 600;
    margin: 0;
    overflow-wrap: anywhere;
  }
  .text {
    margin: 2px 0 0;
    overflow-wrap: anywhere;
    white-space: pre-line;
  }
  .meta {
    margin-top: 4px;
    color: var(--herald-muted);
    font-size: 12px;
  }
  a {
    color: var(--herald-accent);
  }
  .dismiss {
    align-self: start;
    border: 0;
    background: transparent;
    color: var(--herald-muted);
    border-radius: 6px;
    padding: 2px;
    display: grid;
    place-items: center;
  }
  .dismiss:hover {
    background: #f1f5f9;
  }
  @keyframes slide-in {
    from {
      transform: translateX(24px);
      opacity: 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .popup {
      animation: none;
    }
  }
`;
