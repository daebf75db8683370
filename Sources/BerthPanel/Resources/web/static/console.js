/*
 * Berth — the instance page: live console, power buttons and resource charts.
 *
 * Everything is driven by `<section id="instance" data-…>`; see the comment on
 * `start()` for which attributes decide what. Console output is untrusted, so
 * it only ever reaches the page as text nodes; colours come from classes (the
 * 16-colour palette lives in app.css) or CSSOM properties (256/truecolour).
 *
 * Needs app.js to have run first (it defines `window.Berth`).
 */
(function () {
  'use strict';

  var SCROLLBACK_LINES = 5000;
  var HISTORY_LIMIT = 100;
  var CHART_SAMPLES = 60;
  var INSTALL_POLL_MILLISECONDS = 2000;
  /** Unterminated escape sequences are held for the next frame, but not forever. */
  var MAX_CARRY = 4096;

  // ==================================================================
  // Terminal rendering: ANSI SGR, Minecraft § codes, \r and \n
  // ==================================================================

  /** Minecraft colour codes mapped onto the ANSI 16-colour palette indices. */
  var MINECRAFT_COLOURS = {
    '0': 0, '1': 4, '2': 2, '3': 6, '4': 1, '5': 5, '6': 3, '7': 7,
    '8': 8, '9': 12, 'a': 10, 'b': 14, 'c': 9, 'd': 13, 'e': 11, 'f': 15
  };

  function plainStyle() {
    return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, strike: false };
  }

  /** A 256-colour index as either a palette index (0–15) or an rgb() string. */
  function colour256(index) {
    if (index < 16) return index;
    if (index < 232) {
      var cube = index - 16;
      var level = function (value) { return value === 0 ? 0 : value * 40 + 55; };
      return 'rgb(' + level(Math.floor(cube / 36)) + ',' + level(Math.floor(cube / 6) % 6) + ',' + level(cube % 6) + ')';
    }
    var grey = (index - 232) * 10 + 8;
    return 'rgb(' + grey + ',' + grey + ',' + grey + ')';
  }

  function clampByte(value) {
    return Math.max(0, Math.min(255, value | 0));
  }

  /**
   * Reads an extended colour (`5;n` or `2;r;g;b`) starting at `codes[i]`.
   * Returns { colour, next } where next is the index after the consumed codes.
   */
  function extendedColour(codes, i) {
    if (codes[i] === 5 && i + 1 < codes.length) {
      return { colour: colour256(clampByte(codes[i + 1])), next: i + 2 };
    }
    if (codes[i] === 2 && i + 3 < codes.length) {
      var rgb = 'rgb(' + clampByte(codes[i + 1]) + ',' + clampByte(codes[i + 2]) + ',' + clampByte(codes[i + 3]) + ')';
      return { colour: rgb, next: i + 4 };
    }
    return { colour: undefined, next: codes.length };
  }

  /** Applies one SGR parameter list (the part between `ESC[` and `m`) to `style`. */
  function applySGR(style, parameters) {
    var codes = parameters === '' ? [0] : parameters.split(/[;:]/).map(function (part) {
      return part === '' ? 0 : parseInt(part, 10);
    });
    for (var i = 0; i < codes.length; i++) {
      var code = codes[i];
      if (code === 0) Object.assign(style, plainStyle());
      else if (code === 1) style.bold = true;
      else if (code === 2) style.dim = true;
      else if (code === 3) style.italic = true;
      else if (code === 4) style.underline = true;
      else if (code === 9) style.strike = true;
      else if (code === 22) { style.bold = false; style.dim = false; }
      else if (code === 23) style.italic = false;
      else if (code === 24) style.underline = false;
      else if (code === 29) style.strike = false;
      else if (code >= 30 && code <= 37) style.fg = code - 30;
      else if (code >= 90 && code <= 97) style.fg = code - 90 + 8;
      else if (code >= 40 && code <= 47) style.bg = code - 40;
      else if (code >= 100 && code <= 107) style.bg = code - 100 + 8;
      else if (code === 39) style.fg = null;
      else if (code === 49) style.bg = null;
      else if (code === 38 || code === 48) {
        var extended = extendedColour(codes, i + 1);
        if (extended.colour !== undefined) {
          if (code === 38) style.fg = extended.colour;
          else style.bg = extended.colour;
        }
        i = extended.next - 1;
      }
      // Anything else (blink, inverse, fonts…) is deliberately ignored.
    }
  }

  function isPlain(style) {
    return style.fg === null && style.bg === null && !style.bold && !style.dim &&
      !style.italic && !style.underline && !style.strike;
  }

  /** Characters that need attention (tab is not one); everything between them is printable text. */
  var SPECIAL = /[\x00-\x08\x0a-\x1f\x7f\u00a7]/g;
  var CSI_FINAL = /[\x40-\x7e]/;

  /**
   * Appends terminal output to a `<pre>`, one block `<span class="console-line">`
   * per line so the scrollback can be trimmed from the top cheaply.
   */
  function Terminal(output) {
    this.output = output;
    this.style = plainStyle();
    this.carry = '';
    this.pendingCarriageReturn = false;
    this.lineCount = 0;
    this.currentLine = null;
    this.startLine();
  }

  Terminal.prototype.startLine = function (extraClass) {
    var line = document.createElement('span');
    line.className = extraClass ? 'console-line ' + extraClass : 'console-line';
    this.output.appendChild(line);
    this.currentLine = line;
    this.lineCount++;
    while (this.lineCount > SCROLLBACK_LINES && this.output.firstChild) {
      this.output.removeChild(this.output.firstChild);
      this.lineCount--;
    }
    return line;
  };

  Terminal.prototype.appendText = function (text) {
    if (text === '') return;
    if (this.pendingCarriageReturn) {
      // "\r" then more text: a progress bar redrawing its line.
      this.currentLine.replaceChildren();
      this.pendingCarriageReturn = false;
    }
    var node;
    if (isPlain(this.style)) {
      node = document.createTextNode(text);
    } else {
      node = document.createElement('span');
      this.decorate(node);
      node.textContent = text;
    }
    this.currentLine.appendChild(node);
  };

  Terminal.prototype.decorate = function (span) {
    var style = this.style;
    var classes = [];
    if (typeof style.fg === 'number') classes.push('ansi-fg-' + style.fg);
    else if (style.fg) span.style.color = style.fg;
    if (typeof style.bg === 'number') classes.push('ansi-bg-' + style.bg);
    else if (style.bg) span.style.backgroundColor = style.bg;
    if (style.bold) classes.push('ansi-bold');
    if (style.dim) classes.push('ansi-dim');
    if (style.italic) classes.push('ansi-italic');
    if (style.underline) classes.push('ansi-underline');
    if (style.strike) classes.push('ansi-strike');
    span.className = classes.join(' ');
  };

  /** A line of our own (notice or error), never mixed with server output. */
  Terminal.prototype.writeMessage = function (text, className) {
    if (this.currentLine.childNodes.length > 0) this.startLine();
    this.currentLine.classList.add(className);
    this.currentLine.textContent = text;
    this.pendingCarriageReturn = false;
    this.startLine();
  };

  /**
   * Consumes an escape sequence at `text[i]` (which is ESC).
   * Returns the index after it, or -1 when the sequence is cut off by the end of the frame.
   */
  Terminal.prototype.consumeEscape = function (text, i) {
    if (i + 1 >= text.length) return -1;
    var kind = text[i + 1];
    if (kind === '[') {
      for (var j = i + 2; j < text.length; j++) {
        if (CSI_FINAL.test(text[j])) {
          if (text[j] === 'm') applySGR(this.style, text.slice(i + 2, j));
          // Cursor movement, erase-line etc. are dropped: this is a log, not a screen.
          return j + 1;
        }
      }
      return -1;
    }
    if (kind === ']' || kind === 'P' || kind === '_' || kind === '^') {
      // OSC (window title…) and other strings end with BEL or ESC \.
      for (var k = i + 2; k < text.length; k++) {
        if (text[k] === '\x07') return k + 1;
        if (text[k] === '\x1b' && text[k + 1] === '\\') return k + 2;
      }
      return -1;
    }
    if (kind >= ' ' && kind <= '/') return i + 2 < text.length ? i + 3 : -1; // e.g. ESC ( B
    return i + 2;
  };

  /**
   * Consumes a Minecraft formatting code at `text[i]` (which is §).
   * Returns the index after it, -1 if cut off, or null if it is not a code.
   */
  Terminal.prototype.consumeMinecraftCode = function (text, i) {
    if (i + 1 >= text.length) return -1;
    var code = text[i + 1].toLowerCase();
    var style = this.style;
    if (code in MINECRAFT_COLOURS) {
      Object.assign(style, plainStyle()); // a colour code also resets formatting
      style.fg = MINECRAFT_COLOURS[code];
    } else if (code === 'x') {
      // Hex colour: §x§R§R§G§G§B§B.
      var hex = /^(\u00a7[0-9a-f]){6}/i.exec(text.slice(i + 2, i + 14));
      if (!hex) return text.length - i < 14 ? -1 : null;
      var digits = text.slice(i + 2, i + 14).replace(/\u00a7/g, '');
      Object.assign(style, plainStyle());
      style.fg = '#' + digits;
      return i + 14;
    } else if (code === 'l') style.bold = true;
    else if (code === 'o') style.italic = true;
    else if (code === 'n') style.underline = true;
    else if (code === 'm') style.strike = true;
    else if (code === 'r') Object.assign(style, plainStyle());
    else if (code !== 'k') return null; // §k (obfuscated) is dropped; anything else is text
    return i + 2;
  };

  Terminal.prototype.write = function (chunk) {
    var text = this.carry + chunk;
    this.carry = '';
    var position = 0;
    while (position < text.length) {
      SPECIAL.lastIndex = position;
      var match = SPECIAL.exec(text);
      var special = match ? match.index : text.length;
      this.appendText(text.slice(position, special));
      if (!match) break;

      var character = text[special];
      var next = special + 1;
      if (character === '\n') {
        this.pendingCarriageReturn = false;
        this.startLine();
      } else if (character === '\r') {
        // "\r\n" is an ordinary newline; a bare "\r" rewrites the line once text follows.
        if (text[next] !== '\n') this.pendingCarriageReturn = true;
      } else if (character === '\x1b') {
        next = this.consumeEscape(text, special);
      } else if (character === '\u00a7') {
        next = this.consumeMinecraftCode(text, special);
        if (next === null) {
          this.appendText('\u00a7');
          next = special + 1;
        }
      }
      // Other control characters (bell, backspace, NUL…) are dropped.

      if (next === -1) {
        var rest = text.slice(special);
        if (rest.length <= MAX_CARRY) this.carry = rest;
        break;
      }
      position = next;
    }
  };

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
  // Charts
  // ==================================================================

  function cssVariable(element, name, fallback) {
    var value = window.getComputedStyle(element).getPropertyValue(name).trim();
    return value || fallback;
  }

  /**
   * A small line chart of the last CHART_SAMPLES samples, one or two series.
   * `maximum(samples)` decides the y scale.
   */
  function LineChart(canvas, seriesCount, maximum) {
    this.canvas = canvas;
    this.series = [];
    for (var i = 0; i < seriesCount; i++) this.series.push([]);
    this.maximum = maximum;
    var self = this;
    if (window.ResizeObserver) {
      new ResizeObserver(function () { self.draw(); }).observe(canvas);
    } else {
      window.addEventListener('resize', function () { self.draw(); });
    }
  }

  LineChart.prototype.push = function (values) {
    var self = this;
    values.forEach(function (value, i) {
      var series = self.series[i];
      series.push(value);
      if (series.length > CHART_SAMPLES) series.shift();
    });
    this.draw();
  };

  LineChart.prototype.draw = function () {
    var canvas = this.canvas;
    var width = canvas.clientWidth;
    var height = canvas.clientHeight;
    if (width === 0 || height === 0) return; // hidden; the ResizeObserver calls again
    var ratio = window.devicePixelRatio || 1;
    var pixelWidth = Math.round(width * ratio);
    var pixelHeight = Math.round(height * ratio);
    if (canvas.width !== pixelWidth || canvas.height !== pixelHeight) {
      canvas.width = pixelWidth;
      canvas.height = pixelHeight;
    }
    var context = canvas.getContext('2d');
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);

    // Gridlines at quarters, aligned to device pixels so they stay one pixel thin.
    context.strokeStyle = cssVariable(canvas, '--chart-grid', 'rgba(128,128,128,0.2)');
    context.lineWidth = 1 / ratio;
    context.beginPath();
    for (var quarter = 1; quarter < 4; quarter++) {
      var y = Math.round(height * quarter / 4 * ratio) / ratio + 0.5 / ratio;
      context.moveTo(0, y);
      context.lineTo(width, y);
    }
    context.stroke();

    var all = [].concat.apply([], this.series);
    if (all.length === 0) return;
    var top = Math.max(this.maximum(all), 1e-9);
    var step = width / (CHART_SAMPLES - 1);
    var padding = 2; // keeps the line from being clipped at the top and bottom edges
    var colours = [
      cssVariable(canvas, '--chart-line', '#2f6fd1'),
      cssVariable(canvas, '--chart-line-2', '#d9822b')
    ];

    this.series.forEach(function (series, index) {
      if (series.length === 0) return;
      var points = series.map(function (value, i) {
        var x = width - (series.length - 1 - i) * step;
        var fraction = Math.max(0, Math.min(1, value / top));
        return [x, padding + (height - 2 * padding) * (1 - fraction)];
      });
      context.beginPath();
      points.forEach(function (point, i) {
        if (i === 0) context.moveTo(point[0], point[1]);
        else context.lineTo(point[0], point[1]);
      });
      context.strokeStyle = colours[index];
      context.lineWidth = 1.5;
      context.lineJoin = 'round';
      context.stroke();

      if (index === 0) {
        // A faint area under the first series makes the shape readable at a glance.
        context.lineTo(points[points.length - 1][0], height);
        context.lineTo(points[0][0], height);
        context.closePath();
        context.globalAlpha = 0.14;
        context.fillStyle = colours[index];
        context.fill();
        context.globalAlpha = 1;
      }
    });
  };

  function largest(values) {
    return values.reduce(function (a, b) { return Math.max(a, b); }, 0);
  }

  /** CPU, memory and network charts plus their value labels. */
  function ResourceCharts() {
    var self = this;
    this.memoryLimit = 0;
    this.previousNetwork = null;
    this.values = {
      cpu: document.getElementById('chart-cpu-value'),
      memory: document.getElementById('chart-memory-value'),
      network: document.getElementById('chart-network-value')
    };
    this.charts = [];
    this.cpu = this.chart('chart-cpu', 1, function (values) { return Math.max(100, largest(values)); });
    this.memory = this.chart('chart-memory', 1, function (values) {
      return self.memoryLimit > 0 ? self.memoryLimit : largest(values) * 1.2;
    });
    this.network = this.chart('chart-network', 2, function (values) { return Math.max(1024, largest(values) * 1.2); });
    document.addEventListener('berth:themechange', function () { self.redraw(); });
  }

  ResourceCharts.prototype.chart = function (id, seriesCount, maximum) {
    var canvas = document.getElementById(id);
    if (!canvas || !canvas.getContext) return null;
    var chart = new LineChart(canvas, seriesCount, maximum);
    this.charts.push(chart);
    return chart;
  };

  ResourceCharts.prototype.redraw = function () {
    this.charts.forEach(function (chart) { chart.draw(); });
  };

  ResourceCharts.prototype.setValue = function (name, content) {
    var element = this.values[name];
    if (!element) return;
    if (typeof content === 'string') element.textContent = content;
    else element.replaceChildren.apply(element, content);
  };

  function labelledRate(className, arrow, bytesPerSecond) {
    var span = document.createElement('span');
    span.className = className;
    span.textContent = arrow + '\u00a0' + window.Berth.formatRate(bytesPerSecond);
    return span;
  }

  ResourceCharts.prototype.add = function (stats) {
    var format = window.Berth;
    if (typeof stats.cpuPercent === 'number') {
      if (this.cpu) this.cpu.push([stats.cpuPercent]);
      this.setValue('cpu', format.formatPercent(stats.cpuPercent));
    }
    if (typeof stats.memoryBytes === 'number') {
      this.memoryLimit = stats.memoryLimitBytes || 0;
      if (this.memory) this.memory.push([stats.memoryBytes]);
      this.setValue('memory', format.formatMemory(stats.memoryBytes, this.memoryLimit));
    }
    this.addNetwork(stats.networkReceivedBytes, stats.networkTransmittedBytes);
  };

  /** The counters are cumulative; rates come from the difference between samples. */
  ResourceCharts.prototype.addNetwork = function (received, transmitted) {
    if (typeof received !== 'number' || typeof transmitted !== 'number') return;
    var now = Date.now();
    var previous = this.previousNetwork;
    this.previousNetwork = { received: received, transmitted: transmitted, time: now };
    if (!previous) return;
    var seconds = (now - previous.time) / 1000;
    if (seconds <= 0) return;
    // A container restart resets the counters; a negative delta is not traffic.
    var receiveRate = Math.max(0, received - previous.received) / seconds;
    var transmitRate = Math.max(0, transmitted - previous.transmitted) / seconds;
    if (this.network) this.network.push([receiveRate, transmitRate]);
    this.setValue('network', [
      labelledRate('chart-rx', '↓', receiveRate),
      document.createTextNode(' '),
      labelledRate('chart-tx', '↑', transmitRate)
    ]);
  };

  /** When the server stops, the last numbers would be misleading. */
  ResourceCharts.prototype.clearValues = function () {
    this.previousNetwork = null;
    this.setValue('cpu', '–');
    this.setValue('memory', '–');
    this.setValue('network', '–');
  };

  // ==================================================================
  // Power state and buttons
  // ==================================================================

  var POWER_ACTIONS_ALLOWED = {
    start: ['offline', 'crashed'],
    stop: ['starting', 'running'],
    restart: ['starting', 'running'],
    kill: ['starting', 'running', 'stopping']
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
      var allowed = POWER_ACTIONS_ALLOWED[button.getAttribute('data-power')] || [];
      button.disabled = !self.connected || allowed.indexOf(self.state) < 0;
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
    this.show('lost', [message, button]);

    var prefix = reason ? 'Disconnected: ' + reason + ' — ' : 'Disconnected — ';
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
   * `#instance[data-install-state]` and `[data-suspended]` decide the mode:
   * READY and not suspended → live socket; INSTALLING → the installer's output, poll and reload;
   * FAILED → the installer's output, read-only; suspended → console and power buttons disabled.
   */
  function start() {
    var section = document.getElementById('instance');
    if (!section || !window.Berth) return;

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
    var charts = new ResourceCharts();
    setInputEnabled(form, input, false);

    if (suspended) {
      banner.unavailable('This instance is suspended. The console and power controls are unavailable.');
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

    var terminal = output ? new Terminal(output) : null;
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
