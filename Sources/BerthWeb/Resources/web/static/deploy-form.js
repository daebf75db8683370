/*
 * Berth — the deploy form: the variables of the image it deploys, what is free on the node it deploys to,
 * and port rows to add.
 *
 * Every image's variables are in the page, each set in a `<fieldset data-image>`; only the chosen image's
 * set shows, and the others are disabled so they are not sent. Without script all of them show, and the
 * server reads only the chosen image's fields.
 *
 * Each node's `<option>` carries what is free on it (`data-free-memory`, `-cpu`, `-disk`, `-ports`) and
 * the limits the panel proposes there (`data-proposed-memory`, `-cpu`): the hints under the limits say what
 * is free, the host port fields offer its free ports, and limits the user has not changed follow the node
 * chosen, so they fit.
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

  var node = document.getElementById('deploy-node');
  var memory = document.getElementById('deploy-memory');
  var cpu = document.getElementById('deploy-cpu');
  var freePorts = document.getElementById('deploy-free-ports');
  var proposed = null;

  /** The limits the panel proposes on the node (InstancesPage.proposedLimits). */
  function proposal(option) {
    return { memory: option.getAttribute('data-proposed-memory'), cpu: option.getAttribute('data-proposed-cpu') };
  }

  function setHint(id, text) {
    var hint = document.getElementById(id);
    if (hint) hint.textContent = text;
  }

  function showRoom() {
    var option = node && node.options[node.selectedIndex];
    if (!option) return;
    var freeMemory = option.getAttribute('data-free-memory');
    var freeCPU = option.getAttribute('data-free-cpu');
    setHint('deploy-memory-room', freeMemory ? freeMemory + ' MiB free on this node.' : 'This node\'s memory is not limited.');
    setHint('deploy-cpu-room', freeCPU ? parseFloat(freeCPU) + ' cores free on this node.' : 'This node\'s CPU is not limited.');
    setHint('deploy-disk-room', option.getAttribute('data-free-disk') + ' MiB not claimed on this node.');
    if (freePorts) {
      var ports = (option.getAttribute('data-free-ports') || '').split(' ').filter(Boolean);
      freePorts.replaceChildren.apply(freePorts, ports.map(function (port) {
        var choice = document.createElement('option');
        choice.value = port;
        return choice;
      }));
    }
    // Limits nobody changed from what was proposed follow the node, so they fit it.
    var next = proposal(option);
    if (proposed !== null) {
      if (memory && memory.value === proposed.memory) memory.value = next.memory;
      if (cpu && cpu.value === proposed.cpu) cpu.value = next.cpu;
    }
    proposed = next;
  }

  if (node) {
    node.addEventListener('change', showRoom);
    showRoom();
  }

  var add = document.getElementById('deploy-add-port');
  var rows = document.querySelector('#deploy-ports .port-rows');
  if (add && rows) {
    add.hidden = false;
    add.addEventListener('click', function () {
      var last = rows.lastElementChild;
      if (!last) return;
      var row = last.cloneNode(true);
      row.querySelectorAll('input').forEach(function (input) { input.value = ''; });
      rows.appendChild(row);
      row.querySelector('input').focus();
    });
  }
})();
