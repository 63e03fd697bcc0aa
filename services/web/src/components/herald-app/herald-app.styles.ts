import { css } from 'lit';

export const heraldAppStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    background: #f5f7fa;
  }
  header {
    display: flex;
    align-items: center;
    gap: 12px;
    padding: 12px 24px;
    background: #fff;
    border-bottom: 1px solid var(--herald-border);
  }
  h1 {
    font-size: 18px;
    margin: 0;
    flex: 1;
  }
  main {
    display: grid;
    grid-template-columns: minmax(300px, 420px) minmax(0, 1fr);
    gap: 24px;
    padding: 24px;
    align-items: start;
  }
  @media (max-width: 860px) {
    main {
      grid-template-columns: 1fr;
    }
  }
  .card {
    background: #fff;
    border: 1px solid var(--herald-border);
    border-radius: 12px;
    padding: 16px;
  }
  form {
    display: grid;
    gap: 12px;
    max-width: 320px;
  }
  label {
    display: grid;
    gap: 4px;
    font-weight: 600;
  }
  input {
    font: inherit;
    padding: 6px 8px;
    border: 1px solid #7b8794;
    border-radius: 6px;
  }
  button {
    background: var(--herald-accent);
    color: #fff;
    border: 0;
    border-radius: 8px;
    padding: 8px 16px;
    font-weight: 600;
  }
  button.plain {
    background: transparent;
    color: var(--herald-accent);
  }
  .failed {
    color: var(--herald-error);
  }
  .hint {
    color: var(--herald-muted);
    font-weight: 400;
  }
`;
