/*
 * The backups page: while a backup is being made, its row follows it (progress, then ready or failed) by
 * reading the page again every two seconds and putting in the new version of that row alone, so a form
 * being filled in elsewhere on the page is left as it is. The page works without it: a reload shows the same.
 */
(function () {
  'use strict';

  var status = document.getElementById('backup-status');
  if (!status) return;

  function creatingRows(root) {
    return Array.prototype.slice.call(root.querySelectorAll('#backup-list tr[data-state="creating"]'));
  }

  function follow() {
    if (creatingRows(document).length === 0) return;
    fetch(window.location.href, { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html');
        creatingRows(document).forEach(function (row) {
          var newer = fresh.getElementById(row.id);
          if (!newer) return;
          if (newer.getAttribute('data-state') !== 'creating') {
            status.textContent = 'The backup ' + newer.getAttribute('data-name') + ' is ' + newer.getAttribute('data-state') + '.';
            var allowance = fresh.getElementById('backup-allowance');
            var shown = document.getElementById('backup-allowance');
            if (allowance && shown) shown.textContent = allowance.textContent;
          }
          row.replaceWith(document.importNode(newer, true));
        });
        window.setTimeout(follow, 2000);
      })
      .catch(function () { window.setTimeout(follow, 5000); });
  }

  window.setTimeout(follow, 2000);
})();
