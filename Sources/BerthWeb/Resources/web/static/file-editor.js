/*
 * The text editor: line numbers beside the text, Ctrl+S (or the Save button) saves without leaving the
 * page, and leaving with unsaved changes asks first. Without scripts the form still saves.
 */
(function () {
  'use strict';

  var section = document.getElementById('file-editor');
  if (!section) return;
  var text = document.getElementById('editor-text');
  var gutter = document.getElementById('editor-gutter');
  var status = document.getElementById('editor-status');
  var form = document.getElementById('editor-form');
  var saved = text.value;
  var saving = false;

  function numberLines() {
    var count = text.value.split('\n').length;
    var lines = [];
    for (var i = 1; i <= count; i += 1) lines.push(i);
    gutter.textContent = lines.join('\n');
  }

  text.addEventListener('input', function () {
    numberLines();
    status.textContent = text.value === saved ? '' : 'Unsaved changes';
  });
  text.addEventListener('scroll', function () {
    gutter.scrollTop = text.scrollTop;
  });
  numberLines();

  function save() {
    if (saving || text.readOnly) return;
    saving = true;
    var content = text.value;
    status.textContent = 'Saving…';
    fetch(section.getAttribute('data-save-url'), {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': section.getAttribute('data-csrf') },
      body: new Blob([content]),
      credentials: 'same-origin'
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.error || ('status ' + response.status));
        saved = content;
        status.textContent = 'Saved at ' + new Date().toLocaleTimeString();
      });
    }).catch(function (error) {
      status.textContent = 'Not saved: ' + error.message;
    }).then(function () {
      saving = false;
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    save();
  });
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === 's' || event.key === 'S')) {
      event.preventDefault();
      save();
    }
  });
  window.addEventListener('beforeunload', function (event) {
    if (text.value !== saved) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
})();
