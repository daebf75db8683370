/*
 * The console's terminal renderer (static/terminal.js) on its own, under node:
 * `node Tests/Browser/test_terminal.js`. It needs only `document` to make
 * nodes, so a small stand-in of one is enough; the browser suite covers the
 * real page.
 */
'use strict';

var assert = require('assert');
var fs = require('fs');
var path = require('path');
var vm = require('vm');

var SOURCE = path.join(__dirname, '..', '..', 'Sources', 'BerthWeb', 'Resources', 'web', 'static', 'terminal.js');

/** Just the DOM the renderer touches; markup APIs throw, since output must stay text. */
function FakeNode(tagName, text) {
  this.tagName = tagName;
  this.text = text;
  this.childNodes = [];
  this.className = '';
  this.style = {};
  var self = this;
  this.classList = {
    add: function (name) {
      if (self.className.split(' ').indexOf(name) < 0) self.className = self.className ? self.className + ' ' + name : name;
    }
  };
}

FakeNode.prototype = {
  get firstChild() { return this.childNodes[0] || null; },
  appendChild: function (node) { this.childNodes.push(node); return node; },
  removeChild: function (node) { this.childNodes.splice(this.childNodes.indexOf(node), 1); return node; },
  replaceChildren: function () { this.childNodes = Array.prototype.slice.call(arguments); },
  get textContent() {
    return this.tagName === '#text' ? this.text : this.childNodes.map(function (node) { return node.textContent; }).join('');
  },
  set textContent(value) { this.childNodes = value === '' ? [] : [new FakeNode('#text', String(value))]; },
  set innerHTML(value) { throw new Error('innerHTML used'); },
  insertAdjacentHTML: function () { throw new Error('insertAdjacentHTML used'); }
};

/** A line as compact markup: classes and inline colours of spans, text escaped. */
function render(node) {
  if (node.tagName === '#text') return node.text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  var attributes = '';
  if (node.className) attributes += ' class="' + node.className + '"';
  if (node.style.color) attributes += ' color="' + node.style.color + '"';
  if (node.style.backgroundColor) attributes += ' background="' + node.style.backgroundColor + '"';
  return '<span' + attributes + '>' + node.childNodes.map(render).join('') + '</span>';
}

function loadTerminal() {
  var context = {
    document: {
      createElement: function (tagName) { return new FakeNode(tagName); },
      createTextNode: function (text) { return new FakeNode('#text', String(text)); }
    }
  };
  context.window = context;
  vm.createContext(context);
  vm.runInContext(fs.readFileSync(SOURCE, 'utf8'), context, { filename: SOURCE });
  return context.BerthTerminal.Terminal;
}

var Terminal = loadTerminal();

/** A fresh terminal on a stand-in `<pre>`. */
function newTerminal() {
  var output = new FakeNode('pre');
  return { terminal: new Terminal(output), output: output };
}

/** Every line of the output, the open last one included. */
function linesOf(output) {
  return output.childNodes.map(render);
}

function line(inner, extraClass) {
  return '<span class="console-line' + (extraClass ? ' ' + extraClass : '') + '">' + inner + '</span>';
}

/** Writes each chunk as its own frame and compares the lines. */
function expectLines(chunks, expected) {
  var view = newTerminal();
  chunks.forEach(function (chunk) { view.terminal.write(chunk); });
  assert.deepStrictEqual(linesOf(view.output), expected);
}

var checks = 0;
var failures = 0;

function check(name, body) {
  checks++;
  try {
    body();
    console.log('ok - ' + name);
  } catch (error) {
    failures++;
    console.log('not ok - ' + name + '\n' + String(error.message).replace(/^/gm, '    '));
  }
}

var ESC = '\x1b';

check('plain text and newlines', function () {
  expectLines(['one\ntwo\r\n'], [line('one'), line('two'), line('')]);
});
check('ANSI foreground and reset', function () {
  expectLines([ESC + '[31mred' + ESC + '[0m plain'], [line('<span class="ansi-fg-1">red</span> plain')]);
});
check('bright colours, background and attributes', function () {
  expectLines([ESC + '[1;4;93;44mx' + ESC + '[22;24;39;49my'],
    [line('<span class="ansi-fg-11 ansi-bg-4 ansi-bold ansi-underline">x</span>y')]);
});
check('256 colours: palette, cube and grey', function () {
  expectLines([ESC + '[38;5;9ma' + ESC + '[38;5;196mb' + ESC + '[48;5;244mc'],
    [line('<span class="ansi-fg-9">a</span><span color="rgb(255,0,0)">b</span>' +
      '<span color="rgb(255,0,0)" background="rgb(128,128,128)">c</span>')]);
});
check('truecolour, clamped', function () {
  expectLines([ESC + '[38;2;1;2;300mx'], [line('<span color="rgb(1,2,255)">x</span>')]);
});
check('an escape sequence split across frames', function () {
  expectLines([ESC + '[3', '2mgreen'], [line('<span class="ansi-fg-2">green</span>')]);
});
check('cursor movement and window titles are dropped', function () {
  expectLines([ESC + '[2K' + ESC + ']0;title\x07text' + ESC + '(B!'], [line('text!')]);
});
check('a bare carriage return redraws the line', function () {
  expectLines(['progress 10%\rprogress 20%\n'], [line('progress 20%'), line('')]);
});
check('a Minecraft colour, then formatting added, then a reset', function () {
  expectLines(['\u00a7cRed \u00a7lbold\u00a7r plain'],
    [line('<span class="ansi-fg-9">Red </span><span class="ansi-fg-9 ansi-bold">bold</span> plain')]);
});
check('a Minecraft colour resets formatting; codes are case-insensitive', function () {
  expectLines(['\u00a7l\u00a7Ax'], [line('<span class="ansi-fg-10">x</span>')]);
});
check('a Minecraft hex colour', function () {
  expectLines(['\u00a7x\u00a7f\u00a7f\u00a78\u00a70\u00a70\u00a70hex'], [line('<span color="#ff8000">hex</span>')]);
});
check('a \u00a7 that is not a code stays text; \u00a7k is dropped', function () {
  expectLines(['50\u00a7 \u00a7z\u00a7kok'], [line('50\u00a7 \u00a7zok')]);
});
check('a \u00a7 code split across frames', function () {
  expectLines(['\u00a7', '9blue'], [line('<span class="ansi-fg-12">blue</span>')]);
});
check('markup stays text', function () {
  expectLines(['<b>bold</b> & more'], [line('&lt;b>bold&lt;/b> &amp; more')]);
});
check('a message of our own takes a line of its own', function () {
  var view = newTerminal();
  view.terminal.write('before');
  view.terminal.writeMessage('Disconnected', 'console-error');
  assert.deepStrictEqual(linesOf(view.output), [line('before'), line('Disconnected', 'console-error'), line('')]);
});
check('the scrollback keeps the newest 5000 lines', function () {
  var view = newTerminal();
  var text = '';
  for (var i = 1; i <= 5100; i++) text += 'line ' + i + '\n';
  view.terminal.write(text);
  assert.strictEqual(view.output.childNodes.length, 5000);
  assert.strictEqual(view.output.childNodes[0].textContent, 'line 102');
});

console.log(failures === 0 ? 'terminal renderer: all ' + checks + ' checks passed'
  : 'terminal renderer: ' + failures + ' of ' + checks + ' checks failed');
process.exitCode = failures === 0 ? 0 : 1;
