import { describe, expect, it } from 'vitest';
import { canonicalUrl } from './url.ts';
import { itemKey } from './key.ts';

describe('canonicalUrl', () => {
  it.each([
    ['https://Example.COM:443/a/b?x=1#frag', null, 'https://example.com/a/b?x=1'],
    ['http://example.com:80/', null, 'http://example.com/'],
    ['http://example.com:8080/p', null, 'http://example.com:8080/p'],
    ['https://e.com/p?utm_source=rss&id=7&utm_medium=feed&fbclid=x', null, 'https://e.com/p?id=7'],
    ['https://e.com/p?b=2&a=1&gclid=z&mc_cid=1&mc_eid=2&ref_src=twsrc', null, 'https://e.com/p?b=2&a=1'],
    ['https://e.com/p?utm_campaign=x', null, 'https://e.com/p'],
    ['/posts/1?x=y', 'https://blog.example/feed.xml', 'https://blog.example/posts/1?x=y'],
    ['//cdn.example/a', 'http://site.example/', 'http://cdn.example/a'],
    ['javascript:alert(1)', 'https://e.com/', null],
    ['data:text/html,hi', null, null],
    ['vbscript:msgbox', null, null],
    ['mailto:a@b.c', null, null],
    ['ftp://e.com/file', null, null],
    ['relative/only', null, null],
    ['http://', null, null],
    ['', null, null],
  ])('%s (base %s) -> %s', (url, base, expected) => {
    expect(canonicalUrl(url, base)).toBe(expected);
  });
});

describe('itemKey', () => {
  const none = { guid: null, link: null, title: null, content: null };
  it.each([
    [{ ...none, guid: ' abc ', link: 'https://e.com/x' }, 'guid:abc'],
    [{ ...none, guid: '', link: 'https://E.com/x?utm_source=a#c' }, 'url:https://e.com/x'],
    [{ ...none, link: 'javascript:void(0)', title: 'T', content: 'C' }, 'hash:'],
    [{ ...none, title: 'T', content: 'C' }, 'hash:'],
  ])('%j -> %s', (parts, prefix) => {
    expect(itemKey(parts).startsWith(prefix)).toBe(true);
  });

  it('hashes title and content stably: 32 hex, same input same key, different input different key', () => {
    const a = itemKey({ ...none, title: 'T', content: 'C' });
    expect(a).toMatch(/^hash:[0-9a-f]{32}$/);
    expect(itemKey({ ...none, title: 'T', content: 'C' })).toBe(a);
    expect(itemKey({ ...none, title: 'TC', content: '' })).not.toBe(a);
  });
});
