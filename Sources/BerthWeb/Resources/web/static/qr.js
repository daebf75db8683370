/*
 * Berth — QR code for two-factor enrolment.
 *
 * Draws the `otpauth://` URI held in `<canvas id="totp-qr" data-qr="…">` as a
 * QR code. The encoder is our own (no third-party code may be served, and the
 * CSP forbids CDNs): byte mode, error-correction level M, versions 1–40,
 * Reed–Solomon over GF(256), all eight masks scored with the standard penalty
 * rules. It is deliberately small and readable rather than fast; an enrolment
 * URI is encoded once per page view.
 */
(function () {
  'use strict';

  // --- Tables for error-correction level M, indexed by version (1–40). ---

  /** Error-correction codewords in each block. */
  var ECC_CODEWORDS_PER_BLOCK = [-1,
    10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
    26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28];

  /** Number of Reed–Solomon blocks the codewords are split into. */
  var ERROR_CORRECTION_BLOCKS = [-1,
    1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
    17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49];

  /** Two-bit code of level M in the format information. */
  var LEVEL_M_FORMAT_BITS = 0;

  var MIN_VERSION = 1;
  var MAX_VERSION = 40;

  // --- GF(256) arithmetic with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1. ---

  function gfMultiply(x, y) {
    // Russian-peasant multiplication; avoids log tables for the sake of brevity.
    var product = 0;
    for (var i = 7; i >= 0; i--) {
      product = (product << 1) ^ ((product >>> 7) * 0x11D);
      product ^= ((y >>> i) & 1) * x;
    }
    return product & 0xFF;
  }

  /** Coefficients of the generator polynomial of the given degree (highest first, leading 1 omitted). */
  function reedSolomonDivisor(degree) {
    var result = new Array(degree).fill(0);
    result[degree - 1] = 1;
    var root = 1;
    for (var i = 0; i < degree; i++) {
      for (var j = 0; j < result.length; j++) {
        result[j] = gfMultiply(result[j], root);
        if (j + 1 < result.length) result[j] ^= result[j + 1];
      }
      root = gfMultiply(root, 0x02);
    }
    return result;
  }

  /** Remainder of data(x)·x^degree divided by the generator: the error-correction codewords. */
  function reedSolomonRemainder(data, divisor) {
    var result = new Array(divisor.length).fill(0);
    data.forEach(function (byte) {
      var factor = byte ^ result.shift();
      result.push(0);
      for (var i = 0; i < divisor.length; i++) result[i] ^= gfMultiply(divisor[i], factor);
    });
    return result;
  }

  // --- Capacity. ---

  /** Modules available for data and error correction once function patterns are drawn. */
  function rawDataModules(version) {
    var result = (16 * version + 128) * version + 64;
    if (version >= 2) {
      var alignmentCount = Math.floor(version / 7) + 2;
      result -= (25 * alignmentCount - 10) * alignmentCount - 55;
      if (version >= 7) result -= 36;
    }
    return result;
  }

  function dataCodewords(version) {
    return Math.floor(rawDataModules(version) / 8) -
      ECC_CODEWORDS_PER_BLOCK[version] * ERROR_CORRECTION_BLOCKS[version];
  }

  /** Byte mode uses an 8-bit character count up to version 9, 16 bits from version 10. */
  function countBits(version) {
    return version <= 9 ? 8 : 16;
  }

  function alignmentPositions(version) {
    if (version === 1) return [];
    var count = Math.floor(version / 7) + 2;
    var step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
    var result = [6];
    for (var position = version * 4 + 10; result.length < count; position -= step) {
      result.splice(1, 0, position);
    }
    return result;
  }

  // --- Encoding the payload into codewords. ---

  function utf8Bytes(text) {
    return Array.from(new TextEncoder().encode(text));
  }

  function chooseVersion(byteCount) {
    for (var version = MIN_VERSION; version <= MAX_VERSION; version++) {
      var neededBits = 4 + countBits(version) + byteCount * 8;
      if (neededBits <= dataCodewords(version) * 8) return version;
    }
    throw new Error('QR: text too long (' + byteCount + ' bytes)');
  }

  function BitBuffer() {
    this.bits = [];
  }
  BitBuffer.prototype.append = function (value, length) {
    for (var i = length - 1; i >= 0; i--) this.bits.push((value >>> i) & 1);
  };

  /** Mode indicator, count, data, terminator and padding, packed into bytes. */
  function dataCodewordsFor(bytes, version) {
    var capacityBits = dataCodewords(version) * 8;
    var buffer = new BitBuffer();
    buffer.append(0x4, 4); // byte mode
    buffer.append(bytes.length, countBits(version));
    bytes.forEach(function (byte) { buffer.append(byte, 8); });
    buffer.append(0, Math.min(4, capacityBits - buffer.bits.length));
    buffer.append(0, (8 - buffer.bits.length % 8) % 8);
    for (var pad = 0xEC; buffer.bits.length < capacityBits; pad ^= 0xEC ^ 0x11) buffer.append(pad, 8);

    var codewords = [];
    for (var i = 0; i < buffer.bits.length; i += 8) {
      var byte = 0;
      for (var j = 0; j < 8; j++) byte = (byte << 1) | buffer.bits[i + j];
      codewords.push(byte);
    }
    return codewords;
  }

  /** Splits data into blocks, appends each block's ECC, and interleaves them as the standard requires. */
  function withErrorCorrection(data, version) {
    var blockCount = ERROR_CORRECTION_BLOCKS[version];
    var eccLength = ECC_CODEWORDS_PER_BLOCK[version];
    var rawCodewords = Math.floor(rawDataModules(version) / 8);
    var shortBlockCount = blockCount - rawCodewords % blockCount;
    var shortBlockLength = Math.floor(rawCodewords / blockCount);
    var divisor = reedSolomonDivisor(eccLength);

    var blocks = [];
    for (var i = 0, offset = 0; i < blockCount; i++) {
      var length = shortBlockLength - eccLength + (i < shortBlockCount ? 0 : 1);
      var blockData = data.slice(offset, offset + length);
      offset += length;
      var ecc = reedSolomonRemainder(blockData, divisor);
      // Short blocks get a placeholder so every block has the same length while interleaving.
      if (i < shortBlockCount) blockData.push(0);
      blocks.push(blockData.concat(ecc));
    }

    var result = [];
    for (var column = 0; column < blocks[0].length; column++) {
      for (var b = 0; b < blocks.length; b++) {
        var isPlaceholder = column === shortBlockLength - eccLength && b < shortBlockCount;
        if (!isPlaceholder) result.push(blocks[b][column]);
      }
    }
    return result;
  }

  // --- The module matrix. ---

  function Matrix(version) {
    this.version = version;
    this.size = version * 4 + 17;
    this.modules = [];
    this.isFunction = [];
    for (var y = 0; y < this.size; y++) {
      this.modules.push(new Array(this.size).fill(false));
      this.isFunction.push(new Array(this.size).fill(false));
    }
  }

  Matrix.prototype.setFunction = function (x, y, dark) {
    this.modules[y][x] = dark;
    this.isFunction[y][x] = true;
  };

  Matrix.prototype.drawFinder = function (centerX, centerY) {
    // 7×7 finder plus its one-module light separator, clipped at the edges.
    for (var dy = -4; dy <= 4; dy++) {
      for (var dx = -4; dx <= 4; dx++) {
        var x = centerX + dx;
        var y = centerY + dy;
        if (x < 0 || y < 0 || x >= this.size || y >= this.size) continue;
        var distance = Math.max(Math.abs(dx), Math.abs(dy));
        this.setFunction(x, y, distance !== 2 && distance !== 4);
      }
    }
  };

  Matrix.prototype.drawAlignment = function (centerX, centerY) {
    for (var dy = -2; dy <= 2; dy++) {
      for (var dx = -2; dx <= 2; dx++) {
        this.setFunction(centerX + dx, centerY + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
  };

  Matrix.prototype.drawFunctionPatterns = function () {
    var size = this.size;
    for (var i = 0; i < size; i++) {
      this.setFunction(6, i, i % 2 === 0);
      this.setFunction(i, 6, i % 2 === 0);
    }
    this.drawFinder(3, 3);
    this.drawFinder(size - 4, 3);
    this.drawFinder(3, size - 4);

    var positions = alignmentPositions(this.version);
    var last = positions.length - 1;
    for (var a = 0; a < positions.length; a++) {
      for (var b = 0; b < positions.length; b++) {
        var overlapsFinder = (a === 0 && b === 0) || (a === 0 && b === last) || (a === last && b === 0);
        if (!overlapsFinder) this.drawAlignment(positions[a], positions[b]);
      }
    }
    // Reserve the format areas now (real bits are drawn once the mask is known).
    this.drawFormatBits(0);
    this.drawVersionBits();
  };

  /** 15-bit format information: level and mask, BCH(15,5) protected, XOR-masked. */
  function formatBits(mask) {
    var data = (LEVEL_M_FORMAT_BITS << 3) | mask;
    var remainder = data;
    for (var i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
    return ((data << 10) | remainder) ^ 0x5412;
  }

  function bit(value, index) {
    return ((value >>> index) & 1) !== 0;
  }

  Matrix.prototype.drawFormatBits = function (mask) {
    var bits = formatBits(mask);
    var size = this.size;
    // First copy, around the top-left finder.
    for (var i = 0; i <= 5; i++) this.setFunction(8, i, bit(bits, i));
    this.setFunction(8, 7, bit(bits, 6));
    this.setFunction(8, 8, bit(bits, 7));
    this.setFunction(7, 8, bit(bits, 8));
    for (i = 9; i < 15; i++) this.setFunction(14 - i, 8, bit(bits, i));
    // Second copy, split between the top-right and bottom-left finders.
    for (i = 0; i < 8; i++) this.setFunction(size - 1 - i, 8, bit(bits, i));
    for (i = 8; i < 15; i++) this.setFunction(8, size - 15 + i, bit(bits, i));
    this.setFunction(8, size - 8, true); // the "dark module"
  };

  /** Versions 7+ carry an 18-bit version block, BCH(18,6) protected, in two corners. */
  Matrix.prototype.drawVersionBits = function () {
    if (this.version < 7) return;
    var remainder = this.version;
    for (var i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1F25);
    var bits = (this.version << 12) | remainder;
    for (i = 0; i < 18; i++) {
      var a = this.size - 11 + i % 3;
      var b = Math.floor(i / 3);
      this.setFunction(a, b, bit(bits, i));
      this.setFunction(b, a, bit(bits, i));
    }
  };

  /** Places codewords in the two-column zig-zag, skipping function modules and the vertical timing column. */
  Matrix.prototype.drawCodewords = function (codewords) {
    var size = this.size;
    var index = 0;
    var totalBits = codewords.length * 8;
    for (var right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      var upward = ((right + 1) & 2) === 0;
      for (var step = 0; step < size; step++) {
        var y = upward ? size - 1 - step : step;
        for (var j = 0; j < 2; j++) {
          var x = right - j;
          if (this.isFunction[y][x] || index >= totalBits) continue;
          this.modules[y][x] = bit(codewords[index >>> 3], 7 - (index & 7));
          index++;
        }
      }
    }
  };

  var MASKS = [
    function (x, y) { return (x + y) % 2 === 0; },
    function (x, y) { return y % 2 === 0; },
    function (x) { return x % 3 === 0; },
    function (x, y) { return (x + y) % 3 === 0; },
    function (x, y) { return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0; },
    function (x, y) { return (x * y) % 2 + (x * y) % 3 === 0; },
    function (x, y) { return ((x * y) % 2 + (x * y) % 3) % 2 === 0; },
    function (x, y) { return ((x + y) % 2 + (x * y) % 3) % 2 === 0; }
  ];

  /** XOR is its own inverse, so applying a mask twice removes it. */
  Matrix.prototype.applyMask = function (mask) {
    var rule = MASKS[mask];
    for (var y = 0; y < this.size; y++) {
      for (var x = 0; x < this.size; x++) {
        if (!this.isFunction[y][x] && rule(x, y)) this.modules[y][x] = !this.modules[y][x];
      }
    }
  };

  // --- Mask selection: the four penalty rules of ISO/IEC 18004 §7.8.3. ---

  var FINDER_LIKE = [true, false, true, true, true, false, true];

  function lineMatches(line, start, pattern) {
    for (var i = 0; i < pattern.length; i++) if (line[start + i] !== pattern[i]) return false;
    return true;
  }

  function lightRun(line, start, length) {
    for (var i = start; i < start + length; i++) {
      if (i >= 0 && i < line.length && line[i]) return false;
    }
    return true;
  }

  /** Rules 1 and 3 for one row or column. */
  function linePenalty(line) {
    var penalty = 0;
    var run = 1;
    for (var i = 1; i <= line.length; i++) {
      if (i < line.length && line[i] === line[i - 1]) {
        run++;
      } else {
        if (run >= 5) penalty += 3 + (run - 5);
        run = 1;
      }
    }
    // 1:1:3:1:1 finder-like pattern preceded or followed by four light modules
    // (outside the symbol counts as light: it is the quiet zone). Counted once
    // per occurrence, as ZXing does.
    for (var start = 0; start + 7 <= line.length; start++) {
      if (!lineMatches(line, start, FINDER_LIKE)) continue;
      if (lightRun(line, start - 4, 4) || lightRun(line, start + 7, 4)) penalty += 40;
    }
    return penalty;
  }

  Matrix.prototype.penalty = function () {
    var size = this.size;
    var modules = this.modules;
    var penalty = 0;
    var dark = 0;
    for (var i = 0; i < size; i++) {
      penalty += linePenalty(modules[i]);
      penalty += linePenalty(modules.map(function (row) { return row[i]; }));
    }
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        if (modules[y][x]) dark++;
        if (x + 1 < size && y + 1 < size) {
          var colour = modules[y][x];
          if (colour === modules[y][x + 1] && colour === modules[y + 1][x] && colour === modules[y + 1][x + 1]) {
            penalty += 3;
          }
        }
      }
    }
    var total = size * size;
    var deviation = Math.abs(dark * 100 / total - 50);
    penalty += Math.floor(deviation / 5) * 10;
    return penalty;
  };

  /**
   * Encodes `text` (UTF-8, byte mode, level M).
   * Returns `{ version, size, mask, modules }` where `modules[y][x]` is true for dark.
   */
  function encode(text) {
    var bytes = utf8Bytes(String(text));
    var version = chooseVersion(bytes.length);
    var codewords = withErrorCorrection(dataCodewordsFor(bytes, version), version);

    var matrix = new Matrix(version);
    matrix.drawFunctionPatterns();
    matrix.drawCodewords(codewords);

    var bestMask = 0;
    var bestPenalty = Infinity;
    for (var mask = 0; mask < MASKS.length; mask++) {
      matrix.applyMask(mask);
      matrix.drawFormatBits(mask);
      var penalty = matrix.penalty();
      if (penalty < bestPenalty) {
        bestPenalty = penalty;
        bestMask = mask;
      }
      matrix.applyMask(mask);
    }
    matrix.applyMask(bestMask);
    matrix.drawFormatBits(bestMask);
    return { version: version, size: matrix.size, mask: bestMask, modules: matrix.modules };
  }

  // --- Browser: draw onto the enrolment canvas. ---

  var QUIET_ZONE = 4;

  /**
   * Draws with a whole number of device pixels per module so edges stay sharp,
   * always black on white: scanners need the contrast whatever the page theme.
   */
  function drawOnCanvas(canvas, code) {
    var modulesAcross = code.size + QUIET_ZONE * 2;
    var cssSize = canvas.width || 256;
    var ratio = window.devicePixelRatio || 1;
    var scale = Math.max(1, Math.floor(cssSize * ratio / modulesAcross));
    var pixels = scale * modulesAcross;

    canvas.width = pixels;
    canvas.height = pixels;
    // Only the width is fixed; app.css gives it height: auto and max-width: 100%
    // so a narrow phone scales the code down without distorting it.
    canvas.style.width = (pixels / ratio) + 'px';

    var context = canvas.getContext('2d');
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, pixels, pixels);
    context.fillStyle = '#000000';
    for (var y = 0; y < code.size; y++) {
      for (var x = 0; x < code.size; x++) {
        if (code.modules[y][x]) {
          context.fillRect((x + QUIET_ZONE) * scale, (y + QUIET_ZONE) * scale, scale, scale);
        }
      }
    }
  }

  function start() {
    var canvas = document.getElementById('totp-qr');
    if (!canvas || !canvas.getContext) return;
    var text = canvas.getAttribute('data-qr');
    if (!text) return;
    try {
      drawOnCanvas(canvas, encode(text));
      canvas.classList.add('qr-ready');
    } catch (error) {
      // The secret is also shown as text on the page, so enrolment still works.
      canvas.classList.add('qr-failed');
      if (window.console) window.console.error(error);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
