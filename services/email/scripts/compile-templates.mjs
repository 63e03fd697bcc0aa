#!/usr/bin/env node
// @ts-check
// Compiles the MJML mail templates into HTML at build time, so the service
// ships plain HTML (Handlebars placeholders left in place) and no MJML.
import { mkdir, readdir, readFile, copyFile, writeFile } from 'node:fs/promises';
import mjml2html from 'mjml';

const source = new URL('../templates/', import.meta.url);
const out = new URL('../templates/html/', import.meta.url);
await mkdir(out, { recursive: true });
for (const file of await readdir(source)) {
  if (file.endsWith('.txt')) {
    await copyFile(new URL(file, source), new URL(file, out));
    continue;
  }
  if (!file.endsWith('.mjml')) continue;
  const result = await mjml2html(await readFile(new URL(file, source), 'utf8'), { validationLevel: 'strict' });
  await writeFile(new URL(file.replace(/\.mjml$/, '.html'), out), result.html);
}
