/// The footage viewer's page, served by `chunkferry serve` at `/`, its style at `/viewer.css` and its
/// script at `/viewer.js`. Plain HTML, CSS and vanilla JavaScript shipped inside the binary: no CDN, no
/// build step, nothing fetched from elsewhere, so it works offline and behind a path prefix (every URL
/// in it is relative). It never sees VIEW_TOKEN: the browser sends the credentials it was asked for.
enum ViewerPage {
    static let html: String = #"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>ChunkFerry — footage</title>
          <link rel="icon" href="data:,">
          <link rel="stylesheet" href="viewer.css">
          <script src="viewer.js" defer></script>
        </head>
        <body>
          <header class="top">
            <h1>ChunkFerry <span class="subtitle">— footage</span></h1>
            <nav class="day-picker" aria-label="Day">
              <button type="button" id="prev-day" aria-label="Previous day" title="Previous day">&#8249;</button>
              <input type="date" id="day" aria-label="Day" required>
              <button type="button" id="next-day" aria-label="Next day" title="Next day">&#8250;</button>
            </nav>
          </header>
          <main>
            <section class="viewer" aria-label="Player">
              <video id="player" controls muted autoplay playsinline></video>
              <p id="now-playing">Nothing playing yet: pick a recording on a timeline or in the table.</p>
              <p id="message" role="status" aria-live="polite"></p>
              <form class="range" id="range">
                <label>From <input type="time" id="from" step="1"></label>
                <label>To <input type="time" id="to" step="1"></label>
                <a id="download" aria-disabled="true">Download as MP4</a>
              </form>
            </section>
            <section class="footage" aria-labelledby="day-title">
              <h2 id="day-title"></h2>
              <p class="legend">
                <span class="swatch"></span> complete
                <span class="swatch" data-state="incomplete"></span> cut off
                <span class="swatch" data-state="encrypted"></span> encrypted
                <span class="swatch" data-kind="event" title="amber: event, red: alert"></span> event
                <span class="swatch" data-kind="snapshot"></span> snapshot
              </p>
              <div id="cameras"></div>
              <div class="table-wrap">
                <table id="details">
                  <caption></caption>
                  <thead><tr><th>Start</th><th>Duration</th><th>Size</th><th>State</th><th>Chain</th></tr></thead>
                  <tbody></tbody>
                </table>
              </div>
            </section>
          </main>
          <noscript><p class="empty">The footage viewer needs JavaScript.</p></noscript>
        </body>
        </html>
        """#

    /// The first part of `javascript` (ViewerPage+script.swift): helpers that know nothing of the footage,
    /// namely elements built from text, local days and clocks, and how durations and sizes read.
    static let scriptHelpers: String = #"""
        'use strict';
        const $ = (id) => document.getElementById(id);
        // An element with properties, data-* attributes and children; strings become text nodes, never markup.
        const el = (tag, { dataset = {}, ...props } = {}, ...children) => {
          const node = Object.assign(document.createElement(tag), props);
          Object.assign(node.dataset, dataset);
          node.append(...children);
          return node;
        };
        const pad = (n) => String(n).padStart(2, '0');
        const clock = (ms) => {
          const d = new Date(ms);
          return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
        };
        const dayKey = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
        // A local day ('YYYY-MM-DD') at a local time; days are 23 or 25 hours long when the clocks change.
        const localTime = (key, hours = 0, minutes = 0, seconds = 0) => {
          const [y, m, d] = key.split('-').map(Number);
          return new Date(y, m - 1, d, hours, minutes, seconds).getTime();
        };
        const shiftDay = (key, days) => dayKey(new Date(localTime(key, 24 * days))); // calendar arithmetic, not 24 h
        const dayBounds = (key) => [localTime(key), localTime(shiftDay(key, 1))];
        const timeOnDay = (key, value) => {
          const parts = (value || '').split(':').map(Number);
          return parts.length < 2 || parts.some(Number.isNaN) ? null : localTime(key, ...parts);
        };
        const formatDuration = (seconds) => { // m:ss, or h:mm:ss
          const total = Math.round(seconds);
          const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
          return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
        };
        const formatSize = (bytes) => { // `size` is left out when the store does not know it (sealed, no manifest)
          if (typeof bytes !== 'number') return 'size unknown';
          return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
        };
        const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
        const secondsText = (ms) => String(Math.round(ms) / 1000);
        const query = (params) => Object.entries(params)
          .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
        const firstLine = (text) => (text || '').trim().split('\n')[0];
        """#
}
