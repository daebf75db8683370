/*
 * Berth — the deploy form shows the variables of the image it deploys.
 *
 * Every image's variables are in the page, each set in a `<fieldset data-image>`;
 * only the chosen image's set shows, and the others are disabled so they are
 * not sent. Without script all of them show, and the server reads only the
 * chosen image's fields.
 */
(function () {
  'use strict';

  var select = document.getElementById('deploy-image');
  if (!select) return;

  function showChosen() {
    var sets = document.querySelectorAll('fieldset[data-image]');
    for (var i = 0; i < sets.length; i++) {
      var chosen = sets[i].getAttribute('data-image') === select.value;
      sets[i].hidden = !chosen;
      sets[i].disabled = !chosen;
    }
  }

  select.addEventListener('change', showChosen);
  showChosen();
})();
