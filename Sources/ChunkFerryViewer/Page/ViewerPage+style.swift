/// The page's style: light and calm, system fonts, one column below 700 px wide.
extension ViewerPage {
    static let css: String = #"""
        :root {
          --bg: #f4f5f7;
          --panel: #ffffff;
          --text: #1b2130;
          --muted: #566074;
          --line: #d8dce3;
          --track: #e9edf2;
          --accent: #2a62c9;
          --accent-soft: #a9c2ee;
          --grey: #9aa2ae;
          --warn: #b42318;
          --playhead: #d9480f;
          --event: #e0a100;
          --alert: #d1242f;
          --snapshot: #0f8a7e;
          --hover: #eef3fc;
          color-scheme: light;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--text); line-height: 1.45; }
        button, input { font: inherit; color: inherit; }
        :focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }

        .top {
          display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 0.75rem;
          padding: 0.6rem 1rem; background: var(--panel); border-bottom: 1px solid var(--line);
        }
        h1 { margin: 0; font-size: 1.15rem; font-weight: 650; }
        h1 .subtitle { color: var(--muted); font-weight: 400; }
        .day-picker { display: flex; gap: 0.4rem; align-items: center; }
        .day-picker button {
          min-width: 44px; min-height: 44px; font-size: 1.4rem; line-height: 1;
          border: 1px solid var(--line); border-radius: 8px; background: var(--panel); cursor: pointer;
        }
        .day-picker button:hover { border-color: var(--accent); background: var(--hover); }
        input[type="date"], input[type="time"] {
          min-height: 44px; padding: 0 0.5rem; border: 1px solid var(--line); border-radius: 8px; background: var(--panel);
        }

        main {
          display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); gap: 1rem; align-items: start;
          max-width: 1600px; margin: 0 auto; padding: 1rem;
        }
        .viewer {
          position: sticky; top: 1rem; padding: 0.75rem;
          background: var(--panel); border: 1px solid var(--line); border-radius: 12px;
        }
        #player { display: block; width: 100%; aspect-ratio: 16 / 9; background: #0e1117; border-radius: 8px; }
        #now-playing { margin: 0.6rem 0 0; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        #message { margin: 0.4rem 0 0; color: var(--warn); overflow-wrap: anywhere; }
        #message:empty { display: none; }
        .range {
          display: flex; flex-wrap: wrap; align-items: flex-end; gap: 0.5rem;
          margin-top: 0.75rem; padding-top: 0.75rem; border-top: 1px solid var(--line);
        }
        .range label { display: flex; flex-direction: column; gap: 0.2rem; font-size: 0.85rem; color: var(--muted); }
        #download {
          display: inline-flex; align-items: center; min-height: 44px; padding: 0 1rem; border-radius: 8px;
          background: var(--accent); color: #ffffff; font-weight: 600; text-decoration: none;
        }
        #download:hover { background: #1f4fa6; }
        #download[aria-disabled="true"] { background: var(--grey); pointer-events: none; }

        h2 { margin: 0 0 0.25rem; font-size: 1.05rem; font-weight: 600; }
        .legend { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem; margin: 0 0 0.75rem; font-size: 0.8rem; color: var(--muted); }
        .swatch { display: inline-block; width: 1.4rem; height: 0.7rem; margin-left: 0.5rem; border-radius: 3px; background: var(--accent); }
        .swatch:first-child { margin-left: 0; }
        .swatch[data-kind="event"] { height: 0.35rem; background: linear-gradient(90deg, var(--event) 55%, var(--alert) 55%); }
        .swatch[data-kind="snapshot"] { width: 3px; margin-left: 0.9rem; margin-right: 0.5rem; background: var(--snapshot); border-radius: 1px; }

        .camera {
          margin-bottom: 0.75rem; padding: 0.4rem 0.75rem 1.7rem;
          background: var(--panel); border: 1px solid var(--line); border-radius: 12px;
        }
        .camera.selected { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent); }
        .camera-head { display: flex; flex-wrap: wrap; align-items: center; gap: 0.25rem 0.6rem; margin-bottom: 0.3rem; }
        .camera-name {
          min-height: 40px; padding: 0 0.5rem; margin-left: -0.5rem; border: 0; border-radius: 6px;
          background: none; font-weight: 650; cursor: pointer; overflow-wrap: anywhere; text-align: left;
        }
        .camera-name:hover { background: var(--hover); }
        .camera-summary { font-size: 0.85rem; color: var(--muted); }

        .timeline { position: relative; height: 40px; background: var(--track); border-radius: 6px; cursor: pointer; touch-action: manipulation; }
        .tick { position: absolute; top: 0; bottom: 0; width: 1px; background: rgba(27, 33, 48, 0.13); pointer-events: none; }
        .tick-label {
          position: absolute; top: calc(100% + 2px); left: 0; transform: translateX(-50%);
          font-size: 0.75rem; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap;
        }
        .tick:first-child .tick-label { transform: none; }
        .recording { position: absolute; top: 6px; bottom: 6px; min-width: 3px; background: var(--accent); border-radius: 2px; }
        .recording:hover { filter: brightness(1.2); }
        .recording[data-state="incomplete"], .swatch[data-state="incomplete"] {
          background: repeating-linear-gradient(135deg, var(--accent) 0 4px, var(--accent-soft) 4px 8px);
        }
        .recording[data-state="encrypted"], .swatch[data-state="encrypted"] { background: var(--grey); }
        .recording[data-chain="broken"] { border-left: 2px solid var(--warn); }
        .recording.playing { outline: 2px solid var(--text); outline-offset: 1px; z-index: 1; }
        /* Events along the top edge and snapshots along the bottom one, each 5 px, in the 6 px the bars leave free:
           they never cover a bar, so a click on a bar stays a click on the bar. */
        .event, .snapshot { position: absolute; height: 5px; z-index: 1; }
        .event { top: 0; min-width: 3px; background: var(--event); border-radius: 0 0 2px 2px; }
        .event[data-severity="alert"] { background: var(--alert); }
        .snapshot { bottom: 0; width: 3px; margin-left: -1px; background: var(--snapshot); border-radius: 2px 2px 0 0; }
        .event:hover, .snapshot:hover { filter: brightness(1.25); }
        .playhead {
          position: absolute; top: -4px; bottom: -4px; width: 2px; margin-left: -1px;
          background: var(--playhead); pointer-events: none; z-index: 2;
        }
        .playhead::before {
          content: ""; position: absolute; top: -2px; left: -4px;
          border: 5px solid transparent; border-top-color: var(--playhead);
        }
        .playhead[hidden] { display: none; }

        .empty {
          margin: 0 0 0.75rem; padding: 1rem; color: var(--muted);
          background: var(--panel); border: 1px dashed var(--line); border-radius: 12px;
        }
        .table-wrap { overflow-x: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 12px; }
        #details { width: 100%; border-collapse: collapse; font-size: 0.9rem; font-variant-numeric: tabular-nums; }
        #details caption { padding: 0.6rem 0.75rem; text-align: left; font-weight: 600; overflow-wrap: anywhere; }
        #details th, #details td { padding: 0.55rem 0.75rem; text-align: left; vertical-align: top; border-top: 1px solid var(--line); }
        #details th { font-size: 0.8rem; font-weight: 500; color: var(--muted); }
        #details td:not(.chain) { white-space: nowrap; }
        .recording-row { cursor: pointer; }
        .recording-row:hover { background: var(--hover); }
        .recording-row.playing { background: #dfe9fb; }
        td[data-state="incomplete"] { color: #8a4b00; }
        td[data-state="encrypted"] { color: var(--muted); }
        td[data-chain="broken"] { color: var(--warn); font-weight: 600; }
        .note { display: block; max-width: 32rem; font-size: 0.8rem; font-weight: 400; color: var(--muted); }

        @media (max-width: 700px) {
          main { grid-template-columns: minmax(0, 1fr); padding: 0.5rem; gap: 0.75rem; }
          .top { padding: 0.5rem; }
          .viewer { position: static; padding: 0.5rem; }
          #details th, #details td { padding: 0.5rem; }
        }
        @media (max-width: 560px) {
          .tick-3h .tick-label { display: none; }
        }
        """#
}
