/*
 * Berth — behaviour shared by every page.
 *
 * - Theme toggle (auto → dark → light), persisted in localStorage.
 * - `form[data-confirm]`: asks before destructive submits (not for a button with data-skip-confirm).
 * - `[data-copy="id"]`: copies the text of the element with that id.
 * - `<time datetime>`: shown as relative time, full local time as the title.
 *
 * It also publishes the one namespace the page scripts share, `window.Berth`:
 * formatting helpers and a reconnecting WebSocket, so console.js and
 * instance-lists.js do not each carry their own copy. The instance page's
 * terminal.js and resource-charts.js add one each for console.js
 * (`window.BerthTerminal`, `window.BerthCharts`); nothing else is global.
 */
(function () {
  'use strict';

  // ------------------------------------------------------------------
  // Formatting helpers
  // ------------------------------------------------------------------

  var BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

  /** 1536 → "1.5 KiB"; whole numbers and values ≥ 100 drop the decimal. */
  function formatBytes(bytes) {
    if (typeof bytes !== 'number' || !isFinite(bytes) || bytes < 0) return '–';
    var unit = 0;
    var value = bytes;
    while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    var decimals = unit === 0 || value >= 100 || Math.round(value * 10) % 10 === 0 ? 0 : 1;
    return value.toFixed(decimals) + ' ' + BYTE_UNITS[unit];
  }

  /** Bytes per second → "1.2 KiB/s". */
  function formatRate(bytesPerSecond) {
    var text = formatBytes(bytesPerSecond);
    return text === '–' ? text : text + '/s';
  }

  /** 12.345 → "12.3 %" (or "12 %" with `decimals` 0). */
  function formatPercent(value, decimals) {
    if (typeof value !== 'number' || !isFinite(value)) return '–';
    return value.toFixed(decimals === undefined ? 1 : decimals) + ' %';
  }

  /** How long since `startedAt` (seconds since 1970): "40 s", "12 min", "2 h 5 min", "3 d 4 h". */
  function formatUptime(startedAt, now) {
    var seconds = Math.max(0, Math.floor((now || Date.now()) / 1000 - startedAt));
    if (seconds < 60) return seconds + ' s';
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min';
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return hours + ' h ' + (minutes % 60) + ' min';
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
  }

  /** "48.2 MiB / 256 MiB", or just the usage when there is no limit. */
  function formatMemory(usedBytes, limitBytes) {
    var used = formatBytes(usedBytes);
    return limitBytes > 0 ? used + ' / ' + formatBytes(limitBytes) : used;
  }

  var MINUTE = 60 * 1000;
  var HOUR = 60 * MINUTE;
  var DAY = 24 * HOUR;

  /** "just now", "3 min ago", "in 2 h", "5 d ago"; older than a week → local date. */
  function formatRelativeTime(date, now) {
    var difference = (now || Date.now()) - date.getTime();
    var distance = Math.abs(difference);
    var amount;
    if (distance < 45 * 1000) return 'just now';
    if (distance < HOUR) amount = Math.max(1, Math.round(distance / MINUTE)) + ' min';
    else if (distance < DAY) amount = Math.round(distance / HOUR) + ' h';
    else if (distance < 7 * DAY) amount = Math.round(distance / DAY) + ' d';
    else return date.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
    return difference >= 0 ? amount + ' ago' : 'in ' + amount;
  }

  function formatFullTime(date) {
    return date.toLocaleString(undefined, {
      weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short'
    });
  }

  // ------------------------------------------------------------------
  // Reconnecting WebSocket
  // ------------------------------------------------------------------

  /** Absolute ws:// or wss:// URL for a same-origin path (CSP allows only 'self'). */
  function socketURL(path) {
    var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    return scheme + window.location.host + path;
  }

  /**
   * Opens a JSON WebSocket and keeps it open, reconnecting with exponential
   * backoff (1, 2, 4 … `maxDelay` seconds).
   *
   * options: { path, maxDelay, onOpen(), onMessage(object), onClose({ code, reason, delay }) }
   * Returns { send(object) → bool, reconnectNow(), close(), isOpen() }.
   */
  function connectSocket(options) {
    var maxDelay = options.maxDelay || 15;
    var socket = null;
    var attempt = 0;
    var retryTimer = null;
    var stableTimer = null;
    var closedByUs = false;

    function open() {
      clearTimeout(retryTimer);
      retryTimer = null;
      try {
        socket = new WebSocket(socketURL(options.path));
      } catch (error) {
        scheduleRetry(0, '');
        return;
      }
      socket.addEventListener('open', function () {
        // Only a connection that stays up resets the backoff; a server that
        // accepts and immediately closes (e.g. suspended) must not be hammered.
        stableTimer = setTimeout(function () { attempt = 0; }, 5000);
        if (options.onOpen) options.onOpen();
      });
      socket.addEventListener('message', function (event) {
        var message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          return; // Not ours to interpret; the protocol is JSON only.
        }
        if (message && typeof message === 'object' && options.onMessage) options.onMessage(message);
      });
      socket.addEventListener('close', function (event) {
        clearTimeout(stableTimer);
        socket = null;
        if (!closedByUs) scheduleRetry(event.code, event.reason);
      });
    }

    function scheduleRetry(code, reason) {
      var delay = Math.min(maxDelay, Math.pow(2, attempt));
      attempt++;
      retryTimer = setTimeout(open, delay * 1000);
      if (options.onClose) options.onClose({ code: code, reason: reason || '', delay: delay });
    }

    open();

    return {
      send: function (message) {
        if (!socket || socket.readyState !== WebSocket.OPEN) return false;
        socket.send(JSON.stringify(message));
        return true;
      },
      reconnectNow: function () {
        if (socket) return;
        open();
      },
      close: function () {
        closedByUs = true;
        clearTimeout(retryTimer);
        if (socket) socket.close();
      },
      isOpen: function () {
        return !!socket && socket.readyState === WebSocket.OPEN;
      }
    };
  }

  /** A state from the server, reduced to something safe to use in a class name. */
  function stateToken(state) {
    return String(state).toLowerCase().replace(/[^a-z0-9-]/g, '') || 'unknown';
  }

  /** Replaces every `badge-*` modifier on a badge with the one for `state`. */
  function setBadge(element, state) {
    Array.prototype.slice.call(element.classList).forEach(function (name) {
      if (name.indexOf('badge-') === 0) element.classList.remove(name);
    });
    element.classList.add('badge', 'badge-' + stateToken(state));
    element.textContent = state;
  }

  window.Berth = Object.freeze({
    formatBytes: formatBytes,
    formatRate: formatRate,
    formatPercent: formatPercent,
    formatMemory: formatMemory,
    formatUptime: formatUptime,
    formatRelativeTime: formatRelativeTime,
    connectSocket: connectSocket,
    stateToken: stateToken,
    setBadge: setBadge
  });

  // ------------------------------------------------------------------
  // Theme
  // ------------------------------------------------------------------

  var THEME_KEY = 'berth-theme';
  var THEMES = ['auto', 'dark', 'light'];
  var THEME_ICONS = { auto: '◐', dark: '☾', light: '☀' };
  var THEME_NAMES = { auto: 'Auto', dark: 'Dark', light: 'Light' };

  /** The saved choice, else whatever the server rendered (e.g. from the cookie), else auto. */
  function storedTheme() {
    var rendered = document.documentElement.getAttribute('data-theme');
    var fallback = THEMES.indexOf(rendered) >= 0 ? rendered : 'auto';
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return THEMES.indexOf(value) >= 0 ? value : fallback;
    } catch (error) {
      return fallback; // Storage can be disabled; the rendered theme still applies.
    }
  }

  function applyTheme(theme) {
    document.documentElement.setAttribute('data-theme', theme);
    // Lets the server render the right data-theme next time and avoid a flash.
    document.cookie = THEME_KEY + '=' + theme + '; path=/; max-age=31536000; samesite=lax';
    document.querySelectorAll('[data-theme-toggle]').forEach(function (button) {
      var next = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length];
      var icon = document.createElement('span');
      icon.className = 'theme-icon';
      icon.setAttribute('aria-hidden', 'true');
      icon.textContent = THEME_ICONS[theme];
      var label = document.createElement('span');
      label.className = 'theme-label';
      label.textContent = THEME_NAMES[theme];
      button.replaceChildren(icon, label);
      button.setAttribute('aria-label', 'Theme: ' + THEME_NAMES[theme] + '. Switch to ' + THEME_NAMES[next] + '.');
      button.title = 'Theme: ' + THEME_NAMES[theme];
    });
    // Canvases (charts) read colours from CSS and must redraw.
    document.dispatchEvent(new CustomEvent('berth:themechange', { detail: { theme: theme } }));
  }

  function setUpThemeToggle() {
    applyTheme(storedTheme());
    document.querySelectorAll('[data-theme-toggle]').forEach(function (button) {
      button.addEventListener('click', function () {
        var current = document.documentElement.getAttribute('data-theme') || 'auto';
        var next = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
        try {
          window.localStorage.setItem(THEME_KEY, next);
        } catch (error) { /* the choice then lasts for this page only */ }
        applyTheme(next);
      });
    });
    if (window.matchMedia) {
      var query = window.matchMedia('(prefers-color-scheme: dark)');
      var onSystemChange = function () {
        document.dispatchEvent(new CustomEvent('berth:themechange', { detail: { theme: 'auto' } }));
      };
      if (query.addEventListener) query.addEventListener('change', onSystemChange);
    }
  }

  // ------------------------------------------------------------------
  // Confirmations
  // ------------------------------------------------------------------

  // ------------------------------------------------------------------
  // Refused forms: the summary of their problems takes focus; each item leads to its field
  // ------------------------------------------------------------------

  function setUpFormProblems() {
    var summary = document.getElementById('error-summary');
    if (!summary) return;
    summary.focus();
    summary.addEventListener('click', function (event) {
      var link = event.target.closest('[data-focus]');
      var field = link && document.getElementById(link.getAttribute('data-focus'));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: 'center' });
      field.focus();
    });
  }

  function setUpConfirmations() {
    // Delegated so forms added later are covered too; capture phase runs first.
    document.addEventListener('submit', function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      var question = form.getAttribute('data-confirm');
      // A form's other buttons (archive beside delete) may submit it without the question.
      if (event.submitter && event.submitter.hasAttribute('data-skip-confirm')) return;
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
  }

  // ------------------------------------------------------------------
  // Copy to clipboard
  // ------------------------------------------------------------------

  function selectContents(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function flashButton(button, text) {
    if (!button.hasAttribute('data-copy-label')) button.setAttribute('data-copy-label', button.textContent);
    button.textContent = text;
    button.classList.add('is-copied');
    clearTimeout(button.berthCopyTimer);
    button.berthCopyTimer = setTimeout(function () {
      button.textContent = button.getAttribute('data-copy-label');
      button.classList.remove('is-copied');
    }, 1600);
  }

  function copyFrom(button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    var isField = source.tagName === 'INPUT' || source.tagName === 'TEXTAREA';
    var text = isField ? source.value : source.textContent;
    var settled = false;

    var fallback = function () {
      if (settled) return;
      settled = true;
      // Without the Clipboard API (plain http, denied permission) select the
      // text: the legacy copy command may still work, or the user presses Ctrl+C.
      if (isField) source.select(); else selectContents(source);
      var copied = false;
      try {
        copied = document.execCommand('copy');
      } catch (error) { /* unsupported */ }
      flashButton(button, copied ? 'Copied' : 'Press Ctrl+C');
    };

    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () {
        if (settled) return;
        settled = true;
        flashButton(button, 'Copied');
      }, fallback);
      // Some browsers leave the promise pending behind a permission prompt.
      setTimeout(fallback, 1500);
    } else {
      fallback();
    }
  }

  function setUpCopyButtons() {
    document.addEventListener('click', function (event) {
      var button = event.target.closest && event.target.closest('[data-copy]');
      if (button) copyFrom(button);
    });
  }

  // ------------------------------------------------------------------
  // Relative times
  // ------------------------------------------------------------------

  function renderTimes() {
    var now = Date.now();
    document.querySelectorAll('time[datetime]').forEach(function (element) {
      var date = new Date(element.getAttribute('datetime'));
      if (isNaN(date.getTime())) return;
      element.textContent = element.getAttribute('data-time') === 'absolute'
        ? formatFullTime(date)
        : formatRelativeTime(date, now);
      element.title = formatFullTime(date);
    });
  }

  function setUpTimes() {
    renderTimes();
    setInterval(renderTimes, 30 * 1000);
  }

  // ------------------------------------------------------------------
  // Small screens: the navigation behind a menu button, tables as cards
  // ------------------------------------------------------------------

  function setUpMenu() {
    var button = document.getElementById('menu-toggle');
    var topbar = button && button.closest('.topbar');
    if (!topbar) return;
    // Without this script the navigation stays a row of links that scrolls sideways.
    document.documentElement.classList.add('has-menu');
    button.addEventListener('click', function () {
      var open = !topbar.classList.contains('menu-open');
      topbar.classList.toggle('menu-open', open);
      button.setAttribute('aria-expanded', String(open));
    });
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape' || !topbar.classList.contains('menu-open')) return;
      topbar.classList.remove('menu-open');
      button.setAttribute('aria-expanded', 'false');
      button.focus();
    });
  }

  /** Each cell learns its column's name, which a table shown as cards on a phone writes before it. */
  function labelTableCells() {
    document.querySelectorAll('table.table').forEach(function (table) {
      var names = Array.prototype.map.call(table.querySelectorAll('thead th'), function (th) { return th.textContent.trim(); });
      table.querySelectorAll('tbody tr').forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (names[index] && !cell.hasAttribute('data-label')) cell.setAttribute('data-label', names[index]);
        });
      });
    });
  }

  // ------------------------------------------------------------------

  function start() {
    setUpMenu();
    labelTableCells();
    setUpThemeToggle();
    setUpConfirmations();
    setUpFormProblems();
    setUpCopyButtons();
    setUpTimes();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
