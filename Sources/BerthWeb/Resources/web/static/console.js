/*
 * Berth — the instance page: live console, power buttons and resource charts.
 *
 * Everything is driven by `<section id="instance" data-…>`; see the comment on
 * `start()` for which attributes decide what. This file is the wiring: the
 * socket, scrolling, command history, power buttons, the connection banner and
 * install polling. Drawing the output is terminal.js's job, the charts
 * resource-charts.js's.
 *
 * Needs app.js (`window.Berth`), terminal.js (`window.BerthTerminal`) and
 * resource-charts.js (`window.BerthCharts`) to have run first.
 */
(function () {
  'use strict';

  var HISTORY_LIMIT = 100;
  var INSTALL_POLL_MILLISECONDS = 2000;

  // ==================================================================
  // Scrolling: follow the output unless the reader has scrolled up
  // ==================================================================

  function Follower(output) {
    var viewport = document.createElement('div');
    viewport.className = 'console-viewport';
    output.parentNode.insertBefore(viewport, output);
    viewport.appendChild(output);

    var jump = document.createElement('button');
    jump.type = 'button';
    jump.className = 'console-jump button button-small';
    jump.textContent = '↓ Jump to latest';
    jump.hidden = true;
    viewport.appendChild(jump);

    this.output = output;
    this.jump = jump;
    this.following = true;
    this.scheduled = false;

    var self = this;
    output.addEventListener('scroll', function () {
      self.following = output.scrollTop + output.clientHeight >= output.scrollHeight - 8;
      if (self.following) jump.hidden = true;
    });
    jump.addEventListener('click', function () {
      self.following = true;
      self.toBottom();
      output.focus({ preventScroll: true });
    });
  }

  /**
   * Called after output was added; coalesces bursts to one layout per frame.
   * The timer is a fallback for when frames are not being produced.
   */
  Follower.prototype.contentChanged = function () {
    if (this.scheduled) return;
    this.scheduled = true;
    var self = this;
    var frame = 0;
    var timer = 0;
    var settle = function () {
      window.cancelAnimationFrame(frame);
      clearTimeout(timer);
      self.scheduled = false;
      if (self.following) self.toBottom();
      else self.jump.hidden = false;
    };
    frame = window.requestAnimationFrame(settle);
    timer = setTimeout(settle, 250);
  };

  Follower.prototype.toBottom = function () {
    this.output.scrollTop = this.output.scrollHeight;
    this.jump.hidden = true;
  };

  // ==================================================================
  // Command input with per-instance history
  // ==================================================================

  function CommandHistory(instanceId) {
    this.key = 'berth-history-' + instanceId;
    this.entries = [];
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(this.key) || '[]');
      if (Array.isArray(stored)) this.entries = stored.filter(function (e) { return typeof e === 'string'; });
    } catch (error) { /* no history then */ }
    this.index = this.entries.length;
    this.draft = '';
  }

  CommandHistory.prototype.add = function (command) {
    if (this.entries[this.entries.length - 1] !== command) this.entries.push(command);
    if (this.entries.length > HISTORY_LIMIT) this.entries.splice(0, this.entries.length - HISTORY_LIMIT);
    this.index = this.entries.length;
    this.draft = '';
    try {
      window.sessionStorage.setItem(this.key, JSON.stringify(this.entries));
    } catch (error) { /* history then lasts for this page only */ }
  };

  /** Moves through the history; returns the text to show, or null when there is nowhere to go. */
  CommandHistory.prototype.move = function (delta, currentText) {
    var target = this.index + delta;
    if (target < 0 || target > this.entries.length) return null;
    if (this.index === this.entries.length) this.draft = currentText;
    this.index = target;
    return target === this.entries.length ? this.draft : this.entries[target];
  };

  function setUpCommandInput(form, input, history, send) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var command = input.value;
      if (command.trim() === '') return;
      if (send({ event: 'command', data: command })) {
        history.add(command);
        input.value = '';
      }
    });
    input.addEventListener('keydown', function (event) {
      if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
      var text = history.move(event.key === 'ArrowUp' ? -1 : 1, input.value);
      if (text === null) return;
      event.preventDefault();
      input.value = text;
      input.setSelectionRange(text.length, text.length);
    });
  }

  // ==================================================================
  // Power state and buttons
  // ==================================================================

  var POWER_ACTIONS_ALLOWED = {
    start: ['offline', 'crashed'],
    stop: ['starting', 'running'],
    restart: ['starting', 'running'],
    // Only once a stop is under way, in Stop's place, and confirmed: a slip never kills a running server.
    kill: ['stopping']
  };

  function PowerControls(section, send) {
    this.section = section;
    this.badge = document.getElementById('power-state');
    this.buttons = Array.prototype.slice.call(section.querySelectorAll('[data-power]'));
    this.state = section.getAttribute('data-power-state') || 'unknown';
    this.connected = false;
    var self = this;
    this.buttons.forEach(function (button) {
      button.addEventListener('click', function () {
        var question = button.getAttribute('data-confirm');
        if (question && !window.confirm(question)) return;
        send({ event: 'power', data: button.getAttribute('data-power') });
      });
    });
    this.refresh();
  }

  PowerControls.prototype.setState = function (state) {
    this.state = window.Berth.stateToken(state);
    this.section.setAttribute('data-power-state', this.state);
    if (this.badge) window.Berth.setBadge(this.badge, state);
    this.refresh();
  };

  PowerControls.prototype.setConnected = function (connected) {
    this.connected = connected;
    this.refresh();
  };

  /** A button is usable only when connected and the action makes sense in the current state. */
  PowerControls.prototype.refresh = function () {
    var self = this;
    this.buttons.forEach(function (button) {
      var action = button.getAttribute('data-power');
      var allowed = POWER_ACTIONS_ALLOWED[action] || [];
      button.disabled = !self.connected || allowed.indexOf(self.state) < 0;
      if (action === 'kill') button.hidden = self.state !== 'stopping';
      if (action === 'stop') button.hidden = self.state === 'stopping' && self.section.querySelector('[data-power=kill]') !== null;
    });
  };

  // ==================================================================
  // Connection banner
  // ==================================================================

  function ConnectionBanner(element, onReconnectNow) {
    this.element = element;
    this.onReconnectNow = onReconnectNow;
    this.countdownTimer = null;
    this.fadeTimer = null;
  }

  ConnectionBanner.prototype.show = function (kind, nodes) {
    if (!this.element) return;
    clearInterval(this.countdownTimer);
    clearTimeout(this.fadeTimer);
    this.element.className = 'connection connection-' + kind;
    this.element.replaceChildren.apply(this.element, nodes);
  };

  ConnectionBanner.prototype.pending = function (text) {
    this.show('pending', [document.createTextNode(text)]);
  };

  ConnectionBanner.prototype.unavailable = function (text) {
    this.show('unavailable', [document.createTextNode(text)]);
  };

  /** The instance was deleted, or the viewer lost access: no reconnecting, a way back instead. */
  ConnectionBanner.prototype.gone = function () {
    var link = document.createElement('a');
    link.href = '/';
    link.textContent = 'Back to your instances';
    this.show('unavailable', [document.createTextNode('This instance was deleted, or you no longer have access to it. '), link]);
  };

  ConnectionBanner.prototype.connected = function () {
    var element = this.element;
    this.show('ok', [document.createTextNode('Connected')]);
    if (!element) return;
    this.fadeTimer = setTimeout(function () { element.classList.add('connection-fade'); }, 2000);
  };

  ConnectionBanner.prototype.lost = function (reason, delaySeconds) {
    var message = document.createElement('span');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'button button-small';
    button.textContent = 'Reconnect now';
    button.addEventListener('click', this.onReconnectNow);
    var prefix = reason ? 'Disconnected: ' + reason + ' — ' : 'Disconnected — ';
    // The banner is a live region: screen readers hear this once, not the countdown's every second.
    var spoken = document.createElement('span');
    spoken.className = 'visually-hidden';
    spoken.textContent = prefix + 'reconnecting by itself shortly.';
    message.setAttribute('aria-hidden', 'true');
    this.show('lost', [spoken, message, button]);

    var remaining = delaySeconds;
    var render = function () {
      message.textContent = prefix + 'reconnecting in ' + remaining + '\u00a0s…';
    };
    render();
    this.countdownTimer = setInterval(function () {
      remaining = Math.max(0, remaining - 1);
      if (remaining === 0) {
        message.textContent = prefix + 'reconnecting…';
      } else {
        render();
      }
    }, 1000);
  };

  // ==================================================================
  // Installation polling
  // ==================================================================

  /** While installing there is no socket; reload the page once the state moves on. */
  function pollInstallState(url, initial) {
    var timer = setInterval(function () {
      window.fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (state) {
          if (!state) return;
          var installState = String(state.installState || '').toUpperCase();
          if ((installState && installState !== initial) || state.suspended === true) {
            clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { /* transient; the next tick retries */ });
    }, INSTALL_POLL_MILLISECONDS);
  }

  // ==================================================================
  // Wiring
  // ==================================================================

  function setInputEnabled(form, input, enabled) {
    if (input) input.disabled = !enabled;
    if (form) {
      form.querySelectorAll('button').forEach(function (button) { button.disabled = !enabled; });
    }
  }

  /**
   * Follows the instance's state from the panel's stream of states (`/live/instances?id=`), for what
   * its console cannot say: that it was suspended, unsuspended, or deleted, and how long it has run.
   * `onChange` gets the instance's state (its `state` word, `startedAt`…), or null when the instance is
   * gone from the viewer's reach.
   */
  function followState(instanceId, onChange) {
    if (!window.EventSource) return null;
    var source = new EventSource('/live/instances?id=' + encodeURIComponent(instanceId));
    source.addEventListener('states', function (event) {
      var snapshot;
      try {
        snapshot = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      var state = snapshot && snapshot.instances && snapshot.instances[0];
      onChange(state || null);
    });
    source.addEventListener('signed-out', function () {
      source.close();
      window.location.href = '/login';
    });
    return source;
  }

  /**
   * `#instance[data-install-state]` and `[data-suspended]` decide the mode:
   * READY and not suspended → live socket; INSTALLING → the installer's output, poll and reload;
   * FAILED → the installer's output, read-only; suspended → console and power buttons disabled.
   */
  function start() {
    var section = document.getElementById('instance');
    if (!section || !window.Berth || !window.BerthTerminal || !window.BerthCharts) return;

    var instanceId = section.getAttribute('data-instance-id') || '';
    var installState = (section.getAttribute('data-install-state') || '').toUpperCase();
    var suspended = section.getAttribute('data-suspended') === 'true';
    var output = document.getElementById('console-output');
    var form = document.getElementById('console-form');
    var input = document.getElementById('console-input');

    var live = null;
    var send = function (message) { return live ? live.send(message) : false; };
    var power = new PowerControls(section, send);
    var banner = new ConnectionBanner(document.getElementById('console-connection'), function () {
      if (live) live.reconnectNow();
    });
    var charts = new window.BerthCharts.ResourceCharts();
    setInputEnabled(form, input, false);

    var uptime = document.getElementById('instance-uptime');
    var diskUse = document.getElementById('instance-disk-use');
    var stateStream = followState(instanceId, function (current) {
      var state = current && current.state;
      if (uptime) {
        uptime.textContent = current && typeof current.startedAt === 'number' ? window.Berth.formatUptime(current.startedAt) : '–';
      }
      if (diskUse) {
        var used = current && current.diskBytes;
        var full = current && current.diskFull === true;
        diskUse.textContent = typeof used === 'number' ? (full ? '— full: ' : '— ') + window.Berth.formatBytes(used) + ' used' : '';
        diskUse.className = full ? 'badge badge-failed' : 'muted';
      }
      if (current === null) {
        if (live) live.close();
        if (stateStream) stateStream.close();
        power.setConnected(false);
        setInputEnabled(form, input, false);
        if (power.badge) window.Berth.setBadge(power.badge, 'deleted');
        banner.gone();
      } else if (state === 'suspended' && !suspended) {
        suspended = true;
        if (live) live.close();
        power.setConnected(false);
        setInputEnabled(form, input, false);
        if (power.badge) window.Berth.setBadge(power.badge, 'suspended');
        banner.unavailable('This instance was suspended. The console and power controls are unavailable.');
      } else if (state !== 'suspended' && suspended) {
        // Unsuspended: the page is drawn again with its console and controls.
        window.location.reload();
      }
    });

    if (suspended) {
      // The page's notice above says why.
      banner.unavailable('Unavailable while suspended.');
      return;
    }
    // While installing, and after a failed install, the socket still shows the installer's output
    // (that is the progress, and the failure's details), but takes no commands or power actions.
    var interactive = installState === 'READY';
    if (installState === 'INSTALLING') {
      var stateURL = section.getAttribute('data-state-url');
      if (stateURL) pollInstallState(stateURL, installState);
    }
    function showMode() {
      if (installState === 'INSTALLING') banner.pending('Installing… the installer\'s output follows; this page moves on when it finishes.');
      else banner.unavailable('The installation failed, so the console and power controls are unavailable.');
    }

    var terminal = output ? new window.BerthTerminal.Terminal(output) : null;
    var follower = output ? new Follower(output) : null;
    if (form && input) setUpCommandInput(form, input, new CommandHistory(instanceId), send);

    function print(text, className) {
      if (!terminal) return;
      if (className) terminal.writeMessage(text, className);
      else terminal.write(text);
      follower.contentChanged();
    }

    function handle(message) {
      var data = typeof message.data === 'string' ? message.data : '';
      switch (message.event) {
        case 'output': print(data); break;
        case 'notice': print(data, 'console-notice'); break;
        case 'error': print(data, 'console-error'); break;
        case 'status':
          if (data) power.setState(data);
          if (data === 'offline' || data === 'crashed') charts.clearValues();
          break;
        case 'stats':
          if (message.stats && typeof message.stats === 'object') charts.add(message.stats);
          break;
        default: break; // unknown events are ignored so the server can add more
      }
    }

    if (interactive) banner.pending('Connecting…');
    else showMode();
    live = window.Berth.connectSocket({
      path: section.getAttribute('data-socket-url'),
      maxDelay: 15,
      onOpen: function () {
        if (!interactive) return;
        banner.connected();
        power.setConnected(true);
        setInputEnabled(form, input, true);
      },
      onMessage: function (message) {
        // Status changes matter only once the instance can run.
        if (interactive || message.event === 'output' || message.event === 'notice' || message.event === 'error') handle(message);
      },
      onClose: function (info) {
        // The relay closes with this reason (ConsoleRelay.permissionsChanged) when what the viewer may do
        // here changed: the page itself, with its buttons and cards, must be drawn again.
        if (info.reason === 'Your permissions on this instance changed.') {
          window.location.reload();
          return;
        }
        if (!interactive) return;
        banner.lost(info.reason, info.delay);
        power.setConnected(false);
        setInputEnabled(form, input, false);
      }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
