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
}
