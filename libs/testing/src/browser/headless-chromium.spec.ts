import { checkPageInChromium, chromiumBinary } from './headless-chromium';

describe('headless Chromium page checks', () => {
  it('run the check after load, with layout, and hand back its JSON value', async () => {
    const html = '<!DOCTYPE html><html><body><div id="box" style="width:120px;height:30px">héllo</div></body></html>';
    const check = `var b = document.getElementById('box').getBoundingClientRect(); return { w: b.width, text: document.getElementById('box').textContent };`;
    await expect(checkPageInChromium(html, check)).resolves.toEqual({ w: 120, text: 'héllo' });
  });

  it('report an exception thrown by the check', async () => {
    await expect(checkPageInChromium('<p>x</p>', 'throw new Error("boom");')).rejects.toThrow(
      /check threw in Chromium: Error: boom/,
    );
  });

  it('refuse a PULSE_CHROMIUM that is not a binary, naming the bootstrap step', () => {
    const saved = process.env.PULSE_CHROMIUM;
    process.env.PULSE_CHROMIUM = '/nonexistent/chromium';
    try {
      expect(() => chromiumBinary()).toThrow(/node tools\/bootstrap\.mjs --for-tests/);
    } finally {
      if (saved === undefined) delete process.env.PULSE_CHROMIUM;
      else process.env.PULSE_CHROMIUM = saved;
    }
  });
});
