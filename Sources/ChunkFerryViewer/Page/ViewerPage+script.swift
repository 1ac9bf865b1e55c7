/// The page's script: draws /api/recordings as a timeline per camera, plays /get in the video element,
/// refreshes every 30 s. Every string from the server goes in as text (textContent), never as markup.
/// It starts with `scriptHelpers` (ViewerPage.swift): `$`, `el`, local days, clocks and formatting.
extension ViewerPage {
    static let javascript: String = scriptHelpers + "\n" + #"""
        // Every URL is relative, so the viewer also works behind a path prefix.
        const MAX_PLAY_MS = 3600 * 1000;
        const GAP_MS = 2000; // recordings cut every minute leave a fraction of a second between them
        const SLACK_PX = 6; // a tap this close to a bar counts as a tap on it
        const ENCRYPTED = 'This footage is encrypted: start chunkferry serve with --identity';
        const NO_EVENT_FOOTAGE = 'No footage in the store for this event';

        const player = $('player');

        const state = {
          day: null, // the local day shown, 'YYYY-MM-DD'
          rangeDay: null, // the local day #from and #to belong to
          cameras: [], // as api/recordings sends them, with startMs and endMs (atMs for snapshots) added
          lastResponse: '',
          loadSeq: 0,
          timelines: new Map(), // camera path -> its .timeline
          selected: null, // the camera #details shows
          playing: null, // {path, startMs, url, recStart}
        };

        const showMessage = (text) => { $('message').textContent = text; };

        function setDay(key, options = {}) {
          Object.assign(state, { day: key, rangeDay: key, cameras: [], lastResponse: '', timelines: new Map() });
          $('day').value = key;
          $('day-title').textContent = new Date(localTime(key)).toLocaleDateString(undefined,
            { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
          $('cameras').replaceChildren(el('p', { className: 'empty' }, 'Loading\u2026'));
          updateDownload();
          load(options);
        }

        async function load({ pickLastDay = false } = {}) {
          const seq = ++state.loadSeq;
          const day = state.day;
          const [start, end] = dayBounds(day).map((ms) => new Date(ms).toISOString());
          let text, data;
          try {
            const response = await fetch(`api/recordings?${query({ start, end })}`, { cache: 'no-store' });
            text = await response.text();
            if (!response.ok) throw new Error(firstLine(text) || `HTTP ${response.status}`);
            data = JSON.parse(text);
          } catch (error) {
            if (seq === state.loadSeq) showMessage(`Could not load the recordings: ${error.message}`);
            return;
          }
          if (seq !== state.loadSeq) return; // the day changed meanwhile
          if ($('message').textContent.startsWith('Could not load')) showMessage('');
          // The first time, show the day of the latest footage (`last` is where it ends, hence - 1 ms).
          const lastDay = data.last ? dayKey(new Date(Date.parse(data.last) - 1)) : day;
          if (pickLastDay && lastDay !== day) return setDay(lastDay);
          if (text === state.lastResponse) return; // nothing new: leave the page alone
          state.lastResponse = text;
          state.cameras = (data.cameras || []).map((camera) => ({
            path: camera.path,
            recordings: (camera.recordings || []).map((rec) => {
              const startMs = Date.parse(rec.start);
              return { ...rec, startMs, endMs: startMs + rec.duration * 1000 };
            }),
            events: (camera.events || []).map((ev) => {
              const startMs = Date.parse(ev.start);
              return { ...ev, startMs, endMs: Math.max(startMs, Date.parse(ev.end) || startMs) };
            }).filter((ev) => !Number.isNaN(ev.startMs)),
            snapshots: (camera.snapshots || []).map((shot) => ({ ...shot, atMs: Date.parse(shot.at) }))
              .filter((shot) => !Number.isNaN(shot.atMs)),
          }));
          render();
        }

        function render() {
          const paths = state.cameras.map((camera) => camera.path);
          if (!paths.includes(state.selected)) state.selected = paths[0] || state.selected;
          state.timelines = new Map();
          const nodes = state.cameras.map(renderCamera);
          $('cameras').replaceChildren(...(nodes.length ? nodes : [el('p', { className: 'empty' }, 'No footage on this day')]));
          renderDetails();
          updatePlayhead();
          updateDownload();
        }

        function renderCamera(camera) {
          const [dayStart, dayEnd] = dayBounds(state.day);
          const fraction = (ms) => Math.min(Math.max((ms - dayStart) / (dayEnd - dayStart), 0), 1);
          const bytes = camera.recordings.reduce((sum, rec) => sum + (rec.size || 0), 0);
          const events = camera.events.length ? [plural(camera.events.length, 'event')] : [];
          const head = el('div', { className: 'camera-head' },
            el('button', { type: 'button', className: 'camera-name', onclick: () => select(camera.path) }, camera.path),
            el('span', { className: 'camera-summary' },
              [plural(camera.recordings.length, 'recording'), formatSize(bytes), ...events].join(' \u00b7 ')));
          const timeline = el('div', { className: 'timeline' });
          const msPerPx = () => (dayEnd - dayStart) / timeline.getBoundingClientRect().width;
          timeline.setAttribute('aria-label', `Timeline of ${camera.path}`);
          for (let hour = 0; hour < 24; hour += 1) {
            // A label every 3 hours; the stylesheet hides those between the 6-hour ones on narrow screens.
            const tick = el('div', { className: hour % 3 === 0 && hour % 6 !== 0 ? 'tick tick-3h' : 'tick' },
              ...(hour % 3 === 0 ? [el('span', { className: 'tick-label' }, pad(hour))] : []));
            tick.style.left = `${fraction(localTime(state.day, hour)) * 100}%`;
            timeline.append(tick);
          }
          for (const rec of camera.recordings) {
            const chain = rec.chain === 'broken' ? ['chain broken'] : [];
            const bar = el('div', {
              className: 'recording',
              dataset: { start: rec.start, duration: rec.duration, state: rec.state, chain: rec.chain },
              title: [`${clock(rec.startMs)}\u2013${clock(rec.endMs)}`, formatSize(rec.size), rec.state, ...chain, rec.note]
                .filter(Boolean).join(' \u00b7 '),
              onclick: (event) => {
                event.stopPropagation();
                playRecording(camera.path, rec);
              },
            });
            bar.style.left = `${fraction(rec.startMs) * 100}%`;
            bar.style.width = `${(fraction(rec.endMs) - fraction(rec.startMs)) * 100}%`;
            timeline.append(bar);
          }
          timeline.append(...eventMarks(camera, fraction), ...snapshotMarks(camera, fraction, msPerPx));
          timeline.addEventListener('click', (event) => {
            const scale = msPerPx();
            playAt(camera.path, dayStart + (event.clientX - timeline.getBoundingClientRect().left) * scale, SLACK_PX * scale);
          });
          state.timelines.set(camera.path, timeline);
          return el('div', { className: 'camera', dataset: { path: camera.path } }, head, timeline);
        }

        // Events: strips along the top edge of the timeline, above the recording bars and clear of them.
        function eventMarks(camera, fraction) {
          const [dayStart, dayEnd] = dayBounds(state.day);
          return camera.events.filter((ev) => ev.endMs >= dayStart && ev.startMs < dayEnd).map((ev) => {
            const severity = ev.severity ? { severity: ev.severity } : {}; // data-severity="alert" is drawn stronger
            const mark = el('div', {
              className: 'event',
              dataset: { start: ev.start, end: ev.end || ev.start, label: ev.label || '', ...severity },
              title: `${ev.label || 'event'}, ${clock(ev.startMs)}\u2013${clock(ev.endMs)}`,
              onclick: (event) => {
                event.stopPropagation();
                playEvent(camera.path, ev);
              },
            });
            mark.style.left = `${fraction(ev.startMs) * 100}%`;
            mark.style.width = `${(fraction(ev.endMs) - fraction(ev.startMs)) * 100}%`;
            return mark;
          });
        }

        // Snapshots: ticks along the bottom edge; a click on one is a click on the timeline at its time.
        function snapshotMarks(camera, fraction, msPerPx) {
          const [dayStart, dayEnd] = dayBounds(state.day);
          return camera.snapshots.filter((shot) => shot.atMs >= dayStart && shot.atMs < dayEnd).map((shot) => {
            const mark = el('div', {
              className: 'snapshot',
              dataset: { at: shot.at },
              title: `snapshot ${clock(shot.atMs)}`,
              onclick: (event) => {
                event.stopPropagation();
                playAt(camera.path, shot.atMs, SLACK_PX * msPerPx());
              },
            });
            mark.style.left = `${fraction(shot.atMs) * 100}%`;
            return mark;
          });
        }

        function renderDetails() {
          const table = $('details');
          const camera = state.cameras.find((c) => c.path === state.selected);
          const recordings = camera ? camera.recordings : [];
          table.caption.textContent = camera ? `${camera.path}: ${plural(recordings.length, 'recording')} on this day` : '';
          table.tBodies[0].replaceChildren(...recordings.map((rec) => el('tr', {
            className: 'recording-row',
            dataset: { start: rec.start, state: rec.state },
            tabIndex: 0,
            title: rec.note || '',
            onclick: () => playRecording(camera.path, rec),
            onkeydown: (event) => event.key === 'Enter' && playRecording(camera.path, rec),
          },
          el('td', {}, clock(rec.startMs)), el('td', {}, formatDuration(rec.duration)), el('td', {}, formatSize(rec.size)),
          el('td', { className: 'state', dataset: { state: rec.state } }, rec.state),
          el('td', { className: 'chain', dataset: { chain: rec.chain } }, rec.chain,
            ...(rec.note ? [el('small', { className: 'note' }, rec.note)] : [])))));
          markSelection();
        }

        function markSelection() {
          const { playing, selected } = state;
          for (const box of document.querySelectorAll('.camera')) box.classList.toggle('selected', box.dataset.path === selected);
          for (const node of document.querySelectorAll('.recording, .recording-row')) {
            const path = node.classList.contains('recording') ? node.closest('.camera').dataset.path : selected;
            node.classList.toggle('playing', Boolean(playing) && playing.path === path && playing.recStart === node.dataset.start);
          }
        }

        function select(path) {
          state.selected = path;
          renderDetails();
          updateDownload();
        }

        // The recording at t and where the footage from t runs on without a gap (an encrypted recording ends it).
        function footageAt(camera, t) {
          const recs = camera.recordings;
          const index = recs.findIndex((rec) => rec.startMs <= t && t < rec.endMs);
          if (index < 0) return null;
          let end = recs[index].endMs;
          for (const rec of recs.slice(index + 1)) {
            if (rec.state === 'encrypted' || rec.startMs > end + GAP_MS) break;
            end = Math.max(end, rec.endMs);
          }
          return { rec: recs[index], end };
        }

        function playRecording(path, rec) {
          if (rec.state !== 'encrypted') return play(path, rec.startMs, rec.start);
          select(path);
          showMessage(ENCRYPTED);
        }

        // A tap on the timeline: plays from t, or the recording nearest to t when a finger just missed it.
        function playAt(path, t, slackMs) {
          const camera = state.cameras.find((c) => c.path === path);
          const distance = (rec) => Math.max(rec.startMs - t, t - rec.endMs, 0);
          const near = camera && !footageAt(camera, t) && camera.recordings
            .filter((rec) => distance(rec) <= slackMs).sort((a, b) => distance(a) - distance(b))[0];
          return near ? playRecording(path, near) : play(path, t);
        }

        // An event plays from its start (or where the footage of it begins) for its length, at least 1 s.
        function playEvent(path, ev) {
          const camera = state.cameras.find((c) => c.path === path);
          const endMs = Math.max(ev.endMs, ev.startMs + 1000);
          const rec = camera && camera.recordings.find((r) => r.startMs < endMs && ev.startMs < r.endMs);
          if (!rec) {
            select(path);
            return showMessage(NO_EVENT_FOOTAGE);
          }
          const t = Math.max(ev.startMs, rec.startMs);
          play(path, t, t === rec.startMs ? rec.start : undefined, Math.max(1000, endMs - t));
        }

        // Plays the footage from t to its next gap (at most an hour), or for lengthMs when given.
        function play(path, t, startText, lengthMs) {
          const camera = state.cameras.find((c) => c.path === path);
          const found = camera && footageAt(camera, t);
          select(path);
          if (!found) return showMessage(`No footage of ${path} at ${clock(t)}`);
          if (found.rec.state === 'encrypted') return showMessage(ENCRYPTED);
          const start = startText || new Date(t).toISOString();
          const untilGap = Math.min(MAX_PLAY_MS, found.end - t);
          const durationMs = lengthMs === undefined ? untilGap : Math.max(1000, Math.min(lengthMs, untilGap));
          const url = `get?${query({ path, start, duration: secondsText(durationMs), format: 'fmp4' })}`;
          showMessage('');
          state.playing = { path, startMs: t, url, recStart: found.rec.start };
          player.muted = true;
          player.src = url;
          player.play().catch(() => {});
          state.rangeDay = dayKey(new Date(t));
          $('from').value = clock(t);
          const toMs = lengthMs === undefined ? found.rec.endMs : t + durationMs; // the whole recording or event
          $('to').value = clock(Math.ceil(toMs / 1000) * 1000); // round up
          updateDownload();
          markSelection();
          updatePlayhead();
        }

        function updateDownload() {
          const link = $('download');
          const from = timeOnDay(state.rangeDay, $('from').value);
          let to = timeOnDay(state.rangeDay, $('to').value);
          if (from !== null && to !== null && to <= from) to = timeOnDay(shiftDay(state.rangeDay, 1), $('to').value);
          link.setAttribute('aria-disabled', String(!state.selected || from === null || to === null));
          if (link.getAttribute('aria-disabled') === 'true') return link.removeAttribute('href');
          const start = new Date(from).toISOString();
          link.href = `get?${query({ path: state.selected, start, duration: secondsText(to - from), format: 'mp4' })}`;
          link.download = `${state.selected.replace(/[^\w.-]+/g, '_')}_${start.replace(/[-:]|\.\d+/g, '')}.mp4`;
        }

        function updatePlayhead() {
          const playing = state.playing;
          const timeline = playing && state.timelines.get(playing.path);
          const [dayStart, dayEnd] = dayBounds(state.day);
          const position = playing ? playing.startMs + player.currentTime * 1000 : NaN;
          if (playing) {
            const date = dayKey(new Date(position)) === state.day ? '' : `${new Date(position).toLocaleDateString()} `;
            $('now-playing').textContent = `${playing.path} \u00b7 ${date}${clock(position)}`;
          }
          let head = document.querySelector('.playhead');
          if (!timeline || !(position >= dayStart && position < dayEnd)) {
            if (head) head.hidden = true;
            return;
          }
          if (!head) head = el('div', { className: 'playhead' });
          if (head.parentNode !== timeline) timeline.append(head);
          head.hidden = false;
          head.style.left = `${((position - dayStart) / (dayEnd - dayStart)) * 100}%`;
        }

        // A failed <video> does not say why: ask the server again for one byte and show its answer.
        player.addEventListener('error', async () => {
          const playing = state.playing;
          if (!playing || !player.getAttribute('src')) return;
          const controller = new AbortController();
          try {
            const response = await fetch(playing.url, { headers: { Range: 'bytes=0-0' }, cache: 'no-store', signal: controller.signal });
            if (state.playing !== playing) return;
            if (response.status >= 400) return showMessage(firstLine(await response.text()) || `The server answered ${response.status}`);
            controller.abort(); // an fMP4 stream may ignore the range: do not download all of it
            showMessage(`The browser could not play this footage (media error ${player.error ? player.error.code : '?'}).`);
          } catch (error) {
            if (state.playing === playing) showMessage(`Could not reach the server: ${error.message}`);
          }
        });
        player.addEventListener('timeupdate', updatePlayhead);
        $('prev-day').addEventListener('click', () => setDay(shiftDay(state.day, -1)));
        $('next-day').addEventListener('click', () => setDay(shiftDay(state.day, 1)));
        $('day').addEventListener('change', () => {
          if ($('day').value && $('day').value !== state.day) setDay($('day').value);
        });
        $('from').addEventListener('input', updateDownload);
        $('to').addEventListener('input', updateDownload);
        $('range').addEventListener('submit', (event) => event.preventDefault());
        setInterval(() => { if (!document.hidden) load(); }, 30000); // footage may still be arriving
        setDay(dayKey(new Date()), { pickLastDay: true });
        """#
}
