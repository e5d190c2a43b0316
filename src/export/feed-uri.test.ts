import { describe, expect, it } from 'vitest';
import { feedUri } from './feed-uri.ts';

describe('feedUri', () => {
  it('leaves a URI that is already plain ASCII as it is', () => {
    for (const url of ['https://news.example/a?id=7&page=2#top', 'https://news.example/', "https://x.example/a_(b)/c;d=1'?e=f,g&h=i~j*k!l"]) expect(feedUri(url)).toBe(url);
  });

  it('percent-encodes what browsers accept and URIs do not: | [ ] { } ^ ` and a stray %', () => {
    expect(feedUri('https://news.example/a?filter[tag]=x|y&q={z}^`#frag')).toBe('https://news.example/a?filter%5Btag%5D=x%7Cy&q=%7Bz%7D%5E%60#frag');
    expect(feedUri('https://news.example/100%?x=%zz&y=%41')).toBe('https://news.example/100%25?x=%25zz&y=%41');
  });

  it('writes non-ASCII as UTF-8 escapes and the host in punycode, lower case, with a path', () => {
    expect(feedUri('https://Bücher.Example/straße?q=ünï#ä')).toBe('https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BCn%C3%AF#%C3%A4');
    expect(feedUri('HTTPS://AIWins.example:443')).toBe('https://aiwins.example/');
  });

  it('returns what does not parse as a URL unchanged', () => {
    expect(feedUri('not a url')).toBe('not a url');
  });
});
