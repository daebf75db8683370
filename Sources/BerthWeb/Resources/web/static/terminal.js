/*
 * Berth — the console's terminal renderer: ANSI SGR, Minecraft § codes, \r and \n.
 *
 * Console output is untrusted, so it only ever reaches the page as text nodes;
 * colours come from classes (the 16-colour palette lives in app.css) or CSSOM
 * properties (256/truecolour). It needs nothing but `document` to make nodes,
 * so it can be checked on its own (Tests/Browser/test_terminal.js).
 *
 * Publishes `window.BerthTerminal.Terminal`; console.js does the rest.
 */
(function () {
  'use strict';

  var SCROLLBACK_LINES = 5000;
  /** Unterminated escape sequences are held for the next frame, but not forever. */
  var MAX_CARRY = 4096;

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

  window.BerthTerminal = Object.freeze({ Terminal: Terminal });
})();
