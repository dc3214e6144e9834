/** Headers of every dev page: nothing cached, nothing framed, scripts and styles from this server only. */
export const PAGE_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // News pictures come from anywhere, as in WeChat; scripts, styles and calls only from here.
  'Content-Security-Policy': "default-src 'self'; img-src * data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};
