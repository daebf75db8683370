/*
 * The file manager's folder page: uploads (picked or dropped, several at once, each with a progress
 * bar, streamed to the panel and written whole when it ends), "select all", and the new-file form's path.
 * Everything else on the page is plain forms and links that work without it.
 */
(function () {
  'use strict';

  var section = document.getElementById('files');
  if (!section) return;
  var instanceID = section.getAttribute('data-instance-id');
  var folder = section.getAttribute('data-folder') || '';
  var csrf = section.getAttribute('data-csrf');

  function join(name) {
    return folder ? folder + '/' + name : name;
  }

  // ------------------------------------------------------------------
  // Uploads
  // ------------------------------------------------------------------

  var list = document.getElementById('upload-list');
  var input = document.getElementById('upload-input');
  var zone = document.getElementById('upload-zone');
  var pending = 0;
  var failed = 0;

  function upload(file) {
    var item = document.createElement('li');
    var label = document.createElement('span');
    label.textContent = file.name;
    var bar = document.createElement('progress');
    bar.max = file.size || 1;
    bar.value = 0;
    bar.setAttribute('aria-label', 'Upload of ' + file.name);
    var status = document.createElement('span');
    status.className = 'muted upload-status';
    status.textContent = 'waiting';
    item.appendChild(label);
    item.appendChild(bar);
    item.appendChild(status);
    list.appendChild(item);
    pending += 1;

    var request = new XMLHttpRequest();
    request.open('PUT', '/instances/' + instanceID + '/files/contents?path=' + encodeURIComponent(join(file.name)));
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.setRequestHeader('X-CSRF-Token', csrf);
    request.upload.addEventListener('progress', function (event) {
      if (!event.lengthComputable) return;
      bar.value = event.loaded;
      status.textContent = Math.round((100 * event.loaded) / event.total) + '%';
    });
    request.addEventListener('load', function () {
      if (request.status >= 200 && request.status < 300) {
        bar.value = bar.max;
        status.textContent = 'done';
        item.className = 'upload-done';
      } else {
        failed += 1;
        var message = 'failed (' + request.status + ')';
        try { message = JSON.parse(request.responseText).error || message; } catch (ignored) { /* not JSON */ }
        status.textContent = message;
        item.className = 'upload-failed';
      }
      finish();
    });
    request.addEventListener('error', function () {
      failed += 1;
      status.textContent = 'the connection failed; nothing was changed';
      item.className = 'upload-failed';
      finish();
    });
    status.textContent = '0%';
    request.send(file);
  }

  function finish() {
    pending -= 1;
    // Once every upload has ended, show the folder as it is now (failures stay listed until then).
    if (pending === 0 && failed === 0) window.location.reload();
  }

  function uploadAll(files) {
    failed = 0;
    for (var i = 0; i < files.length; i += 1) upload(files[i]);
  }

  if (input) {
    input.addEventListener('change', function () {
      uploadAll(input.files);
      input.value = '';
    });
  }
  if (zone) {
    ['dragenter', 'dragover'].forEach(function (type) {
      section.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add('upload-zone-active');
      });
    });
    ['dragleave', 'drop'].forEach(function (type) {
      section.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.remove('upload-zone-active');
      });
    });
    section.addEventListener('drop', function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) uploadAll(event.dataTransfer.files);
    });
  }

  // ------------------------------------------------------------------
  // Selection and the new-file form
  // ------------------------------------------------------------------

  var all = document.getElementById('select-all');
  if (all) {
    all.addEventListener('change', function () {
      var boxes = document.querySelectorAll('input[name="selected"]');
      for (var i = 0; i < boxes.length; i += 1) boxes[i].checked = all.checked;
    });
  }

  var newFile = document.getElementById('new-file-form');
  if (newFile) {
    newFile.addEventListener('submit', function () {
      var name = document.getElementById('new-file-name');
      document.getElementById('new-file-path').value = join(name.value);
      name.disabled = true;
    });
  }
})();
