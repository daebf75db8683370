/*
 * Berth — the lists of instances (the dashboard, All instances) as they change: state, CPU and memory
 * from one stream of server-sent events for the whole page (/live/instances), not a socket per row;
 * a row whose instance was deleted says so. Search and a state filter narrow the rows.
 *
 * Each `table[data-live]` (its value is the stream's query, e.g. "scope=all") has rows
 * `tr[data-instance-id]` with `.live-state .badge` (and `.live-uptime`), `.live-cpu`, `.live-memory` and `.live-disk` cells. The search box
 * is `#instance-search`, the filter `#instance-filter`, and `#no-match` says when nothing matches.
 *
 * Needs app.js to have run first (it defines `window.Berth`).
 */
(function () {
  'use strict';

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  function allRows() {
    return Array.prototype.slice.call(document.querySelectorAll('table[data-live] tbody tr[data-instance-id]'));
  }

  /** A deleted instance, or one the user no longer reaches: marked, its link gone, its numbers cleared. */
  function markGone(row) {
    if (row.classList.contains('row-gone')) return;
    row.classList.add('row-gone');
    var badge = row.querySelector('.live-state .badge');
    if (badge) window.Berth.setBadge(badge, 'deleted');
    row.setAttribute('data-state', 'deleted');
    Array.prototype.slice.call(row.querySelectorAll('a[href^="/instances/"]')).forEach(function (link) {
      link.replaceWith(document.createTextNode(link.textContent));
    });
    setText(row.querySelector('.live-cpu'), '–');
    setText(row.querySelector('.live-memory-text'), '–');
    setText(row.querySelector('.live-disk-text'), '–');
  }

  /** A meter and its text: `used / limit`, the meter shown where there is a limit. */
  function showAmount(cell, used, limit, suffix) {
    if (!cell) return;
    var text = cell.querySelector('span');
    var meter = cell.querySelector('meter');
    if (typeof used === 'number') {
      setText(text, window.Berth.formatMemory(used, limit || 0) + (suffix || ''));
      if (meter && limit > 0) {
        meter.max = limit;
        meter.value = Math.min(used, limit);
        meter.hidden = false;
      }
    } else {
      setText(text, '–');
      if (meter) meter.hidden = true;
    }
  }

  function showUsage(row, state) {
    var format = window.Berth;
    setText(row.querySelector('.live-uptime'), typeof state.startedAt === 'number' ? 'up ' + format.formatUptime(state.startedAt) : '');
    setText(row.querySelector('.live-cpu'), typeof state.cpuPercent === 'number' ? format.formatPercent(state.cpuPercent, 0) : '–');
    showAmount(row.querySelector('.live-memory'), state.memoryBytes, state.memoryLimitBytes);
    showAmount(row.querySelector('.live-disk'), state.diskBytes, state.diskLimitBytes, state.diskFull ? ' (full)' : '');
  }

  function apply(snapshot) {
    var states = {};
    (snapshot.instances || []).forEach(function (state) { states[state.id] = state; });
    allRows().forEach(function (row) {
      var state = states[row.getAttribute('data-instance-id')];
      if (!state) {
        markGone(row);
        return;
      }
      var badge = row.querySelector('.live-state .badge');
      if (badge && badge.textContent !== state.state) window.Berth.setBadge(badge, state.state);
      row.setAttribute('data-state', state.state);
      showUsage(row, state);
    });
    applyFilter();
  }

  function applyFilter() {
    var search = document.getElementById('instance-search');
    var filter = document.getElementById('instance-filter');
    var words = search ? search.value.trim().toLowerCase().split(/\s+/).filter(Boolean) : [];
    var wanted = filter ? filter.value : '';
    var shown = 0;
    allRows().forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var matches = words.every(function (word) { return text.indexOf(word) >= 0; }) &&
        (!wanted || row.getAttribute('data-state') === wanted);
      row.hidden = !matches;
      if (matches) shown++;
    });
    var none = document.getElementById('no-match');
    if (none) none.hidden = shown > 0 || allRows().length === 0;
  }

  function start() {
    if (!window.Berth) return;
    var table = document.querySelector('table[data-live]');
    if (!table) return;
    ['instance-search', 'instance-filter'].forEach(function (id) {
      var control = document.getElementById(id);
      if (control) control.addEventListener('input', applyFilter);
    });
    applyFilter();
    if (!window.EventSource) return;
    var query = table.getAttribute('data-live');
    var source = new EventSource('/live/instances' + (query ? '?' + query : ''));
    source.addEventListener('states', function (event) {
      try {
        apply(JSON.parse(event.data));
      } catch (error) {
        // Not a snapshot; the next one will do.
      }
    });
    source.addEventListener('signed-out', function () {
      source.close();
      window.location.href = '/login';
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
