import { css } from 'lit';

export const settingsPageStyles = css`
  form {
    display: grid;
    gap: 18px;
    max-width: 820px;
  }
  h2 {
    font-size: 18px;
    margin: 0;
  }
  .hint {
    color: var(--herald-muted);
    font-size: 13px;
    margin: 2px 0 0;
  }
  .switch {
    display: flex;
    align-items: center;
    gap: 10px;
    font-weight: 600;
  }
  .switch input[type='checkbox'] {
    appearance: none;
    width: 40px;
    height: 22px;
    border-radius: 11px;
    background: #7b8794;
    position: relative;
    margin: 0;
    cursor: pointer;
  }
  .switch input[type='checkbox']::after {
    content: '';
    position: absolute;
    top: 3px;
    left: 3px;
    width: 16px;
    height: 16px;
    border-radius: 50%;
    background: #fff;
    transition: left 120ms;
  }
  .switch input[type='checkbox']:checked {
    background: var(--herald-accent);
  }
  .switch input[type='checkbox']:checked::after {
    left: 21px;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    padding: 8px 10px;
    border-bottom: 1px solid var(--herald-border);
    text-align: center;
  }
  th:first-child,
  td:first-child {
    text-align: left;
  }
  thead th {
    color: var(--herald-muted);
    font-weight: 600;
    font-size: 13px;
  }
  input[type='checkbox'] {
    width: 18px;
    height: 18px;
    accent-color: var(--herald-accent);
  }
  fieldset {
    border: 1px solid var(--herald-border);
    border-radius: 8px;
    padding: 10px 14px;
    margin: 0;
    display: grid;
    gap: 8px;
  }
  legend {
    font-weight: 600;
    padding: 0 4px;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 16px;
  }
  .field {
    display: grid;
    gap: 4px;
    max-width: 320px;
  }
  .field > span {
    font-weight: 600;
  }
  input[type='text'],
  select {
    font: inherit;
    padding: 6px 8px;
    border: 1px solid #7b8794;
    border-radius: 6px;
    background: #fff;
    color: inherit;
  }
  [aria-invalid='true'] {
    border-color: var(--herald-error);
    outline: 2px solid var(--herald-error);
  }
  .field-error {
    color: var(--herald-error);
    font-size: 13px;
  }
  .save {
    display: flex;
    align-items: center;
    gap: 12px;
  }
  button[type='submit'] {
    background: var(--herald-accent);
    color: #fff;
    border: 0;
    border-radius: 8px;
    padding: 8px 20px;
    font-weight: 600;
  }
  button[type='submit']:disabled {
    opacity: 0.7;
    cursor: progress;
  }
  .ok {
    color: var(--herald-call);
    font-weight: 600;
  }
  .failed {
    color: var(--herald-error);
    font-weight: 600;
  }
  .connections {
    display: grid;
    gap: 8px;
  }
`;
