/*
 * Berth — live state, CPU and memory on the dashboard's instance table.
 *
 * Each `<tr data-socket-url data-install-state data-suspended>` of a ready,
 * unsuspended instance gets its own console socket (output is ignored).
 * The number of sockets is capped so a large fleet cannot exhaust the
 * browser's connection limit; rows beyond the cap keep their rendered state.
 *
 * Needs app.js to have run first (it defines `window.Berth`).
 */
(function () {
  'use strict';

  var MAX_LIVE_ROWS = 25;
  /** Quiet reconnects: nobody is watching a console here, so back off further. */
  var MAX_RECONNECT_SECONDS = 30;

  function isLive(row) {
    return (row.getAttribute('data-install-state') || '').toUpperCase() === 'READY' &&
      row.getAttribute('data-suspended') !== 'true' &&
      !!row.getAttribute('data-socket-url');
  }

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  /** Keeps one table row in step with its instance. */
  function watchRow(row) {
    var format = window.Berth;
    var badge = row.querySelector('.live-state .badge');
    var cpu = row.querySelector('.live-cpu');
    var memory = row.querySelector('.live-memory');

    function clearUsage() {
      setText(cpu, '–');
      setText(memory, '–');
    }

    format.connectSocket({
      path: row.getAttribute('data-socket-url'),
      maxDelay: MAX_RECONNECT_SECONDS,
      onMessage: function (message) {
        if (message.event === 'status' && typeof message.data === 'string' && message.data) {
          if (badge) format.setBadge(badge, message.data);
          if (message.data === 'offline' || message.data === 'crashed') clearUsage();
        } else if (message.event === 'stats' && message.stats && typeof message.stats === 'object') {
          var stats = message.stats;
          if (typeof stats.cpuPercent === 'number') setText(cpu, format.formatPercent(stats.cpuPercent, 0));
          if (typeof stats.memoryBytes === 'number') {
            setText(memory, format.formatMemory(stats.memoryBytes, stats.memoryLimitBytes || 0));
          }
        }
      },
      onClose: function () {
        // Stale numbers would mislead; the badge keeps its last known state.
        clearUsage();
      }
    });
  }

  function start() {
    if (!window.Berth) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll('tr[data-socket-url]')).filter(isLive);
    rows.slice(0, MAX_LIVE_ROWS).forEach(watchRow);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
