import { describe, expect, it } from 'vitest';
import { parsePage } from './dom.ts';

const LIMITS = { maxElements: 1_000, maxDepth: 100 };
const baseOf = (head: string) => parsePage(`<html><head>${head}</head><body><p>x</p></body></html>`, 'https://news.example/2026/story', LIMITS).document.baseURI;

describe('parsePage: the base URL Readability resolves links against', () => {
  it('is the first <base> that has an href, resolved against the page', () => {
    expect(baseOf('<base target="_blank"><base href="/archive/"><base href="https://other.example/">')).toBe('https://news.example/archive/');
  });
  it('is the page URL when no <base> has one, or its href is empty or only inside a template', () => {
    expect(baseOf('')).toBe('https://news.example/2026/story');
    expect(baseOf('<base href="">')).toBe('https://news.example/2026/story');
    expect(baseOf('<template><base href="https://other.example/"></template>')).toBe('https://news.example/2026/story');
  });
  it('ignores an href that is not a URL', () => {
    expect(baseOf('<base href="https://[bad">')).toBe('https://news.example/2026/story');
  });
});
