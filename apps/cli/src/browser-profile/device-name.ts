/**
 * Names a device from a browser's user agent, for the `device` line of an operator table profiled
 * in that browser (`nasx latency profile --browser` without `--device`). Only what a user agent
 * tells reliably: the phone model where Android still sends it (Chrome's reduced user agent sends
 * "K" instead), iPhone / iPad, the desktop system, and the browser.
 */

/** The browser of a user agent: `chrome`, `headless-chrome`, `edge`, `firefox`, `safari`, `samsung-internet`, or `browser`. */
export function browserOf(ua: string): string {
  if (/HeadlessChrome\//.test(ua)) return 'headless-chrome';
  if (/EdgA?\/|EdgiOS\//.test(ua)) return 'edge';
  if (/SamsungBrowser\//.test(ua)) return 'samsung-internet';
  if (/Firefox\/|FxiOS\//.test(ua)) return 'firefox';
  if (/Chrome\/|CriOS\//.test(ua)) return 'chrome';
  if (/Safari\//.test(ua) && /Version\//.test(ua)) return 'safari';
  return 'browser';
}

/** The device or system of a user agent: an Android model (`pixel-7`), `android`, `iphone`, `ipad`, `mac`, `windows`, `chromebook`, `linux`, or `device`. */
export function platformOf(ua: string): string {
  const android = /Android[^;)]*;\s*([^;)]+?)(?:\s+Build\/[^;)]*)?(?:;\s*wv)?\)/.exec(ua);
  if (android) {
    const model = android[1]!.trim();
    // Reduced user agents send "K"; some browsers send the locale ("en-us") in that place.
    return model.length > 1 && !/^[a-z]{2}[-_][a-z]{2}$/i.test(model) ? slug(model) : 'android';
  }
  if (/\biPhone\b/.test(ua)) return 'iphone';
  if (/\biPad\b/.test(ua)) return 'ipad';
  if (/Android/.test(ua)) return 'android';
  if (/CrOS/.test(ua)) return 'chromebook';
  if (/Macintosh|Mac OS X/.test(ua)) return 'mac';
  if (/Windows/.test(ua)) return 'windows';
  if (/Linux/.test(ua)) return 'linux';
  return 'device';
}

/**
 * A device name for an operator table: `<platform>-<browser>-<backend>`, lower case, e.g.
 * `pixel-7-chrome-webgl`, `iphone-safari-webgl`, `linux-headless-chrome-wasm`.
 */
export function deviceNameFrom(userAgent: string, backend: string): string {
  return slug(`${platformOf(userAgent)}-${browserOf(userAgent)}-${backend}`);
}

/** Short text for messages: "chrome on pixel-7". */
export function describeUserAgent(userAgent: string | undefined): string {
  return userAgent ? `${browserOf(userAgent)} on ${platformOf(userAgent)}` : 'a browser';
}

function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}
